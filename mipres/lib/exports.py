"""CSV and Excel exports that open cleanly in Excel as Colombian users have it configured."""

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone

from .decimals import spreadsheet

# Excel in es-CO expects ";" (the comma is the decimal separator) and a BOM for UTF-8.
CSV_DELIMITER = ";"


def csv_cell(value) -> str:
    """Decimals as an es-CO spreadsheet reads them beside the ";" ("20,5", "20000": a decimal
    comma, no thousands separator; "20.000" would read as twenty thousand); text with
    spreadsheet formulas neutralised (names and justifications are free text that comes
    from public forms)."""
    if isinstance(value, Decimal):
        return spreadsheet(value)
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """An attachment with a header row and `rows`, every cell neutralised."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=CSV_DELIMITER)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """The same table as an Excel workbook (XlsxWriter in constant-memory mode: rows are
    flushed as written, so a large export does not hold the sheet in memory). Text is
    written as strings, never as formulas; numbers and dates keep their types."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [str(title) for title in header], bold)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                sheet.write_string(index, column, local.strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, datetime.date):
                sheet.write_datetime(index, column, value, dates)
            elif isinstance(value, bool) or value is None:
                sheet.write_string(index, column, "" if value is None else str(int(value)))
            elif isinstance(value, Decimal):
                # A float: XlsxWriter writes `{value:.16G}`, which keeps a Decimal's exponent.
                sheet.write_number(index, column, float(value))
            elif isinstance(value, int | float):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(fmt: str, basename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """`fmt` "xlsx" → Excel workbook, anything else → CSV; `basename` without extension."""
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", header, rows)
    return csv_response(f"{basename}.csv", header, rows)
