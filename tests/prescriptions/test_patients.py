"""Patients: Admisión's services (permission, validation, duplicates, the newborn rule,
audit) and `payer_for` (affiliation, mother's EPS, entidad territorial)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from entities.models import AuditEntry, Entity, Municipality
from mipres.lib.errors import DomainError
from prescriptions.models import Affiliation, Patient
from prescriptions.models.patients import age_text
from prescriptions.selectors import patient_find, patient_search, payer_for
from prescriptions.services import patient_register, patient_update

from ..accounts.factories import UserFactory
from ..entities.factories import EntityFactory, PayerCodeFactory, grant
from .factories import AffiliationFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admision(ips):
    user = UserFactory()
    grant(user, ips, "admision")
    return user


def _fields(**overrides) -> dict:
    fields = {
        "document_type": "CC",
        "document_number": "43111222",
        "first_name": "Gloria",
        "middle_name": "Inés",
        "first_surname": "Vélez",
        "second_surname": "Mesa",
        "birth_date": datetime.date(1961, 2, 3),
        "sex": "F",
        "municipality": Municipality.objects.get(code="05001"),
        "address": "Calle 50 # 40-10",
        "phone": "3001234567",
        "email": "",
    }
    fields.update(overrides)
    return fields


def _newborn_fields(**overrides) -> dict:
    newborn = {
        "document_type": "MS",
        "document_number": "",
        "mother_document_type": "CC",
        "mother_document_number": "43111222",
        "first_name": "Bebé",
        "middle_name": "",
        "birth_date": datetime.date.today() - datetime.timedelta(days=3),
    }
    return _fields(**{**newborn, **overrides})


# Registration ---------------------------------------------------------------------------


def test_admision_registers_a_patient_with_an_audit_entry(ips, admision):
    patient = patient_register(actor=admision, entity=ips, **_fields(document_number=" 43.111.222"))
    assert patient.document_number == "43111222"
    assert patient.registered_by_entity == ips
    assert patient.updated_by_entity == ips
    assert patient.newborn_order is None
    entry = AuditEntry.objects.get(action="prescriptions.patient.registered")
    assert entry.actor == admision
    assert entry.entity == ips
    assert entry.object_id == str(patient.pk)
    assert entry.data["fields"]["document_number"] == "43111222"
    assert entry.data["fields"]["municipality"] == "05001"


@pytest.mark.parametrize("role", ["prescriptor", "dispensador", "delegado"])
def test_roles_without_the_permission_cannot_register(ips, role):
    user = UserFactory()
    grant(user, ips, role)
    with pytest.raises(PermissionDenied):
        patient_register(actor=user, entity=ips, **_fields())
    assert not Patient.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="prescriptions.patient").exists()


def test_admision_of_another_ips_cannot_register_for_this_one(ips, other_ips):
    user = UserFactory()
    grant(user, other_ips, "admision")
    with pytest.raises(PermissionDenied):
        patient_register(actor=user, entity=ips, **_fields())


def test_admision_of_an_unverified_ips_cannot_register(db):
    pending = EntityFactory(entity_type="IPS", status=Entity.Status.PENDING)
    user = UserFactory()
    grant(user, pending, "admision")
    with pytest.raises(PermissionDenied):
        patient_register(actor=user, entity=pending, **_fields())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"document_number": "43A11"}, "document_number", "solo dígitos"),
        ({"document_number": "12"}, "document_number", "De 3 a 17"),
        ({"document_number": "12345678901"}, "document_number", "como máximo 10"),
        ({"document_number": ""}, "document_number", "obligatorio"),
        ({"document_type": "XX"}, "document_type", "desconocido"),
        ({"first_name": "  "}, "first_name", "obligatorio"),
        ({"first_surname": "x" * 61}, "first_surname", "como máximo 60"),
        ({"birth_date": datetime.date(2999, 1, 1)}, "birth_date", "posterior a hoy"),
        ({"birth_date": datetime.date(1850, 1, 1)}, "birth_date", "más de 130 años"),
        ({"birth_date": "3-2-1961"}, "birth_date", "AAAA-MM-DD"),
        ({"sex": "X"}, "sex", "masculino, femenino"),
        ({"municipality": "99999"}, "municipality", "99999"),
        ({"email": "no-es-correo"}, "email", "correo"),
        (
            {"document_type": "AS", "birth_date": datetime.date(2015, 1, 1)},
            "document_type",
            "mayores de edad",
        ),
        ({"mother_document_type": "CC"}, "mother_document_number", "o ninguno"),
    ],
)
def test_bad_input_is_refused_beside_the_field(ips, admision, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        patient_register(actor=admision, entity=ips, **_fields(**overrides))
    assert message in " ".join(caught.value.message_dict[field])
    assert not Patient.objects.exists()


def test_a_passport_may_carry_letters(ips, admision):
    patient = patient_register(
        actor=admision, entity=ips, **_fields(document_type="PA", document_number="ab123456")
    )
    assert patient.document_number == "AB123456"


def test_a_duplicate_document_is_refused_beside_the_number(ips, admision):
    PatientFactory(document_type="CC", document_number="43111222", first_name="Otra")
    with pytest.raises(ValidationError) as caught:
        patient_register(actor=admision, entity=ips, **_fields())
    message = caught.value.message_dict["document_number"][0]
    assert "Ya existe un paciente con CC 43111222" in message
    assert Patient.objects.count() == 1


def test_the_same_number_with_another_document_type_is_another_patient(ips, admision):
    PatientFactory(document_type="TI", document_number="43111222")
    patient_register(actor=admision, entity=ips, **_fields())
    assert Patient.objects.count() == 2


def test_unknown_field_names_are_a_programming_error(ips, admision):
    with pytest.raises(TypeError):
        patient_register(actor=admision, entity=ips, **_fields(eps="EPS001"))


# Newborns with the mother's document ------------------------------------------------------


def test_a_newborn_without_document_uses_the_mothers(ips, admision):
    newborn = patient_register(actor=admision, entity=ips, **_newborn_fields())
    assert newborn.document_type == "MS"
    assert newborn.document_number == "43111222"
    assert (newborn.mother_document_type, newborn.mother_document_number) == ("CC", "43111222")
    assert newborn.newborn_order == 1
    assert newborn.uses_mother_document
    assert "recién nacido(a) 1 de CC 43111222" in newborn.document


def test_twins_get_orders_one_and_two_and_the_mother_registers_too(ips, admision):
    first = patient_register(actor=admision, entity=ips, **_newborn_fields())
    second = patient_register(actor=admision, entity=ips, **_newborn_fields(sex="M"))
    mother = patient_register(actor=admision, entity=ips, **_fields())
    assert (first.newborn_order, second.newborn_order) == (1, 2)
    assert mother.newborn_order is None
    assert patient_find("MS", "43111222", newborn_order=2) == second
    assert patient_find("CC", "43111222") == mother
    assert [p.pk for p in patient_search("CC", "43111222")] == [first.pk, second.pk, mother.pk]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"mother_document_type": "", "mother_document_number": ""},
            "mother_document_type",
            "documento de la madre",
        ),
        ({"mother_document_type": "MS"}, "mother_document_type", "uno propio"),
        ({"mother_document_type": "NV"}, "mother_document_type", "uno propio"),
        ({"document_number": "55555555"}, "document_number", "43111222"),
        ({"mother_document_number": "4311A"}, "mother_document_number", "solo dígitos"),
        ({"birth_date": datetime.date(1990, 1, 1)}, "document_type", "menores de edad"),
    ],
)
def test_newborn_rules(ips, admision, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        patient_register(actor=admision, entity=ips, **_newborn_fields(**overrides))
    assert message in " ".join(caught.value.message_dict[field])
    assert not Patient.objects.exists()


def test_a_newborn_typing_the_mothers_number_is_accepted(ips, admision):
    newborn = patient_register(
        actor=admision, entity=ips, **_newborn_fields(document_number="43111222")
    )
    assert newborn.document_number == "43111222"


def test_a_newborn_who_gets_a_registro_civil_keeps_the_mothers_document_as_information(
    ips, admision
):
    newborn = patient_register(actor=admision, entity=ips, **_newborn_fields())
    updated = patient_update(
        actor=admision,
        entity=ips,
        patient=newborn,
        document_type="RC",
        document_number="1098765432",
    )
    updated.refresh_from_db()
    assert (updated.document_type, updated.document_number) == ("RC", "1098765432")
    assert updated.newborn_order is None
    assert updated.mother_document_number == "43111222"
    # The mother's next newborn is number 1 again: the order counts MS patients only.
    assert patient_register(actor=admision, entity=ips, **_newborn_fields()).newborn_order == 1


# Updates -------------------------------------------------------------------------------


def test_an_update_records_each_change_and_the_ips(ips, other_ips, admision):
    patient = PatientFactory(registered_by_entity=other_ips, first_surname="Vélez")
    updated = patient_update(
        actor=admision,
        entity=ips,
        patient=patient,
        first_surname="Vélez",
        address="Carrera 1 # 1-1",
        municipality=Municipality.objects.get(code="11001"),
    )
    updated.refresh_from_db()
    assert updated.address == "Carrera 1 # 1-1"
    assert updated.registered_by_entity == other_ips
    assert updated.updated_by_entity == ips
    entry = AuditEntry.objects.get(action="prescriptions.patient.updated")
    assert entry.entity == ips
    assert entry.data["changes"] == {
        "address": ["Calle 1 # 2-3", "Carrera 1 # 1-1"],
        "municipality": ["05001", "11001"],
    }


def test_an_update_without_changes_writes_nothing(ips, admision):
    patient = PatientFactory()
    patient_update(actor=admision, entity=ips, patient=patient, first_name=patient.first_name)
    patient.refresh_from_db()
    assert patient.updated_by_entity is None
    assert not AuditEntry.objects.exists()


def test_an_update_to_a_document_of_another_patient_is_refused(ips, admision):
    PatientFactory(document_number="43999000")
    patient = PatientFactory(document_number="43999001")
    with pytest.raises(ValidationError) as caught:
        patient_update(actor=admision, entity=ips, patient=patient, document_number="43999000")
    assert "Ya existe" in caught.value.message_dict["document_number"][0]
    patient.refresh_from_db()
    assert patient.document_number == "43999001"


def test_an_update_needs_the_permission(ips, member_readonly):
    patient = PatientFactory()
    with pytest.raises(PermissionDenied):
        patient_update(actor=member_readonly, entity=ips, patient=patient, address="X")


def test_age_text_speaks_of_days_months_and_years():
    birth = datetime.date(2026, 1, 10)
    assert age_text(birth, datetime.date(2026, 1, 22)) == "12 días"
    assert age_text(birth, datetime.date(2026, 3, 9)) == "1 mes"
    assert age_text(birth, datetime.date(2027, 12, 31)) == "23 meses"
    assert age_text(birth, datetime.date(2031, 1, 10)) == "5 años"


@time_machine.travel(datetime.date(2026, 6, 1))
def test_age_in_years_turns_on_the_birthday():
    patient = PatientFactory.build(birth_date=datetime.date(2008, 6, 2))
    assert patient.age() == 17
    assert patient.age(datetime.date(2026, 6, 2)) == 18


# payer_for ---------------------------------------------------------------------------------


def _et(dane_code, **kwargs):
    return EntityFactory(entity_type="ET", dane_code=dane_code, **kwargs)


def test_the_active_affiliation_pays():
    affiliation = AffiliationFactory(regime="subsidiado")
    AffiliationFactory(patient=affiliation.patient, active=False)
    _et("05")
    payer = payer_for(affiliation.patient)
    assert payer.entity == affiliation.payer_code.entity
    assert payer.payer_code == affiliation.payer_code
    assert payer.regime == "subsidiado"
    assert payer.affiliation == affiliation
    assert affiliation.payer_code.code in payer.reason


def test_without_affiliation_the_departmental_et_pays():
    department_et = _et("05")
    _et("05", status=Entity.Status.PENDING)  # an unverified ET never pays
    payer = payer_for(PatientFactory())
    assert payer.entity == department_et
    assert payer.payer_code is None
    assert payer.regime is None
    assert "departamento de Antioquia" in payer.reason


def test_a_district_et_comes_before_the_departmental_one():
    _et("05")
    district = _et("05001")
    payer = payer_for(PatientFactory())
    assert payer.entity == district
    assert "municipio o distrito Medellín" in payer.reason


def test_the_et_of_another_department_does_not_pay():
    _et("11001")
    with pytest.raises(DomainError) as caught:
        payer_for(PatientFactory())
    assert caught.value.code == "no_payer"
    assert (
        "No hay EPS activa ni entidad territorial registrada para el municipio Medellín (05001)"
        in caught.value.message
    )


def test_an_inactive_affiliation_does_not_pay():
    affiliation = AffiliationFactory(active=False)
    with pytest.raises(DomainError):
        payer_for(affiliation.patient)


def test_an_affiliation_to_an_inactive_code_is_refused():
    affiliation = AffiliationFactory(payer_code=PayerCodeFactory(active=False))
    with pytest.raises(DomainError) as caught:
        payer_for(affiliation.patient)
    assert caught.value.code == "payer_code_inactive"


def test_a_newborn_without_affiliation_is_covered_by_the_mothers_eps(ips, admision):
    mother = PatientFactory(document_number="43111222")
    affiliation = AffiliationFactory(patient=mother)
    newborn = patient_register(actor=admision, entity=ips, **_newborn_fields())
    payer = payer_for(newborn)
    assert payer.payer_code == affiliation.payer_code
    assert "madre" in payer.reason


def test_a_newborn_whose_mother_is_not_a_patient_falls_back_to_the_et(ips, admision):
    et = _et("05")
    newborn = patient_register(actor=admision, entity=ips, **_newborn_fields())
    assert payer_for(newborn).entity == et


def test_payer_for_uses_at_most_two_queries(django_assert_max_num_queries):
    _et("05")
    patient = PatientFactory()
    patient = Patient.objects.select_related("municipality__department").get(pk=patient.pk)
    with django_assert_max_num_queries(2):
        payer_for(patient)


def test_affiliation_constraint_allows_one_active_per_patient():
    from django.db import IntegrityError, transaction

    affiliation = AffiliationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AffiliationFactory(patient=affiliation.patient)
    assert Affiliation.objects.filter(active=True).count() == 1
