"""The prescription form, renewal, the patient panel and the catalog search (issue 4, items
3–4): access rules, a prescription of three types, every refusal beside its field with
nothing saved, and the buttons that work without JavaScript."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from entities.models import Membership
from mipres.lib.errors import DomainError
from prescriptions import models as m
from prescriptions.models import Prescription, TechnologyLine
from prescriptions.services.prescribing import LineData, prescription_issue

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, PayerCodeFactory, SedeFactory, grant
from .conftest import medicine_line, service_line

pytestmark = pytest.mark.django_db

MEDICINE = {
    "technology_type": "M",
    "supply_type": "1",
    "medicine_type": "1",
    "ingredient_1": "00123",
    "concentration_1": "850",
    "concentration_unit_1": "0168",
    "pharmaceutical_form": "C42998",
    "route": "048",
    "dose": "850",
    "dose_unit": "0168",
    "frequency_every": "12",
    "frequency_unit": "2",
    "special_indication": "10",
    "duration_amount": "30",
    "duration_unit": "3",
    "total_quantity": "2",
    "presentation_unit": "11",
    "justification": "Control glucémico insuficiente con dieta.",
}
PROCEDURE = {
    "technology_type": "P",
    "supply_type": "1",
    "procedure": "890201",
    "quantity_per_use": "1",
    "frequency_every": "1",
    "frequency_unit": "8",
    "duration_amount": "1",
    "duration_unit": "3",
    "total_quantity": "1",
    "justification": "Valoración inicial.",
}
SERVICE = {
    "technology_type": "S",
    "supply_type": "2",
    "complementary_service": "139",
    "quantity_per_use": "3",
    "frequency_every": "1",
    "frequency_unit": "3",
    "duration_amount": "30",
    "duration_unit": "3",
    "total_quantity": "90",
    "justification": "Incontinencia urinaria.",
}
NUTRITION = {
    "technology_type": "N",
    "supply_type": "1",
    "nutritional_type": "1201",
    "nutritional_form": "",
    "nutritional_route": "1",
    "dose": "1",
    "dose_unit": "0168",
    "frequency_every": "8",
    "frequency_unit": "2",
    "duration_amount": "30",
    "duration_unit": "3",
    "total_quantity": "10",
    "presentation_unit": "11",
    "justification": "Desnutrición proteico-calórica.",
}


# Helpers shared with test_consultas.py and test_pdf.py ------------------------------------


def url(name, entity, *args):
    return reverse(f"prescriptions:{name}", args=[entity.external_id, *args])


def form_data(world, lines, **header) -> dict:
    """What the form posts: the header, then each line's fields under lines-<i>-."""
    data = {
        "document_type": world["patient"].document_type,
        "document_number": world["patient"].document_number,
        "care_setting": "12",
        "diagnosis": "E119",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    data.update(header)
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    return data


def procedure_line(catalog) -> LineData:
    return LineData(
        technology_type="P",
        supply_type=1,
        justification="Valoración inicial.",
        total_quantity=Decimal(1),
        fields={
            "procedure": catalog["cups"],
            "quantity_per_use": Decimal(1),
            "frequency_unit": 8,  # única
            "duration_amount": 1,
            "duration_unit": 3,
            "description": catalog["cups"].name,
        },
    )


def issue(world, catalog, *, actor=None, entity=None, patient=None) -> Prescription:
    """A prescription of a medicine, a procedure and a complementary service."""
    return prescription_issue(
        actor=actor or world["medico"],
        entity=entity or world["ips"],
        patient=patient or world["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[medicine_line(catalog), procedure_line(catalog), service_line(catalog)],
    )


def rethus_medico(entity):
    """Another médico, Prescriptor of `entity`, active in RETHUS."""
    from .conftest import rethus_record

    user = UserFactory()
    grant(user, entity, "prescriptor")
    rethus_record(user, "medicina")
    return user


@pytest.fixture
def nutritional_form(catalog):
    return m.NutritionalForm.objects.create(code="1", name="POLVO", source="starter")


# Access ---------------------------------------------------------------------------------


def test_the_form_requires_login(client, prescribing):
    response = client.get(url("prescription_create", prescribing["ips"]))
    assert response.status_code == 302 and "/ingresar/" in response["Location"]


def test_an_outsider_gets_404(client, prescribing, outsider):
    client.force_login(outsider)
    assert client.get(url("prescription_create", prescribing["ips"])).status_code == 404


def test_a_member_without_a_prescribing_role_gets_403(client, prescribing):
    dispensador = UserFactory()
    grant(dispensador, prescribing["ips"], "dispensador")
    client.force_login(dispensador)
    assert client.get(url("prescription_create", prescribing["ips"])).status_code == 403
    assert client.post(url("prescription_create", prescribing["ips"]), {}).status_code == 403


def test_the_form_offers_only_the_types_the_user_may_prescribe(client, prescribing, catalog):
    client.force_login(prescribing["nutri"])
    response = client.get(url("prescription_create", prescribing["ips"]))
    assert response.status_code == 200
    assert [b["type"] for b in response.context["type_buttons"]] == ["N"]
    assert [f.TYPE for f in response.context["template_forms"]] == ["N"]
    assert response.context["lines"].forms[0].TYPE == "N"  # opens with one nutrition line
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_create", prescribing["ips"]))
    assert [b["type"] for b in response.context["type_buttons"]] == list("MPDNS")
    assert b'id="line-template-S"' in response.content
    # The payer is never a field of the form.
    assert b'name="payer' not in response.content


def test_a_fresh_form_opens_with_the_types_empty_row_at_index_0(client, prescribing, catalog):
    client.force_login(prescribing["medico"])
    for _ in range(2):  # rendered, then from the cache
        response = client.get(url("prescription_create", prescribing["ips"]))
        first = response.context["first_line"]
        assert first == response.context["line_rows"]["M"].replace("__prefix__", "0")
        assert 'name="lines-0-technology_type"' in first
        assert first in response.content.decode()  # as markup, not escaped


# Issuing --------------------------------------------------------------------------------


def test_a_medicine_a_procedure_and_a_service_get_a_number(client, prescribing, catalog):
    client.force_login(prescribing["medico"])
    data = form_data(prescribing, [MEDICINE, PROCEDURE, SERVICE])
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    prescription = Prescription.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(
        "prescription_detail", prescribing["ips"], prescription.external_id
    )
    lines = {line.key: line for line in prescription.lines.all()}
    assert set(lines) == {"M1", "P1", "S1"}
    assert lines["S1"].junta_status == 2
    assert lines["M1"].junta_status == lines["P1"].junta_status == 1
    assert lines["M1"].ingredients.get().ingredient == catalog["dci"]
    assert lines["M1"].description == "METFORMINA 850 mg TABLETA"
    assert prescription.payer == prescribing["eps"]
    page = client.get(response["Location"])
    assert prescription.number in page.content.decode()
    assert "Descargar PDF" in page.content.decode()


def test_a_posted_payer_is_ignored_the_affiliation_pays(client, prescribing, catalog):
    other_eps = EntityFactory(entity_type="EPS")
    other_code = PayerCodeFactory(entity=other_eps)
    client.force_login(prescribing["medico"])
    data = form_data(
        prescribing,
        [MEDICINE],
        payer=str(other_eps.external_id),
        payer_code=other_code.code,
        payer_id=str(other_eps.pk),
    )
    client.post(url("prescription_create", prescribing["ips"]), data)
    prescription = Prescription.objects.get()
    assert prescription.payer == prescribing["eps"]
    assert prescription.payer_code == prescribing["code"]


def test_an_ordenador_orders_a_nutritional_product_pending_junta(
    client, prescribing, catalog, nutritional_form
):
    client.force_login(prescribing["nutri"])
    data = form_data(prescribing, [{**NUTRITION, "nutritional_form": "1"}], care_setting="11")
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 302
    assert Prescription.objects.get().lines.get().junta_status == 2


def test_a_unirs_medicine_needs_its_indications_and_goes_to_the_junta(client, prescribing, catalog):
    m.UnirsIndication.objects.create(code="3", name="Enfermedad injerto contra huésped.")
    client.force_login(prescribing["medico"])
    target = url("prescription_create", prescribing["ips"])
    response = client.post(target, form_data(prescribing, [{**MEDICINE, "medicine_type": "7"}]))
    form = response.context["lines"].forms[0]
    assert form.errors["unirs_indications"] == [
        "Un medicamento UNIRS necesita al menos una indicación UNIRS."
    ]
    line = {**MEDICINE, "medicine_type": "7", "unirs_indications": "3"}
    assert client.post(target, form_data(prescribing, [line])).status_code == 302
    created = TechnologyLine.objects.get()
    assert created.junta_status == 2
    assert [i.code for i in created.unirs_indications.all()] == ["3"]


# Refusals: each beside its field, nothing saved, nothing typed lost --------------------


def _refused(client, world, data, actor=None):
    client.force_login(actor or world["medico"])
    response = client.post(url("prescription_create", world["ips"]), data)
    assert response.status_code == 200
    assert not Prescription.objects.exists()
    assert not TechnologyLine.objects.exists()
    return response


def test_a_nutricionista_prescribing_a_medicine_sees_it_beside_the_line_type(
    client, prescribing, catalog
):
    response = _refused(
        client, prescribing, form_data(prescribing, [MEDICINE]), actor=prescribing["nutri"]
    )
    form = response.context["lines"].forms[0]
    assert form.errors["technology_type"] == ["Su profesión no le permite prescribir medicamento."]
    assert b"data-type-error" in response.content
    assert "Control glucémico insuficiente con dieta." in response.content.decode()


def test_a_medico_cannot_prescribe_for_himself(client, prescribing, catalog):
    medico = prescribing["medico"]
    patient = prescribing["patient"]
    patient.document_number = medico.document_number
    patient.save()
    data = form_data(prescribing, [MEDICINE], document_type=medico.document_type)
    response = _refused(client, prescribing, data)
    assert response.context["header"].errors["document_number"] == [
        "No puede prescribirse a sí mismo."
    ]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("Z999", "El código Z999 no existe en CIE-10."),
        ("k35.0", "El código K350 está deshabilitado en el catálogo vigente."),
    ],
)
def test_an_unknown_or_disabled_diagnosis_is_refused_beside_the_field(
    client, prescribing, catalog, code, message
):
    response = _refused(client, prescribing, form_data(prescribing, [MEDICINE], diagnosis=code))
    assert response.context["header"].errors["diagnosis"] == [message]
    assert response.context["lines"].forms[0]["justification"].value() == MEDICINE["justification"]


def test_a_disabled_related_diagnosis_is_refused_beside_its_own_field(client, prescribing, catalog):
    data = form_data(prescribing, [MEDICINE], related_diagnosis_2="K350")
    response = _refused(client, prescribing, data)
    assert "related_diagnosis_2" in response.context["header"].errors
    assert "diagnosis" not in response.context["header"].errors


def test_a_disabled_diagnosis_reaching_the_service_lands_beside_its_field(prescribing, catalog):
    from prescriptions.forms.prescribing import PrescriptionEntry

    entry = PrescriptionEntry(form_data(prescribing, [MEDICINE]))
    assert entry.is_valid()
    entry.header.cleaned_data["related_diagnosis_1"] = catalog["dx_old"]
    entry.add_service_error(DomainError("deshabilitado", field="diagnosis"))
    assert entry.header.errors["related_diagnosis_1"] == ["deshabilitado"]


def test_a_zero_quantity_is_refused_beside_the_line_total(client, prescribing, catalog):
    data = form_data(prescribing, [PROCEDURE, {**SERVICE, "total_quantity": "0"}], diagnosis="Z999")
    response = _refused(client, prescribing, data)
    forms = response.context["lines"].forms
    assert not forms[0].errors
    assert forms[1].errors["total_quantity"] == ["La cantidad total debe ser mayor que cero."]
    assert "diagnosis" in response.context["header"].errors  # every mistake at once


def test_a_line_refusal_from_the_service_lands_on_the_right_row_and_field(prescribing, catalog):
    from prescriptions.forms.prescribing import PrescriptionEntry

    blank = {"technology_type": "M", "supply_type": "1"}  # skipped: not the service's line 1
    entry = PrescriptionEntry(form_data(prescribing, [PROCEDURE, blank, SERVICE]))
    assert entry.is_valid()
    assert len(entry.service_kwargs()["lines"]) == 2
    entry.add_service_error(DomainError("Mal.", field="lines.1.total_quantity"))
    entry.add_service_error(DomainError("Regla.", field="lines.0"))
    forms = entry.lines.forms
    assert forms[2].errors["total_quantity"] == ["Mal."]
    assert forms[0].non_field_errors() == ["Regla."]
    assert not forms[1].errors


def test_a_patient_not_registered_is_refused_with_the_way_to_register(client, prescribing, catalog):
    response = _refused(
        client, prescribing, form_data(prescribing, [MEDICINE], document_number="99999999")
    )
    assert response.context["header"].errors["document_number"] == [
        "No hay un paciente registrado con CC 99999999."
    ]
    assert "Pida a Admisión" in response.content.decode()


def test_a_medicine_without_an_active_ingredient_is_refused(client, prescribing, catalog):
    line = {**MEDICINE, "ingredient_1": "", "concentration_1": "", "concentration_unit_1": ""}
    response = _refused(client, prescribing, form_data(prescribing, [line]))
    errors = response.context["lines"].forms[0].errors
    assert errors["ingredient_1"] == ["Indique al menos un principio activo del medicamento."]


def test_an_unknown_code_in_a_line_is_refused_beside_it(client, prescribing, catalog):
    data = form_data(prescribing, [{**PROCEDURE, "procedure": "999999"}])
    response = _refused(client, prescribing, data)
    assert response.context["lines"].forms[0].errors["procedure"] == [
        "El código 999999 no existe en CUPS."
    ]


def test_without_lines_the_service_asks_for_one(client, prescribing, catalog):
    # A line left as added (defaults only) is skipped.
    response = _refused(
        client, prescribing, form_data(prescribing, [{"technology_type": "M", "supply_type": "1"}])
    )
    assert response.context["entry"].errors == ["Agregue al menos una tecnología."]


# The buttons without JavaScript ----------------------------------------------------------


def test_add_line_re_renders_with_one_more_line_and_keeps_what_was_typed(
    client, prescribing, catalog
):
    client.force_login(prescribing["medico"])
    data = {**form_data(prescribing, [MEDICINE]), "add_line": "P"}
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 200
    assert not Prescription.objects.exists()
    forms = response.context["lines"].forms
    assert [f.TYPE for f in forms] == ["M", "P"]
    assert forms[0]["justification"].value() == MEDICINE["justification"]
    assert forms[0]["ingredient_1"].value() == "00123"
    assert not forms[0].errors  # a re-render is not a submit
    assert response.context["header"]["diagnosis"].value() == "E119"
    assert b"METFORMINA" in response.content  # the code's name under the field


def test_remove_line_drops_that_line_and_renumbers_the_rest(client, prescribing, catalog):
    client.force_login(prescribing["medico"])
    data = {**form_data(prescribing, [MEDICINE, PROCEDURE, SERVICE]), "remove_line": "1"}
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    forms = response.context["lines"].forms
    assert [f.TYPE for f in forms] == ["M", "S"]
    assert forms[1].prefix == "lines-1"
    assert forms[1]["justification"].value() == SERVICE["justification"]


def test_add_ingredient_shows_a_second_slot(client, prescribing, catalog):
    client.force_login(prescribing["medico"])
    data = {**form_data(prescribing, [MEDICINE]), "add_ingredient": "0"}
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    slots = response.context["lines"].forms[0].ingredient_slots()
    assert [slot["visible"] for slot in slots] == [True, True, False, False]


def test_two_ingredients_are_saved_in_order(client, prescribing, catalog):
    m.ActiveIngredient.objects.create(code="00200", name="SITAGLIPTINA", source="starter")
    line = {
        **MEDICINE,
        "ingredient_2": "00200",
        "concentration_2": "50",
        "concentration_unit_2": "0168",
    }
    client.force_login(prescribing["medico"])
    client.post(url("prescription_create", prescribing["ips"]), form_data(prescribing, [line]))
    line = TechnologyLine.objects.get()
    assert [i.ingredient.code for i in line.ingredients.all()] == ["00123", "00200"]
    assert line.description == "METFORMINA 850 mg + SITAGLIPTINA 50 mg TABLETA"


# The patient panel ------------------------------------------------------------------------


def test_the_patient_panel_shows_name_payer_and_the_last_prescription(client, prescribing, catalog):
    previous = issue(prescribing, catalog)
    client.force_login(prescribing["medico"])
    response = client.get(
        url("prescription_patient_panel", prescribing["ips"]),
        {"document_type": "CC", "document_number": "43.000.111"},
    )
    text = response.content.decode()
    assert "Rosa Arango" in text and "EPT001" in text
    assert url("prescription_renew", prescribing["ips"], previous.external_id) in text
    assert "<html" not in text  # a fragment


def test_an_unknown_patient_links_to_admision_only_for_who_may_register(client, prescribing):
    params = {"document_type": "CC", "document_number": "123456"}
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_patient_panel", prescribing["ips"]), params)
    assert "paciente no registrado" in response.content.decode()
    assert "Registrar paciente" not in response.content.decode()
    grant(prescribing["medico"], prescribing["ips"], "admision")
    response = client.get(url("prescription_patient_panel", prescribing["ips"]), params)
    register = url("patient_register", prescribing["ips"])
    assert f"{register}?document_type=CC&amp;document_number=123456" in response.content.decode()


# Renovar --------------------------------------------------------------------------------


def test_renovar_copies_the_header_and_the_lines(client, prescribing, catalog):
    previous = issue(prescribing, catalog)
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_renew", prescribing["ips"], previous.external_id))
    assert response.status_code == 200
    header = response.context["header"]
    assert header["document_number"].value() == "43000111"
    assert header["diagnosis"].value() == "E119"
    forms = response.context["lines"].forms
    assert [f.TYPE for f in forms] == ["M", "P", "S"]
    assert forms[0]["ingredient_1"].value() == "00123"
    assert forms[0]["dose"].value() == "850"
    assert forms[2]["complementary_service"].value() == "139"
    assert response.context["warnings"] == []
    # Submitting the renewed form as the browser shows it issues the same lines again.
    rows = [
        {name: f[name].value() for name in f.fields if f[name].value() is not None} for f in forms
    ]
    data = form_data(prescribing, rows)
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    # The same technologies the same day: each is a caution to confirm (issue 17 item 4).
    confirmations = re.findall(r'name="confirm_caution" value="([^"]+)"', response.text)
    assert len(confirmations) == 3
    data["confirm_caution"] = confirmations
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.status_code == 302, [f.errors for f in response.context["lines"].forms]
    renewed = Prescription.objects.exclude(pk=previous.pk).get()
    assert sorted(line.key for line in renewed.lines.all()) == ["M1", "P1", "S1"]


def test_renovar_drops_disabled_codes_with_a_warning(client, prescribing, catalog):
    previous = issue(prescribing, catalog)
    m.ActiveIngredient.objects.filter(code="00123").update(enabled=False)
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_renew", prescribing["ips"], previous.external_id))
    assert response.context["lines"].forms[0]["ingredient_1"].value() == ""
    [warning] = response.context["warnings"]
    assert "00123" in warning and "METFORMINA" in warning and "elija uno actual" in warning


def test_renovar_leaves_out_types_the_user_may_no_longer_prescribe(client, prescribing, catalog):
    previous = issue(prescribing, catalog)
    medico, ips = prescribing["medico"], prescribing["ips"]
    # Now only Ordenador here: nutritional products only.
    Membership.objects.filter(user=medico, entity=ips).update(ended_at=timezone.now())
    grant(medico, ips, "ordenador")
    client.force_login(medico)
    response = client.get(url("prescription_renew", ips, previous.external_id))
    assert response.context["lines"].forms == []
    warnings = response.context["warnings"]
    assert len(warnings) == 3
    assert warnings[0] == (
        "Medicamento 1 no se copió: su profesión o rol no le permite prescribir medicamento."
    )


def test_renovar_of_another_entitys_prescription_is_404(client, prescribing, catalog):
    previous = issue(prescribing, catalog)
    other_ips = EntityFactory(entity_type="IPS")
    grant(prescribing["medico"], other_ips, "prescriptor")
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_renew", other_ips, previous.external_id))
    assert response.status_code == 404


# Catalog search -----------------------------------------------------------------------------


def test_catalog_search_enabled_first_recent_first_and_at_most_20(client, prescribing, catalog):
    for n in range(25):
        m.Diagnosis.objects.create(code=f"U0{n:02d}", name=f"Diabetes de prueba {n}")
    client.force_login(prescribing["medico"])
    search = reverse("prescriptions:catalog_search", args=["cie10"])
    results = client.get(search, {"q": "diabetes"}).json()["results"]
    assert len(results) == 20
    assert all(r["enabled"] for r in results)
    issue(prescribing, catalog)
    results = client.get(search, {"q": "diab"}).json()["results"]
    assert results[0] == {
        "code": "E119",
        "name": catalog["dx"].name,
        "enabled": True,
        "recent": True,
    }
    assert client.get(search).json()["results"][0]["code"] == "E119"  # no text: recent codes


def test_catalog_search_lists_disabled_codes_last(client, prescribing, catalog):
    m.Diagnosis.objects.create(code="K351", name="Apendicitis aguda con absceso peritoneal")
    client.force_login(prescribing["medico"])
    search = reverse("prescriptions:catalog_search", args=["cie10"])
    results = client.get(search, {"q": "apendicitis"}).json()["results"]
    assert [(r["code"], r["enabled"]) for r in results] == [("K351", True), ("K350", False)]


def test_catalog_search_finds_a_unit_by_its_symbol(client, prescribing, catalog):
    client.force_login(prescribing["medico"])
    search = reverse("prescriptions:catalog_search", args=["unidades_medida"])
    assert client.get(search, {"q": "mg"}).json()["results"][0]["code"] == "0168"


def test_catalog_search_needs_login_and_a_known_catalog(client, prescribing):
    search = reverse("prescriptions:catalog_search", args=["cie10"])
    assert client.get(search, {"q": "E1"}).status_code == 302
    client.force_login(prescribing["medico"])
    unknown = reverse("prescriptions:catalog_search", args=["secretos"])
    assert client.get(unknown).status_code == 404


def test_a_prescriptor_absent_from_rethus_is_told_why_he_cannot_prescribe(client, prescribing):
    from accounts.models import ProfessionalRecord

    ProfessionalRecord.objects.filter(document_number=prescribing["medico"].document_number).update(
        active=False
    )
    client.force_login(prescribing["medico"])
    response = client.get(url("prescription_create", prescribing["ips"]))
    assert response.context["refusal"] == "Usted no aparece activo en RETHUS: no puede prescribir."
    assert response.context["type_buttons"] == []


def test_home_links_each_role_to_its_prescriptions(client, prescribing):
    ips, eps = prescribing["ips"], prescribing["eps"]
    client.force_login(prescribing["medico"])
    text = client.get(reverse("home")).content.decode()
    assert url("prescription_create", ips) in text and url("prescription_list_own", ips) in text
    admision, eps_admin = UserFactory(), UserFactory()
    grant(admision, ips, "admision")
    grant(eps_admin, eps, "administrativo")
    client.force_login(admision)
    text = client.get(reverse("home")).content.decode()
    assert url("prescription_list_entity", ips) in text
    assert url("prescription_create", ips) not in text
    client.force_login(eps_admin)
    assert url("prescription_list_payer", eps) in client.get(reverse("home")).content.decode()


def test_a_patient_nobody_pays_for_is_refused_beside_the_document(client, prescribing, catalog):
    m.Affiliation.objects.filter(patient=prescribing["patient"]).update(active=False)
    response = _refused(client, prescribing, form_data(prescribing, [MEDICINE]))
    [message] = response.context["header"].errors["document_number"]
    assert message.startswith("No hay EPS activa ni entidad territorial")


def test_find_patient_without_javascript_shows_the_patient_and_keeps_the_lines(
    client, prescribing, catalog
):
    client.force_login(prescribing["medico"])
    data = {**form_data(prescribing, [MEDICINE]), "find_patient": "1"}
    response = client.post(url("prescription_create", prescribing["ips"]), data)
    assert response.context["patient"] == prescribing["patient"]
    assert response.context["payer"].entity == prescribing["eps"]
    assert response.context["lines"].forms[0]["dose"].value() == "850"
    assert not Prescription.objects.exists()


def test_the_prescriber_chooses_one_of_the_entitys_active_sedes(client, prescribing, catalog):
    ips = prescribing["ips"]
    first, second = SedeFactory(entity=ips, code="01"), SedeFactory(entity=ips, code="02")
    SedeFactory(entity=ips, code="03", active=False)
    foreign = SedeFactory()
    client.force_login(prescribing["medico"])
    page = client.get(url("prescription_create", ips)).content.decode()
    assert str(first.external_id) in page and str(second.external_id) in page
    data = form_data(prescribing, [PROCEDURE], sede=str(foreign.external_id))
    response = client.post(url("prescription_create", ips), data)
    assert "sede" in response.context["entry"].header.errors
    assert not Prescription.objects.exists()
    data = form_data(prescribing, [PROCEDURE], sede=str(second.external_id))
    client.post(url("prescription_create", ips), data)
    assert Prescription.objects.get().sede == second


def test_a_posted_form_shown_again_offers_the_sedes_there_are(client, prescribing, catalog):
    """A posted form reads the entity's sedes only to find the posted one, yet shows its
    sede field again exactly when the entity has active sedes."""
    client.force_login(prescribing["medico"])
    target = url("prescription_create", prescribing["ips"])
    refused = form_data(prescribing, [PROCEDURE], diagnosis="")
    assert 'name="sede"' not in client.post(target, refused).content.decode()
    norte = SedeFactory(entity=prescribing["ips"], code="01", name="Sede Norte")
    SedeFactory(entity=prescribing["ips"], code="02", name="Sede Sur")
    page = client.post(target, {**refused, "sede": str(norte.external_id)}).content.decode()
    assert f'<option value="{norte.external_id}" selected>01 – Sede Norte</option>' in page
    assert "02 – Sede Sur</option>" in page
    assert not Prescription.objects.exists()


def test_the_empty_forms_cached_fields_follow_the_entitys_sedes(client, prescribing, catalog):
    ips = prescribing["ips"]
    client.force_login(prescribing["medico"])
    target = url("prescription_create", ips)
    assert 'name="sede"' not in client.get(target).content.decode()  # no sede, no field
    sede = SedeFactory(entity=ips, code="01", name="Sede Norte")
    page = client.get(target).content.decode()
    assert f'<option value="{sede.external_id}" selected>01 – Sede Norte</option>' in page
    sede.name = "Sede Centro"
    sede.save()
    assert "01 – Sede Centro" in client.get(target).content.decode()
    sede.active = False
    sede.save()
    assert 'name="sede"' not in client.get(target).content.decode()
    # A document given in the address is written into the fields, never cached.
    page = client.get(target, {"document_type": "CC", "document_number": "43000111"})
    assert 'value="43000111"' in page.content.decode()
    assert 'value="43000111"' not in client.get(target).content.decode()


def test_the_service_refuses_another_entitys_sede(prescribing, catalog):
    with pytest.raises(DomainError, match="sede activa"):
        prescription_issue(
            actor=prescribing["medico"],
            entity=prescribing["ips"],
            patient=prescribing["patient"],
            care_setting=12,
            diagnosis=catalog["dx"],
            lines=[procedure_line(catalog)],
            sede=SedeFactory(),
        )
    assert not Prescription.objects.exists()


def test_the_detail_and_pdf_name_the_sede(client, prescribing, catalog):

    sede = SedeFactory(
        entity=prescribing["ips"], name="Sede Laureles", address="Circular 1 # 70-01"
    )
    prescription = prescription_issue(
        actor=prescribing["medico"],
        entity=prescribing["ips"],
        patient=prescribing["patient"],
        care_setting=12,
        diagnosis=catalog["dx"],
        lines=[procedure_line(catalog)],
        sede=sede,
    )
    client.force_login(prescribing["medico"])
    detail = client.get(url("prescription_detail", prescribing["ips"], prescription.external_id))
    assert "Sede Laureles: Circular 1 # 70-01" in detail.content.decode()
    pdf = client.get(url("prescription_pdf", prescribing["ips"], prescription.external_id))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Sede Laureles" in text
