import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from stdnum.co import nit

from entities.audit import log
from entities.models import AuditEntry, Entity, Municipality

from .factories import EntityFactory


def _entity(**overrides) -> Entity:
    fields = {
        "entity_type": "EPS",
        "nit": "900100201",
        "dv": nit.calc_check_digit("900100201"),
        "name": "EPS de prueba",
        "municipality": Municipality.objects.get(code="11001"),
    }
    fields.update(overrides)
    return Entity(**fields)


@pytest.mark.django_db
def test_valid_nit_and_check_digit_pass():
    entity = _entity()
    entity.full_clean()


@pytest.mark.django_db
def test_wrong_check_digit_is_refused_beside_the_field():
    wrong = str((int(nit.calc_check_digit("900100201")) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        _entity(dv=wrong).full_clean()
    assert error.value.message_dict["dv"] == [
        "El dígito de verificación no corresponde a este NIT."
    ]


@pytest.mark.django_db
def test_duplicate_nit_is_refused_in_spanish():
    existing = EntityFactory()
    with pytest.raises(ValidationError) as error:
        _entity(nit=existing.nit, dv=existing.dv).full_clean()
    assert error.value.message_dict["nit"] == ["Ya existe una entidad registrada con este NIT."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entity_type", "field", "message"),
    [
        ("IPS", "reps_code", "Una IPS debe tener código de habilitación REPS."),
        ("ET", "dane_code", "Una entidad territorial debe tener su código DANE."),
    ],
)
def test_type_specific_codes_are_required(entity_type, field, message):
    with pytest.raises(ValidationError) as error:
        _entity(entity_type=entity_type).full_clean()
    assert error.value.message_dict[field] == [message]


@pytest.mark.django_db
def test_status_transitions():
    entity = EntityFactory(status=Entity.Status.PENDING)
    assert entity.can_transition(Entity.Status.VERIFIED)
    assert not entity.can_transition(Entity.Status.SUSPENDED)


@pytest.mark.django_db
def test_audit_entry_refuses_update_and_delete_through_the_model():
    entry = log(actor=None, action="tests.thing.done", data={"x": 1})
    entry.action = "tests.thing.rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "tests.thing.done"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE entities_auditentry SET action = 'rewritten' WHERE id = %s",
        "DELETE FROM entities_auditentry WHERE id = %s",
    ],
)
def test_audit_entry_refuses_raw_sql_through_the_postgresql_trigger(sql):
    # The application role has no UPDATE or DELETE on the table (test_audit_roles.py); the
    # trigger refuses them even to the owner.
    entry = log(actor=None, action="tests.thing.done")
    with (
        pytest.raises(DatabaseError, match=r"append-only|permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "tests.thing.done"
