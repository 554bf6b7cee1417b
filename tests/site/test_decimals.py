"""Decimals in plain notation everywhere (issue 17 §7, §8): forms, CSV, XLSX."""

import csv
import io
import zipfile
from decimal import Decimal

from django import forms

from mipres.lib.decimals import plain, spreadsheet
from mipres.lib.exports import csv_cell, csv_response, xlsx_response
from mipres.lib.forms import DecimalField

# What `Decimal.normalize()` gives for 180, 20 and 2.500; and a value with trailing zeros.
NORMALIZED = [
    (Decimal("180").normalize(), "180"),
    (Decimal("20.000").normalize(), "20"),
    (Decimal("2.500"), "2.5"),
    (Decimal("0.000"), "0"),
    (Decimal("1E-7"), "0.0000001"),
]


def test_plain_never_writes_an_exponent():
    for value, text in NORMALIZED:
        assert plain(value) == text


class QuantityForm(forms.Form):
    quantity = DecimalField(max_digits=12, decimal_places=3)


def test_a_form_prefills_a_normalized_decimal_in_plain_notation():
    for value, text in NORMALIZED:
        html = str(QuantityForm(initial={"quantity": value})["quantity"])
        assert f'value="{text}"' in html, html


def test_a_bound_form_shows_what_was_typed():
    assert 'value="1e2"' in str(QuantityForm({"quantity": "1e2"})["quantity"])


def test_csv_cells_write_decimals_without_exponent():
    assert csv_cell(Decimal("180").normalize()) == "180"
    response = csv_response("x.csv", ["Cantidad"], [[Decimal("20.000").normalize()]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Cantidad"], ["20"]]


def test_xlsx_numbers_are_numbers_in_plain_notation():
    response = xlsx_response("x.xlsx", ["Cantidad"], [[Decimal("180").normalize()]])
    sheet = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<v>180</v>" in sheet and b"E+" not in sheet


def test_spreadsheet_numbers_use_the_decimal_comma():
    assert spreadsheet(Decimal("20.000")) == "20"
    assert spreadsheet(Decimal("2.500")) == "2,5"
    assert spreadsheet(Decimal("12500.75")) == "12500,75"


def test_csv_quantities_read_correctly_in_an_es_co_spreadsheet():
    """Not "20.000" (twenty thousand there) nor "2.5" (a date or text there)."""
    rows = [[Decimal("20.000"), Decimal("2.500"), Decimal("1234567.125"), 7]]
    response = csv_response("x.csv", ["A", "B", "C", "D"], rows)
    text = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1] == [
        "20",
        "2,5",
        "1234567,125",
        "7",
    ]
