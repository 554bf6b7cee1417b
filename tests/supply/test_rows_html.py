"""The worklists' rows from their Jinja2 templates (`supply.views.provider`, `payer_rows`):
every text escaped, whatever the page holds, and the deliveries they show read as the ORM
reads them."""

import datetime
import uuid
from decimal import Decimal
from types import SimpleNamespace

import markupsafe
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from prescriptions.selectors.prescriptions import technology_label
from supply.selectors import provider as sel
from supply.selectors.payer_statements import ChainRow
from supply.views import payer_rows, provider
from supply.views.provider import link

from .conftest import direct, plan

TRICKY = ["", "plain", 'O\'Brien & <Hijos> "SAS"', "ñandú – 1.5", "&amp;", "a\0b", "'"]
PERMS = {"supply.direct", "supply.suministro", "supply.program", "supply.report"}


@pytest.fixture
def request_():
    request = RequestFactory().get("/suministro/x/por-programar/?number=<a>&light='x'")
    request.entity = SimpleNamespace(external_id=uuid.uuid4(), pk=1)
    request.entity_perms = PERMS
    with translation.override("es"):
        yield request


def test_link_writes_what_reverse_writes():
    entity = uuid.uuid4()
    assert link("program", entity, 7) == reverse("supply:program", args=[entity, 7])
    assert link("annul", entity, "x", 0) == reverse("supply:annul", args=[entity, "x", 0])


def tricky_row(index: int, today) -> dict:
    def text(offset):
        return TRICKY[(index + offset) % len(TRICKY)] or "x"

    delivery = sel.Delivery(
        pk=100 + index,
        label=f"{index}.1",
        number=text(0),
        document_type=text(1),
        document_number=text(2),
        patient_name=text(3),
        line_key=text(4),
        technology=text(5) * 61,  # truncated at 60 characters, then escaped
        payer_name=text(6),
    )
    return {
        "pk": index,
        "deliverable_id": delivery.pk,
        "deliverable": delivery,
        "max_delivery_date": today + datetime.timedelta(days=index),
        "technology_code": text(7),
        "quantity": Decimal("2.500"),
        "payer_code__code": text(8),
        "sede__code": text(9),
        "sede__name": text(10),
    }


def test_provider_rows_escape_every_text(request_):
    today = datetime.date(2025, 11, 20)
    rows = [tricky_row(index, today) for index in range(len(TRICKY))]
    pages = [
        provider.rows_html(request_, "program", rows, today=today),
        provider.rows_html(request_, "deliver", rows, today=today, annul_kind="programacion"),
    ]
    for html in pages:
        assert "O'Brien" not in html and "<Hijos>" not in html and "&amp;amp;" in html
        assert "a\0b" in html  # nothing in it to escape
        for row in rows:
            delivery = row["deliverable"]
            assert f">{markupsafe.escape(delivery.number)}</a>" in html
            document = (delivery.document_type, delivery.document_number)
            assert " ".join(markupsafe.escape(text) for text in document) in html
            assert markupsafe.escape(delivery.technology[:59]) + "…" in html
            assert f"<code>{markupsafe.escape(row['technology_code'])}</code>" in html
            hidden = f"{delivery.number} {delivery.line_key} {delivery.label}"
            assert f'<span class="visually-hidden"> {markupsafe.escape(hidden)}</span>' in html
    assert pages[1].count("?next=/suministro/x/por-programar/%3Fnumber%3D") == len(rows)


def test_payer_rows_escape_every_text(request_):
    rows = [
        ChainRow(
            pk=index,
            deliverable_id=index,
            number=text,
            line_key=text,
            delivery_label="1",
            patient_name=text,
            document_type=text,
            document_number=text,
            data={
                "status": 1,
                "max_delivery_date": datetime.date(2025, 1, 2),
                "provider_name": text,
                "quantity": Decimal("1.500"),
                "undelivered": None,
            },
            step="direccionado",
            light=("vencido", "Vencido", "text-bg-danger"),
        )
        for index, text in enumerate(TRICKY)
    ]
    html = payer_rows.pending_rows_html(request_, rows)
    assert "O'Brien" not in html and "<Hijos>" not in html
    for text in TRICKY:  # Jinja2 escapes as markupsafe does (' as &#39;)
        assert f">{markupsafe.escape(text)}</a>" in html
        assert f'<td class="small">{markupsafe.escape(text)}</td>' in html


@pytest.mark.django_db
def test_deliveries_read_as_the_orm_reads_them(world):
    patient = world["patient"]
    patient.middle_name = ""
    patient.save(update_fields=["middle_name"])
    steps = [
        *direct(world, "S1", deliveries=[plan(1, "30"), plan(2, "30", sub=3)]),
        *direct(world, "M1"),
    ]
    ids = [step.deliverable_id for step in steps]
    found = sel.deliveries(ids)
    assert [found[pk].label for pk in ids] == ["1", "2.3", "1"]
    line = world["lines"]["S1"]
    names = [patient.first_name, patient.first_surname, patient.second_surname]
    assert found[ids[1]] == sel.Delivery(
        pk=ids[1],
        label="2.3",
        number=world["prescription"].number,
        document_type=patient.document_type,
        document_number=patient.document_number,
        patient_name=" ".join(name for name in names if name),
        line_key="S1",
        technology=technology_label(line),
        payer_name=world["eps"].name,
    )
