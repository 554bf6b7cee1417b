"""Consultas (issue 4, item 10): the three scoped lists with their filters, CSV and a constant
number of queries; the detail page and who may see it."""

import csv
import datetime
from io import StringIO

import pytest
from django.utils import timezone

from prescriptions.models import JuntaDecision, Novelty, Prescription, UnirsIndication
from prescriptions.services.prescribing import prescription_issue

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, PayerCodeFactory, grant
from .conftest import medicine_line
from .test_prescription_views import issue, rethus_medico, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(prescribing, catalog):
    """Two médicos of the IPS, another IPS prescribing for the same EPS's patient, and the
    staff who look: Admisión of the IPS, Administrativo of the EPS and of another EPS."""
    ips, eps = prescribing["ips"], prescribing["eps"]
    colleague = rethus_medico(ips)
    other_ips = EntityFactory(entity_type="IPS")
    stranger = rethus_medico(other_ips)
    admision, eps_admin, other_admin = UserFactory(), UserFactory(), UserFactory()
    grant(admision, ips, "admision")
    grant(eps_admin, eps, "administrativo")
    other_eps = EntityFactory(entity_type="EPS")
    PayerCodeFactory(entity=other_eps, code="EPT900")
    grant(other_admin, other_eps, "administrativo")
    return {
        **prescribing,
        "colleague": colleague,
        "other_ips": other_ips,
        "other_eps": other_eps,
        "mine": issue(prescribing, catalog),
        "colleagues": issue(prescribing, catalog, actor=colleague),
        "elsewhere": issue(prescribing, catalog, actor=stranger, entity=other_ips),
        "admision": admision,
        "eps_admin": eps_admin,
        "other_admin": other_admin,
    }


def _numbers(response) -> set[str]:
    return {p.number for p in response.context["page"].rows}


# Scope ----------------------------------------------------------------------------------


def test_mis_prescripciones_lists_only_mine_in_this_entity(client, world):
    client.force_login(world["medico"])
    response = client.get(url("prescription_list_own", world["ips"]))
    assert response.status_code == 200
    assert _numbers(response) == {world["mine"].number}


def test_the_entitys_list_holds_every_prescription_of_the_ips(client, world):
    client.force_login(world["admision"])
    response = client.get(url("prescription_list_entity", world["ips"]))
    assert _numbers(response) == {world["mine"].number, world["colleagues"].number}


def test_the_payers_list_holds_what_it_pays_from_every_ips(client, world):
    client.force_login(world["eps_admin"])
    response = client.get(url("prescription_list_payer", world["eps"]))
    expected = {world[k].number for k in ("mine", "colleagues", "elsewhere")}
    assert _numbers(response) == expected
    client.force_login(world["other_admin"])
    assert _numbers(client.get(url("prescription_list_payer", world["other_eps"]))) == set()


@pytest.mark.parametrize(
    ("name", "allowed", "refused"),
    [
        ("prescription_list_own", "medico", "admision"),
        ("prescription_list_entity", "admision", "medico"),
    ],
)
def test_each_list_needs_its_permission(client, world, name, allowed, refused):
    target = url(name, world["ips"])
    assert client.get(target).status_code == 302
    client.force_login(world[allowed])
    assert client.get(target).status_code == 200
    client.force_login(world[refused])
    assert client.get(target).status_code == 403
    client.force_login(world["other_admin"])
    assert client.get(target).status_code == 404


def test_the_payers_list_is_403_for_an_ips_and_404_for_an_outsider(client, world):
    client.force_login(world["admision"])
    assert client.get(url("prescription_list_payer", world["ips"])).status_code == 403
    assert client.get(url("prescription_list_payer", world["eps"])).status_code == 404


# Filters, pages, CSV --------------------------------------------------------------------


def test_search_by_exact_number_and_by_patient_document(client, world, catalog):
    client.force_login(world["admision"])
    target = url("prescription_list_entity", world["ips"])
    number = world["colleagues"].number
    assert _numbers(client.get(target, {"number": number})) == {number}
    assert _numbers(client.get(target, {"number": number[:-1] + "9"})) == set()
    response = client.get(target, {"number": "123"})
    error = '<div id="id_number_error" class="invalid-feedback"><span><strong>El número tiene'
    assert f"{error} 20 dígitos." in response.content.decode()
    assert len(_numbers(client.get(target, {"document": "43.000.111"}))) == 2
    assert _numbers(client.get(target, {"document": "1"})) == set()


def test_filters_by_dates_state_and_technology_type(client, world, catalog):
    mine, colleagues = world["mine"], world["colleagues"]
    Prescription.objects.filter(pk=mine.pk).update(
        prescribed_at=timezone.now() - datetime.timedelta(days=40), status=2
    )
    only_medicine = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog)],
    )
    client.force_login(world["admision"])
    target = url("prescription_list_entity", world["ips"])
    today = timezone.localdate()
    recent = {colleagues.number, only_medicine.number}
    assert _numbers(client.get(target, {"date_from": today.isoformat()})) == recent
    old = (today - datetime.timedelta(days=40)).isoformat()
    assert _numbers(client.get(target, {"date_from": old, "date_to": old})) == {mine.number}
    assert _numbers(client.get(target, {"status": "2"})) == {mine.number}
    assert _numbers(client.get(target, {"status": "4"})) == recent
    assert _numbers(client.get(target, {"technology_type": "S"})) == {
        mine.number,
        colleagues.number,
    }
    assert _numbers(client.get(target, {"technology_type": "N"})) == set()


def test_lists_show_25_per_page_newest_first_with_links_to_older_and_newer(
    client, prescribing, catalog
):
    issued = [issue(prescribing, catalog) for _ in range(27)]
    # Two share a timestamp: the id breaks the tie, so no row is skipped or repeated.
    Prescription.objects.filter(pk__in=[p.pk for p in issued[1:3]]).update(
        prescribed_at=issued[1].prescribed_at
    )
    newest_first = list(
        Prescription.objects.order_by("-prescribed_at", "-id").values_list("number", flat=True)
    )
    client.force_login(prescribing["medico"])
    target = url("prescription_list_own", prescribing["ips"])
    first = client.get(target)
    page = first.context["page"]
    assert [row.number for row in page.rows] == newest_first[:25]
    assert page.previous_before is None
    text = first.content.decode()
    assert f"?despues={page.next_after}" in text and "Siguientes" in text
    assert "Anteriores" not in text

    second = client.get(target, {"despues": str(page.next_after)})
    page = second.context["page"]
    assert [row.number for row in page.rows] == newest_first[25:]
    assert page.next_after is None
    assert "Siguientes" not in second.content.decode()

    back = client.get(target, {"antes": str(page.previous_before)}).context["page"]
    assert [row.number for row in back.rows] == newest_first[:25]
    assert back.previous_before is None and back.next_after is not None


def test_page_links_keep_the_filters_and_ignore_a_foreign_or_broken_start(client, world, catalog):
    for _ in range(26):
        issue(world, catalog)
    client.force_login(world["admision"])
    target = url("prescription_list_entity", world["ips"])
    page = client.get(target, {"technology_type": "M"}).context["page"]
    response = client.get(target, {"technology_type": "M", "despues": str(page.next_after)})
    assert "technology_type=M&amp;antes=" in response.content.decode()
    assert len(response.context["page"].rows) == 3  # 28 with a medicine, 25 + 3
    # Another entity's prescription, or something that is no id, starts from the newest.
    for start in (str(world["elsewhere"].external_id), "x"):
        assert client.get(target, {"despues": start}).context["page"].previous_before is None


def test_the_csv_exports_every_match_not_one_page(client, world, catalog):
    for _ in range(30):
        issue(world, catalog)
    client.force_login(world["admision"])
    page = client.get(url("prescription_list_entity", world["ips"])).context["page"]
    response = client.get(
        url("prescription_list_entity_csv", world["ips"]), {"despues": str(page.next_after)}
    )
    numbers = {row.split(";")[0] for row in response.content.decode().splitlines()[1:]}
    assert len(numbers) == 32  # mine, the colleague's and these 30


def test_the_csv_has_one_row_per_line_of_the_filtered_list(client, world):
    client.force_login(world["admision"])
    number = world["mine"].number
    response = client.get(url("prescription_list_entity_csv", world["ips"]), {"number": number})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Número de prescripción"
    body = rows[1:]
    assert len(body) == 3
    assert {row[0] for row in body} == {number}
    assert [row[13] for row in body] == ["M1", "P1", "S1"]
    assert body[2][14] == "Pañales"
    assert body[2][16] == "Requiere junta de profesionales y pendiente evaluación"


def test_the_csv_needs_the_lists_permission(client, world):
    client.force_login(world["medico"])
    assert client.get(url("prescription_list_entity_csv", world["ips"])).status_code == 403
    response = client.get(url("prescription_list_own_csv", world["ips"]))
    assert response.content.decode().count(world["mine"].number) == 3


def test_a_line_without_description_is_named_by_its_catalog_row_or_ingredients(
    client, world, django_assert_max_num_queries
):
    world["mine"].lines.update(description="")  # as a transcription may leave it
    client.force_login(world["medico"])
    with django_assert_max_num_queries(12):
        response = client.get(url("prescription_list_own", world["ips"]))
    labels = {line.key: line.label for line in response.context["page"].rows[0].lines}
    assert labels == {
        "M1": "METFORMINA 850",
        "P1": "Consulta de primera vez por medicina general",
        "S1": "Pañales",
    }


def test_a_row_names_the_payer_with_its_code_or_for_the_payer_the_ips(client, world):
    """The rows of the view prescriptions_consulta_row: patient, professional (not in «Mis
    prescripciones»), the payer and its código EPS, or for the payer the IPS; a medicine
    with neither description nor ingredients is named by its type."""
    mine = world["mine"]
    medicine = mine.lines.get(technology_type="M")
    medicine.ingredients.all().delete()
    medicine.description = ""
    medicine.save(update_fields=["description"])
    client.force_login(world["admision"])
    text = client.get(url("prescription_list_entity", world["ips"])).content.decode()
    row = text[text.index(mine.number) :].split("</tr>")[0]
    assert "Rosa Arango" in row
    assert mine.prescriber.get_full_name() in row
    assert f"{world['eps'].name} <code>EPT001</code>" in row
    assert "<code>E119</code>" in row
    assert "M1</span> Medicamento <span" in row
    assert world["ips"].name not in row
    client.force_login(world["eps_admin"])
    text = client.get(url("prescription_list_payer", world["eps"])).content.decode()
    row = text[text.index(mine.number) :].split("</tr>")[0]
    assert f'<td class="small">{world["ips"].name}</td>' in row
    assert "EPT001" not in row


# Query counts ---------------------------------------------------------------------------


def _count_queries(client, target, django_assert_max_num_queries, limit=12) -> int:
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(target)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("name", "who", "entity"),
    [
        ("prescription_list_own", "medico", "ips"),
        ("prescription_list_entity", "admision", "ips"),
        ("prescription_list_payer", "eps_admin", "eps"),
    ],
)
def test_a_list_costs_the_same_queries_for_1_or_30_prescriptions_of_3_lines(
    client, world, catalog, django_assert_max_num_queries, name, who, entity
):
    client.force_login(world[who])
    target = url(name, world[entity])
    few = _count_queries(client, target, django_assert_max_num_queries)
    for _ in range(30):
        issue(world, catalog)
    many = _count_queries(client, target, django_assert_max_num_queries)
    assert len(client.get(target).context["page"].rows) == 25
    assert many == few


def test_the_csv_costs_the_same_queries_whatever_the_rows(
    client, world, catalog, django_assert_max_num_queries
):
    client.force_login(world["admision"])
    target = url("prescription_list_entity_csv", world["ips"])
    few = _count_queries(client, target, django_assert_max_num_queries)
    for _ in range(30):
        issue(world, catalog)
    assert _count_queries(client, target, django_assert_max_num_queries) == few


# Detail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "entity", "status"),
    [
        ("medico", "ips", 200),  # his own
        ("colleague", "ips", 404),  # a colleague's is not his
        ("admision", "ips", 200),  # the IPS's
        ("eps_admin", "eps", 200),  # the payer's
        ("other_admin", "other_eps", 404),  # another payer
        ("other_admin", "eps", 404),  # no role in that EPS
    ],
)
def test_who_sees_the_detail(client, world, who, entity, status):
    client.force_login(world[who])
    target = url("prescription_detail", world[entity], world["mine"].external_id)
    assert client.get(target).status_code == status


def test_another_entitys_prescription_is_404_even_for_its_staff_elsewhere(client, world):
    client.force_login(world["admision"])
    target = url("prescription_detail", world["ips"], world["elsewhere"].external_id)
    assert client.get(target).status_code == 404


def test_the_detail_needs_login_and_a_role_that_sees_prescriptions(client, world):
    target = url("prescription_detail", world["ips"], world["mine"].external_id)
    assert client.get(target).status_code == 302
    dispensador = UserFactory()
    grant(dispensador, world["ips"], "dispensador")
    client.force_login(dispensador)
    assert client.get(target).status_code == 403


def test_the_detail_shows_lines_junta_decisions_novedades_and_history(
    client, world, django_assert_max_num_queries
):
    prescription = world["mine"]
    service = prescription.lines.get(technology_type="S")
    JuntaDecision.objects.create(
        line=service,
        entity=world["ips"],
        decided_by=world["admision"],
        result=3,
        modality=2,
        act_number="ACTA-77",
        act_date=timezone.localdate(),
        technical_justification="Cumple criterios.",
    )
    Novelty.objects.create(
        novelty_type=2,
        prescription=prescription,
        original_number=prescription.number,
        actor=world["admision"],
        reason="Error de digitación",
    )
    client.force_login(world["admision"])
    # The header, the lines, what goes under them (ingredients, UNIRS indications and junta
    # decisions: one query of the view prescriptions_line_item), the novedades and the
    # history (selectors.detail); the supply section adds three.
    with django_assert_max_num_queries(12):
        response = client.get(url("prescription_detail", world["ips"], prescription.external_id))
    text = response.content.decode()
    for expected in (
        prescription.number,
        "Descargar PDF",
        "Rosa Arango",
        world["eps"].name,
        "EPT001",
        "E119",
        "METFORMINA 850 mg",
        "850 mg cada 12 hora(s) durante 30 día(s)",
        "890201",
        "Pañales",
        "Requiere junta de profesionales y pendiente evaluación",
        "ACTA-77",
        "Cumple criterios.",
        "Anulación",
        "Error de digitación",
        "Prescripción expedida.",
    ):
        assert expected in text, expected
    assert "Renovar" not in text  # Admisión does not prescribe


def test_the_detail_costs_the_same_queries_for_1_or_3_lines(
    client, world, catalog, django_assert_max_num_queries
):
    one_line = prescription_issue(
        actor=world["medico"],
        entity=world["ips"],
        patient=world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog)],
    )
    three_lines = world["mine"]  # a medicine, a procedure and a service, decided and changed
    JuntaDecision.objects.create(
        line=three_lines.lines.get(technology_type="S"),
        entity=world["ips"],
        decided_by=world["admision"],
        result=3,
        modality=2,
        act_number="ACTA-78",
        act_date=timezone.localdate(),
        technical_justification="Cumple criterios.",
    )
    Novelty.objects.create(
        novelty_type=2,
        prescription=three_lines,
        original_number=three_lines.number,
        actor=world["admision"],
        reason="Error de digitación",
    )
    client.force_login(world["medico"])
    counts = [
        _count_queries(
            client,
            url("prescription_detail", world["ips"], prescription.external_id),
            django_assert_max_num_queries,
            limit=12,
        )
        for prescription in (one_line, three_lines)
    ]
    assert counts[0] == counts[1]


def test_the_detail_shows_under_each_line_its_ingredients_indications_and_decisions(
    client, world, catalog
):
    """The rows of the view prescriptions_line_item land under their own line: a medicine
    without description named by its ingredients, its UNIRS indications in the catalog's
    numeric order (3 before 12), a decision with the deciding entity's name."""
    prescription = world["mine"]
    medicine = prescription.lines.get(technology_type="M")
    medicine.description = ""
    medicine.save(update_fields=["description"])
    twelve = UnirsIndication.objects.create(code="12", name="Uso doce. " + "x" * 400)
    three = UnirsIndication.objects.create(code="3", name="Enfermedad injerto contra huésped.")
    medicine.unirs_indications.add(twelve, three)
    JuntaDecision.objects.create(
        line=prescription.lines.get(technology_type="P"),
        entity=world["ips"],
        decided_by=world["admision"],
        result=4,
        modality=2,
        act_number="ACTA-90",
        act_date=datetime.date(2026, 3, 1),
        technical_justification="No cumple.",
    )
    client.force_login(world["admision"])
    response = client.get(url("prescription_detail", world["ips"], prescription.external_id))
    text = response.content.decode()
    card = text[text.index('id="linea-M1"') : text.index('id="linea-P1"')]
    assert "<strong>METFORMINA 850</strong>" in card
    assert f"{catalog['dci'].code} METFORMINA 850 mg" in card
    assert card.index("3: Enfermedad injerto") < card.index("12: Uso doce.")
    assert "x" * 300 not in card  # an indication's long text is shortened
    # Its catalog rows as «code – name» (prescriptions_line_detail), its presentation unit.
    for entry in (catalog["tablet"], catalog["oral"]):
        assert f'<dd class="col-sm-9">{entry.code} – {entry.name}</dd>' in card
    assert f"2 {catalog['caja'].name}</dd>" in card
    procedure = prescription.lines.get(technology_type="P").procedure
    assert f"{procedure.code} – {procedure.name}" in text
    decisions = text[text.index("Decisiones de la junta") : text.index("Novedades")]
    assert "<td>P1</td>" in decisions
    assert "ACTA-90 (2026-03-01)" in decisions
    assert f"<td>{world['ips'].name}</td>" in decisions


def test_the_prescriber_may_renew_from_the_detail(client, world):
    client.force_login(world["medico"])
    prescription = world["mine"]
    response = client.get(url("prescription_detail", world["ips"], prescription.external_id))
    assert url("prescription_renew", world["ips"], prescription.external_id) in (
        response.content.decode()
    )


def test_the_payer_does_not_see_the_prescribers_address_in_the_history(client, world):
    from entities.audit import log
    from mipres.lib.request_context import client_ip

    token = client_ip.set("203.0.113.9")
    try:
        log(
            actor=world["medico"],
            action="prescriptions.tests.seen",
            entity=world["ips"],
            target=world["mine"],
        )
    finally:
        client_ip.reset(token)
    client.force_login(world["eps_admin"])
    text = client.get(
        url("prescription_detail", world["eps"], world["mine"].external_id)
    ).content.decode()
    assert "prescriptions.tests.seen" in text
    assert "203.0.113.9" not in text
