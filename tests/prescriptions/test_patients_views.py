"""Admisión's pages and the patient lookup JSON: who reaches them (STYLE R15), what they
show, bad input beside the field with nothing saved, and constant query counts."""

import datetime
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from entities.models import AuditEntry, Entity
from prescriptions.models import Patient

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, grant
from .factories import AffiliationFactory, PatientFactory

pytestmark = pytest.mark.django_db

VIEWS = [
    ("patient_list", False),
    ("patient_search", False),
    ("patient_register", False),
    ("patient_detail", True),
    ("patient_edit", True),
]


@pytest.fixture
def admision(ips):
    user = UserFactory()
    grant(user, ips, "admision")
    return user


@pytest.fixture
def dispensador(ips):
    user = UserFactory()
    grant(user, ips, "dispensador")
    return user


def _url(name, entity, *args):
    return reverse(f"prescriptions:{name}", args=[entity.external_id, *args])


def _view_url(name, with_patient, entity):
    return _url(name, entity, PatientFactory().external_id) if with_patient else _url(name, entity)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _form_data(**overrides) -> dict:
    data = {
        "document_type": "CC",
        "document_number": "43111222",
        "first_name": "Gloria",
        "middle_name": "",
        "first_surname": "Vélez",
        "second_surname": "Mesa",
        "birth_date": "1961-02-03",
        "sex": "F",
        "municipality": "05001",
        "address": "Calle 50 # 40-10",
        "phone": "",
        "email": "",
        "mother_document_type": "",
        "mother_document_number": "",
    }
    data.update(overrides)
    return data


# Access --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "with_patient"), VIEWS)
def test_login_required(client, ips, name, with_patient):
    response = client.get(_view_url(name, with_patient, ips))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "with_patient"), VIEWS)
def test_admision_gets_the_page(client, ips, admision, name, with_patient):
    client.force_login(admision)
    assert client.get(_view_url(name, with_patient, ips)).status_code == 200


def test_the_register_form_explains_newborns(client, ips, admision):
    client.force_login(admision)
    content = client.get(_view_url("patient_register", False, ips)).content.decode()
    assert '<p class="small text-muted">Como en MIPRES, se registra con tipo MS y el ' in content


@pytest.mark.parametrize(("name", "with_patient"), VIEWS)
def test_outsider_gets_404(client, ips, outsider, name, with_patient):
    url = _view_url(name, with_patient, ips)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(("name", "with_patient"), VIEWS)
@pytest.mark.parametrize("role", ["dispensador", "prescriptor", "delegado"])
def test_a_member_without_the_permission_gets_403(client, ips, name, with_patient, role):
    user = UserFactory()
    grant(user, ips, role)
    url = _view_url(name, with_patient, ips)
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403


def test_admision_of_an_unverified_ips_gets_403(client):
    pending = EntityFactory(entity_type="IPS", status=Entity.Status.PENDING)
    user = UserFactory()
    grant(user, pending, "admision")
    client.force_login(user)
    assert client.get(_url("patient_search", pending)).status_code == 403


def test_an_unknown_patient_is_404(client, ips, admision):
    client.force_login(admision)
    assert client.get(_url("patient_detail", ips, uuid.uuid4())).status_code == 404


def test_the_home_page_links_admision_to_patients(client, ips, admision, member_readonly):
    client.force_login(admision)
    assert _url("patient_search", ips) in client.get(reverse("home")).content.decode()
    client.force_login(member_readonly)
    assert _url("patient_search", ips) not in client.get(reverse("home")).content.decode()


# Search -------------------------------------------------------------------------------


def test_search_shows_the_patient_and_who_pays(client, ips, admision):
    affiliation = AffiliationFactory(
        patient=PatientFactory(document_number="43111222", first_name="Gloria")
    )
    client.force_login(admision)
    response = client.get(
        _url("patient_search", ips), {"document_type": "CC", "document_number": "43.111.222"}
    )
    html = response.content.decode()
    assert "Gloria" in html
    assert affiliation.payer_code.code in html
    assert affiliation.payer_code.entity.name in html
    assert "Medellín" in html


def test_search_explains_when_nobody_pays(client, ips, admision):
    PatientFactory(document_number="43111222")
    client.force_login(admision)
    response = client.get(
        _url("patient_search", ips), {"document_type": "CC", "document_number": "43111222"}
    )
    assert "No hay EPS activa ni entidad territorial" in response.content.decode()


def test_search_offers_to_register_an_unknown_document(client, ips, admision):
    client.force_login(admision)
    response = client.get(
        _url("patient_search", ips), {"document_type": "TI", "document_number": "1099"}
    )
    html = response.content.decode()
    assert "TI 1099: no registrado." in html
    assert f"{_url('patient_register', ips)}?document_type=TI&amp;document_number=1099" in html


# Register and edit -------------------------------------------------------------------------


def test_register_prefills_the_searched_document(client, ips, admision):
    client.force_login(admision)
    response = client.get(
        _url("patient_register", ips), {"document_type": "MS", "document_number": "43111222"}
    )
    form = response.context["form"]
    assert form.initial["document_type"] == "MS"
    assert form.initial["mother_document_number"] == "43111222"


def test_admision_registers_a_patient(client, ips, admision):
    client.force_login(admision)
    response = client.post(_url("patient_register", ips), _form_data())
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response.url == _url("patient_detail", ips, patient.external_id)
    assert patient.registered_by_entity == ips
    assert "Paciente Gloria Vélez Mesa registrado(a) con CC 43111222." in _messages(response)
    detail = client.get(response.url).content.decode()
    assert "Paciente registrado." in detail


def test_a_duplicate_document_is_shown_beside_the_number(client, ips, admision):
    PatientFactory(document_number="43111222")
    client.force_login(admision)
    response = client.post(_url("patient_register", ips), _form_data())
    assert response.status_code == 200
    assert (
        "Ya existe un paciente con CC 43111222"
        in response.context["form"].errors["document_number"][0]
    )
    assert Patient.objects.count() == 1
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "ayer"}, "birth_date"),
        ({"document_number": "43-ABC"}, "document_number"),
        ({"municipality": "99999"}, "municipality"),
        ({"sex": ""}, "sex"),
        ({"document_type": "MS", "document_number": ""}, "mother_document_type"),
        ({"email": "x@"}, "email"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(
    client, ips, admision, overrides, field
):
    client.force_login(admision)
    response = client.post(_url("patient_register", ips), _form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Patient.objects.exists()


def test_a_newborn_is_registered_with_the_mothers_document(client, ips, admision):
    client.force_login(admision)
    data = _form_data(
        document_type="MS",
        document_number="",
        mother_document_type="CC",
        mother_document_number="43111222",
        birth_date=(datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
    )
    client.post(_url("patient_register", ips), data)
    client.post(_url("patient_register", ips), {**data, "first_name": "Gemela"})
    orders = list(Patient.objects.order_by("newborn_order").values_list("newborn_order", flat=True))
    assert orders == [1, 2]


def test_admision_edits_a_patient_of_another_ips(client, ips, other_ips, admision):
    patient = PatientFactory(registered_by_entity=other_ips, document_number="43111222")
    client.force_login(admision)
    edit = client.get(_url("patient_edit", ips, patient.external_id))
    assert edit.context["form"].initial["document_number"] == "43111222"
    response = client.post(
        _url("patient_edit", ips, patient.external_id),
        _form_data(first_name=patient.first_name, first_surname=patient.first_surname),
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.address == "Calle 50 # 40-10"
    assert patient.updated_by_entity == ips
    entry = AuditEntry.objects.get(action="prescriptions.patient.updated")
    assert entry.entity == ips


def test_an_edit_to_a_taken_document_changes_nothing(client, ips, admision):
    PatientFactory(document_number="43111222")
    patient = PatientFactory(document_number="43111223")
    client.force_login(admision)
    response = client.post(_url("patient_edit", ips, patient.external_id), _form_data())
    assert "document_number" in response.context["form"].errors
    patient.refresh_from_db()
    assert patient.document_number == "43111223"


# The IPS's list ------------------------------------------------------------------------------


def test_the_list_shows_the_patients_the_ips_registered_or_updated(
    client, ips, other_ips, admision
):
    PatientFactory(registered_by_entity=ips, first_name="Propia")
    PatientFactory(registered_by_entity=other_ips, updated_by_entity=ips, first_name="Actualizada")
    PatientFactory(registered_by_entity=other_ips, first_name="Ajena")
    PatientFactory(first_name="Bdua")
    client.force_login(admision)
    names = {p.first_name for p in client.get(_url("patient_list", ips)).context["page"]}
    assert names == {"Propia", "Actualizada"}


def test_the_list_filters_by_name_without_accents_and_by_document(client, ips, admision):
    PatientFactory(registered_by_entity=ips, first_surname="Muñoz", document_number="43700001")
    PatientFactory(registered_by_entity=ips, first_surname="Gómez", document_number="43800002")
    client.force_login(admision)
    url = _url("patient_list", ips)
    by_name = client.get(url, {"name": "MUNOZ"}).context["page"]
    assert [p.first_surname for p in by_name] == ["Muñoz"]
    by_document = client.get(url, {"document": "438"}).context["page"]
    assert [p.first_surname for p in by_document] == ["Gómez"]


def test_the_list_costs_the_same_queries_for_few_or_many_patients(
    client, ips, admision, django_assert_max_num_queries
):
    client.force_login(admision)
    url = _url("patient_list", ips)
    for _n in range(3):
        AffiliationFactory(patient=PatientFactory(registered_by_entity=ips))
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for _n in range(30):
        AffiliationFactory(patient=PatientFactory(registered_by_entity=ips))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) == 25


# The lookup JSON --------------------------------------------------------------------------------


def _lookup(client, entity, **params):
    return client.get(_url("patient_lookup_json", entity), params)


@pytest.mark.parametrize("role", ["prescriptor", "ordenador", "admision"])
def test_the_lookup_answers_prescribers_and_admision(client, ips, role):
    affiliation = AffiliationFactory(
        patient=PatientFactory(document_number="43111222", sex="F"), regime="contributivo"
    )
    user = UserFactory()
    grant(user, ips, role)
    client.force_login(user)
    response = _lookup(client, ips, document_type="CC", document_number="43111222")
    assert response.status_code == 200
    data = response.json()
    assert data["found"] is True
    patient = data["patient"]
    assert patient["external_id"] == str(affiliation.patient.external_id)
    assert patient["full_name"] == affiliation.patient.get_full_name()
    assert patient["age"] == affiliation.patient.age()
    assert patient["sex"] == "F"
    assert patient["payer"]["code"] == affiliation.payer_code.code
    assert patient["payer"]["entity_name"] == affiliation.payer_code.entity.name
    assert patient["payer"]["regime"] == "contributivo"
    assert patient["payer_error"] is None
    assert data["newborns"] == []


def test_the_lookup_lists_newborns_with_the_mothers_document(client, ips, admision):
    from entities.models import Municipality
    from prescriptions.services import patient_register

    for _n in range(2):
        patient_register(
            actor=admision,
            entity=ips,
            document_type="MS",
            mother_document_type="CC",
            mother_document_number="43111222",
            first_name="Bebé",
            first_surname="Vélez",
            birth_date=datetime.date.today(),
            sex="M",
            municipality=Municipality.objects.get(code="05001"),
        )
    client.force_login(admision)
    data = _lookup(client, ips, document_type="MS", document_number="43111222").json()
    assert data["found"] is True
    assert data["patient"] is None
    assert [n["newborn_order"] for n in data["newborns"]] == [1, 2]
    assert "No hay EPS activa" in data["newborns"][0]["payer_error"]


def test_the_lookup_says_not_found(client, ips, admision):
    client.force_login(admision)
    data = _lookup(client, ips, document_type="CC", document_number="99999999").json()
    assert data == {"found": False, "patient": None, "newborns": []}


def test_the_lookup_refuses_a_malformed_query(client, ips, admision):
    client.force_login(admision)
    response = _lookup(client, ips, document_type="ZZ", document_number="")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"document_type", "document_number"}


def test_the_lookup_access_rules(client, ips, outsider, dispensador):
    url = _url("patient_lookup_json", ips)
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(dispensador)
    assert client.get(url).status_code == 403
