"""The payer's worklists at scale: a page costs the same queries whatever its number of
rows, «Siguientes» walks every row once, and the rows are escaped."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prescriptions.enums import JuntaStatus
from prescriptions.models import TechnologyLine
from prescriptions.selectors.prescriptions import technology_label
from supply.services import (
    datos_facturados_create,
    facturacion_create,
    reporte_entrega_create,
    suministro_create,
)
from supply.views import payer as views

from ..prescriptions.conftest import medicine_line, service_line
from .conftest import direct, plan
from .test_chain import deliver, program
from .test_payer_views import issue, payer_catalog

pytestmark = pytest.mark.django_db

SECTIONS = ["suministro", "facturados", "suministros", "datos"]
PENDING = {"document_type": "CC", "document_number": "43000111"}


def url(name, world):
    return reverse(f"supply:{name}", args=[world["eps"].external_id])


def _lines(world):
    """The lines of a new prescription for the world's patient, S1 approved by the Junta."""
    prescription = issue(
        world, [medicine_line(payer_catalog(world)), service_line(payer_catalog(world))]
    )
    lines = {line.key: line for line in prescription.lines.all()}
    lines["S1"].junta_status = JuntaStatus.APROBADA
    lines["S1"].save(update_fields=["junta_status"])
    return lines


def _chains(world, count: int) -> None:
    """`count` deliveries reported and invoiced with no suministro (sections «suministro»
    and «facturados»), and `count` with their suministro and datos facturados («suministros»,
    «datos»), each of its own prescription; plus a pending one per prescription."""
    for with_records in (False, True):
        for _index in range(count):
            lines = _lines(world)
            [direccionamiento] = direct(world, "M1", line=lines["M1"])
            direct(world, "S1", deliveries=[plan(quantity="30")], line=lines["S1"])
            entrega = deliver(world, program(world, direccionamiento))
            reporte = reporte_entrega_create(
                actor=world["prov_admin"],
                entity=world["provider"],
                entrega=entrega,
                delivered=True,
                value=Decimal("1000"),
            )
            factura = facturacion_create(
                actor=world["prov_admin"],
                entity=world["provider"],
                reporte=reporte,
                invoice_number=f"FE-{reporte.pk}",
                units=Decimal("1"),
                unit_value=Decimal("1000"),
            )
            if with_records:
                suministro_create(
                    actor=world["eps_admin"],
                    entity=world["eps"],
                    deliverable=entrega.deliverable,
                    last_delivery=True,
                    complete=True,
                    quantity=Decimal("1"),
                    value=Decimal("1500"),
                )
                datos_facturados_create(
                    actor=world["eps_admin"],
                    entity=world["eps"],
                    facturacion=factura,
                    comparator=1,
                    comparator_code="19943546",
                    comparator_units=Decimal("30"),
                    comparator_total=Decimal("900"),
                    total_delivered=Decimal("1"),
                )


PAGES = [
    ("to_direct", {}),
    ("directed", {}),
    *(("payer_reports", {"seccion": section}) for section in SECTIONS),
    ("patient_pending", PENDING),
]


def _queries(client, name, world, params) -> tuple[int, int]:
    """(queries, rows) of a page."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url(name, world), params)
    assert response.status_code == 200
    context_rows = response.context["rows"] if name == "patient_pending" else None
    rows = context_rows if context_rows is not None else response.context["page"].rows
    return len(context.captured_queries), len(rows)


def test_every_worklist_costs_the_same_queries_whatever_its_rows(client, world):
    client.force_login(world["eps_admin"])
    _chains(world, 1)
    for name, params in PAGES:  # a connection's first request prepares the statements
        client.get(url(name, world), params)
    few = {(name, str(params)): _queries(client, name, world, params) for name, params in PAGES}
    _chains(world, 3)
    for name, params in PAGES:
        queries, rows = _queries(client, name, world, params)
        before_queries, before_rows = few[(name, str(params))]
        assert rows > before_rows >= 1, name
        assert queries == before_queries, (name, params)


def _walk(client, target, params) -> list[int]:
    """The pks of every row of a list, following «Siguientes» from the first page."""
    seen, query = [], dict(params)
    while True:
        response = client.get(target, query)
        page = response.context["page"]
        seen += [row.pk for row in page.rows]
        if page.next_after is None:
            return seen
        assert f"despues={page.next_after}" in response.content.decode()
        query = {**params, "despues": page.next_after}


@pytest.mark.parametrize(("name", "params"), PAGES[:-1])
def test_siguientes_walks_every_row_once(client, world, monkeypatch, name, params):
    client.force_login(world["eps_admin"])
    _chains(world, 3)
    target = url(name, world)
    monkeypatch.setattr(views, "PAGE_SIZE", 1000)
    everything = [row.pk for row in client.get(target, params).context["page"].rows]
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    assert len(everything) >= 3
    assert _walk(client, target, params) == everything


def test_rows_are_escaped(client, world):
    patient = world["patient"]
    patient.first_name = "<b>Ana</b>"
    patient.save(update_fields=["first_name"])
    direct(world, "M1")
    client.force_login(world["eps_admin"])
    for name, params in PAGES:
        content = client.get(url(name, world), params).content.decode()
        assert "<b>Ana</b>" not in content, name
    content = client.get(url("to_direct", world)).content.decode()
    assert "&lt;b&gt;Ana&lt;/b&gt;" in content


def test_a_line_without_description_is_named_from_its_catalog(client, world):
    """The form always writes a description; a transcription may leave it empty."""
    TechnologyLine.objects.filter(prescription=world["prescription"]).update(description="")
    client.force_login(world["eps_admin"])
    rows = client.get(url("to_direct", world)).context["page"].rows
    lines = TechnologyLine.objects.filter(prescription=world["prescription"])
    expected = {line.key: technology_label(line) for line in lines}
    assert {row.key: row.label for row in rows} == expected
    assert all(expected.values())


@pytest.mark.parametrize(("name", "field"), [("to_direct", "payer_code"), ("directed", "provider")])
def test_a_foreign_choice_is_refused_beside_its_field(client, world, name, field):
    """The selects offer the entity's own códigos EPS and network proveedores by pk."""
    direct(world, "M1")
    client.force_login(world["eps_admin"])
    response = client.get(url(name, world), {field: "999999"})
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="id_{field}" aria-invalid="true"' in content
    assert "Escoja una opción válida" in content
    assert response.context["page"].rows  # the invalid filter is left out


def _form(html: str) -> str:
    start = html.index('<form method="get"')
    return html[start : html.index("</form>", start)]


@pytest.mark.parametrize("name", ["to_direct", "directed"])
def test_the_unfiltered_form_is_the_form_and_follows_its_choices(client, world, name):
    """Without filters the form's HTML is written once per process
    (mipres.lib.filter_form.bound_filters): it is what the form writes, and a changed choice
    shows at once."""
    client.force_login(world["eps_admin"])
    unfiltered = _form(client.get(url(name, world)).content.decode())
    filtered = _form(client.get(url(name, world), {"document": "zq"}).content.decode())
    assert unfiltered == filtered.replace('value="zq"', 'value=""')
    code = world["code"]
    provider = world["provider"]
    code.code, provider.name = "EPZ999", "Droguería Renombrada"
    code.save(update_fields=["code"])
    provider.save(update_fields=["name"])
    again = _form(client.get(url(name, world)).content.decode())
    assert ("EPZ999" if name == "to_direct" else "Droguería Renombrada") in again
