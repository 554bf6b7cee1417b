"""The proveedor's and the dispensador's worklists page by position («Siguientes»,
`?despues=<pk>`) without counting the backlog: no row lost or repeated across pages, ties
on the ordering date broken by id, a constant number of queries, the filter errors beside
their field and the «Anular» links where the role allows them."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from entities.models import Entity, Membership
from mipres.lib.filter_form import filter_form_html
from prescriptions.models import ActiveIngredient
from prescriptions.selectors.prescriptions import technology_label
from prescriptions.services.prescribing import IngredientData, prescription_issue
from supply.forms.provider import WorklistFilterForm
from supply.models import Deliverable
from supply.selectors import provider as selectors
from supply.selectors.deadlines import deadline_light, light_code
from supply.services.provider import dispensador_sede_ids
from supply.views import provider as provider_views

from ..entities.factories import grant
from ..prescriptions.conftest import medicine_line
from .conftest import direct, plan
from .test_provider_views import chains, deliver, deliveries, login, program, report, url

pytestmark = pytest.mark.django_db

# (worklist, the stage its rows are at, who reads it)
WORKLISTS = [
    ("to_program", "direccionamiento", "prov_admin"),
    ("to_report", "entrega", "prov_admin"),
    ("to_invoice", "reporte", "prov_admin"),
    ("to_deliver", "programacion", "dispensador"),
]


@pytest.fixture
def page_size(monkeypatch):
    # Every proveedor and dispensador worklist pages through provider.worklist_response.
    monkeypatch.setattr(provider_views, "PAGE_SIZE", 2)


def carry(world, direccionamientos: list, *, upto: str) -> list:
    """Carry `direccionamientos` to the step `upto`, as `chains` does."""
    steps = direccionamientos
    stages = ["direccionamiento", "programacion", "entrega", "reporte"]
    for make in (program, deliver, report)[: stages.index(upto)]:
        steps = [make(world, step) for step in steps]
    return steps


def tied_chains(world, *, upto: str) -> list:
    """`chains`, but the three deliveries share their FecMaxEnt (ties broken by id)."""
    deliveries = [plan(1, "30", days=10), plan(2, "30", days=10), plan(3, "30", days=10)]
    return carry(world, direct(world, "S1", deliveries=deliveries), upto=upto)


def next_link(response) -> str | None:
    found = re.search(r'href="\?([^"]*despues=\d+[^"]*)" rel="next"', response.content.decode())
    return found and found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(("name", "upto", "user"), WORKLISTS)
def test_siguientes_shows_the_next_rows_none_lost_or_repeated(
    client, world, page_size, name, upto, user
):
    tied_chains(world, upto=upto)
    login(client, world[user])
    page = url(name, world["provider"])
    first = client.get(page)
    assert deliveries(first) == ["1", "2"]
    assert first.context["page"].first
    assert "Primera página" not in first.content.decode()
    query = next_link(first)
    assert query
    second = client.get(f"{page}?{query}")
    assert deliveries(second) == ["3"]
    assert not second.context["page"].next_after
    content = second.content.decode()
    assert "Primera página" in content and 'rel="next"' not in content
    # The boundary is a row of this entity: a foreign or unknown pk starts from the top.
    assert deliveries(client.get(page, {"despues": "999999999"})) == ["1", "2"]
    assert deliveries(client.get(page, {"despues": "abc"})) == ["1", "2"]


def test_siguientes_keeps_the_filters(client, world, page_size):
    chains(world, upto="direccionamiento")
    direct(world, "M1", deliveries=[plan(1, "2", days=50)])
    login(client, world["prov_admin"])
    page = url("to_program", world["provider"])
    first = client.get(page, {"technology_type": "S"})
    query = next_link(first)
    assert "technology_type=S" in query
    assert deliveries(client.get(f"{page}?{query}")) == ["3"]
    # The exports leave the page out and keep the filters.
    content = first.content.decode()
    assert "?technology_type=S&amp;formato=csv" in content


@pytest.mark.parametrize(("name", "upto", "user"), WORKLISTS)
def test_query_count_is_constant(client, world, name, upto, user):
    carry(world, direct(world, "M1", deliveries=[plan(1, "2", days=3)]), upto=upto)
    login(client, world[user])
    page = url(name, world["provider"])
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(page).context["page"].rows) == 1
    chains(world, upto=upto)
    with CaptureQueriesContext(connection) as several:
        assert len(client.get(page).context["page"].rows) == 4
    assert len(several.captured_queries) == len(one.captured_queries)


def test_psycopg_prepares_a_worklist_statement_it_runs_often(client, world):
    """No private PREPARE layer: psycopg prepares the page's statement itself once it has run
    `prepare_threshold` times on the connection (settings), and the page keeps its queries."""
    carry(world, direct(world, "M1", deliveries=[plan(1, "2", days=3)]), upto="direccionamiento")
    login(client, world["prov_admin"])
    page = url("to_program", world["provider"])
    counts = []
    for _ in range(7):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(page).context["page"].rows) == 1
        counts.append(len(queries.captured_queries))
    assert len(set(counts)) == 1
    with connection.cursor() as cursor:
        for table in ("supply_direccionamiento", "supply_deliverable_row"):
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                [f'%FROM "{table}"%'],
            )
            assert cursor.fetchone()[0] >= 1, table


def test_an_invalid_filter_is_shown_beside_its_field(client, world):
    chains(world, upto="direccionamiento")
    login(client, world["prov_admin"])
    response = client.get(
        url("to_program", world["provider"]), {"payer": "nadie", "date_from": "ayer"}
    )
    content = response.content.decode()
    assert 'id="id_payer" aria-invalid="true"' in content
    assert "Elija un pagador de la lista." in content
    assert 'id="id_date_from" aria-invalid="true"' in content
    # The valid filters still apply; the invalid ones are left out.
    assert deliveries(response) == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("name", "upto", "user", "kind"),
    [
        ("to_report", "entrega", "prov_admin", "entrega"),
        ("to_invoice", "reporte", "prov_admin", "reporte"),
        ("to_deliver", "programacion", "dispensador", "programacion"),
    ],
)
def test_anular_links_come_back_to_the_page(client, world, name, upto, user, kind):
    """«Anular» where the roles allow it: a programación is annulled by who programs."""
    steps = chains(world, upto=upto)
    grant(world["dispensador"], world["provider"], "administrativo")
    login(client, world[user])
    page = url(name, world["provider"])
    content = client.get(page, {"number": world["prescription"].number}).content.decode()
    annul = url("annul", world["provider"], kind, steps[0].pk)
    assert f'href="{annul}?next={page}%3Fnumber%3D{world["prescription"].number}"' in content


def test_anular_only_where_the_role_allows_it(client, world):
    chains(world, upto="programacion")
    direct(world, "M1")
    login(client, world["prov_admin"])
    assert "Anular" not in client.get(url("to_program", world["provider"])).content.decode()
    login(client, world["dispensador"])
    assert "Anular" not in client.get(url("to_deliver", world["provider"])).content.decode()


# The keyset pages and the ORM's list (which the exports read) --------------------------------


def pages(world, name, **params) -> tuple:
    """The rows of the page of `name` with `params` (without their deliveries) and the pk it
    goes on after, through the keyset page and through the ORM's list sliced by hand."""
    page = getattr(selectors, f"{name}_page")
    scope = {"entity": world["provider"], "today": datetime.date.today()}
    if name == "to_deliver":
        scope["sede_ids"] = params.pop("sede_ids", None)
    after = params.pop("after", None)
    filters = selectors.WorklistFilters(**params)
    keyset = page(**scope, filters=filters, after=after, size=2)
    statement = getattr(selectors, name.upper())
    queryset = getattr(selectors, f"{name}_list")(**scope, filters=filters)
    key = statement.order
    if after is not None:
        value = queryset.model.objects.get(pk=after).serializable_value(key)
        queryset = queryset.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": after}))
    orm = list(queryset.values(*statement.columns).order_by(key, "pk")[:3])
    rows = [{k: v for k, v in row.items() if k != "deliverable"} for row in keyset.rows]
    return (rows, keyset.next_after), (orm[:2], orm[1]["pk"] if len(orm) > 2 else None)


@pytest.mark.parametrize(("name", "upto", "user"), WORKLISTS)
def test_the_keyset_pages_are_the_orm_lists(world, name, upto, user):
    tied_chains(world, upto=upto)
    carry(world, direct(world, "M1", deliveries=[plan(1, "2", days=40)]), upto=upto)
    today = datetime.date.today()
    number = world["prescription"].number
    cases = [
        {},
        {"date_from": today, "date_to": today + datetime.timedelta(days=10)},
        {"payer": world["eps"].pk},
        {"technology_type": "M"},
        {"number": number},
        {"number": world["patient"].document_number},
        {"number": "99999999"},
    ]
    if name in ("to_program", "to_deliver"):
        cases += [{"light": code} for code in selectors.LIGHT_DAYS]
    if name == "to_deliver":
        cases += [{"sede_ids": {world["sede"].pk}}, {"sede_ids": {world["sede2"].pk}}]
    for params in cases:
        first = pages(world, name, **dict(params))
        assert first[0] == first[1], params
        if first[0][1]:
            second = pages(world, name, **params, after=first[0][1])
            assert second[0] == second[1], params


def test_the_technology_is_technology_labels(world, catalog):
    """A medicine without description is named by its ingredients and concentrations (SQL
    `trim_scale`, Python `normalize`); the others by their description or catalog."""
    other = ActiveIngredient.objects.create(code="00999", name="OTRO", source="starter")
    ingredients = [
        IngredientData(catalog["dci"], Decimal("850.5000"), catalog["mg"]),
        IngredientData(other, Decimal("1000"), catalog["mg"]),
    ]
    prescription = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog, fields={"description": ""}, ingredients=ingredients)],
    )
    line = prescription.lines.get()
    world["lines"]["M1b"] = line
    direct(world, "M1b")
    chains(world, upto="direccionamiento")
    direct(world, "P1", technology_code="890201")
    ids = list(Deliverable.objects.values_list("pk", flat=True))
    found = selectors.deliveries(ids)
    labels = {delivery.line_key: delivery.technology for delivery in found.values()}
    assert labels["M1"] == technology_label(line) == "METFORMINA 850.5 + OTRO 1000"
    assert labels["S1"] == technology_label(world["lines"]["S1"])
    assert labels["P1"] == technology_label(world["lines"]["P1"])


def test_the_light_codes_are_deadline_lights():
    today = datetime.date(2026, 3, 1)
    for days in range(-3, 45):
        date = today + datetime.timedelta(days=days)
        assert light_code(date, today) == deadline_light(date, today)[0], days


def test_dispensador_sedes_answers_as_the_service(world):
    user, provider = world["dispensador"], world["provider"]
    assert selectors.dispensador_sedes(user=user, entity=provider) is None
    assert dispensador_sede_ids(user, provider) is None
    membership = Membership.objects.get(user=user, entity=provider)
    membership.sedes.add(world["sede2"])
    assert selectors.dispensador_sedes(user=user, entity=provider) == {world["sede2"].pk}
    assert dispensador_sede_ids(user, provider) == {world["sede2"].pk}
    assert selectors.dispensador_sedes(user=world["prov_admin"], entity=provider) is None


def test_the_unfiltered_form_is_the_form(rf, world):
    """Without filters the form's HTML is written once per process (per language, fields
    and payers): the same as the form's, and a payer renamed shows."""
    request = rf.get("/")
    request.entity = world["provider"]
    _filters, html = provider_views.worklist_filters(request, with_light=True, date_label="Fecha")
    payers = selectors.worklist_payers(entity=world["provider"])
    form = WorklistFilterForm({}, payers=payers, with_light=True, date_label="Fecha")
    assert html == filter_form_html(form, form.LAYOUT, submit="Filtrar")
    assert world["eps"].name in html
    Entity.objects.filter(pk=world["eps"].pk).update(name="EPS Renombrada")
    _filters, html = provider_views.worklist_filters(request, with_light=True, date_label="Fecha")
    assert "EPS Renombrada" in html
