import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from stdnum.co import nit as stdnum_nit

from entities import services
from entities.models import AuditEntry, Entity, Membership, Municipality, NetworkLink
from mipres.lib.errors import DomainError

from ..accounts.factories import UserFactory
from .factories import EntityFactory, PayerCodeFactory, SedeFactory, grant

pytestmark = pytest.mark.django_db

NIT = "900100201"
DV = stdnum_nit.calc_check_digit(NIT)


def _last_audit(action):
    return AuditEntry.objects.filter(action=action).latest("id")


# --- entity registration and status ---------------------------------------------------


def test_ministry_registers_an_entity_pending_with_its_payer_codes(ministry_admin):
    entity = services.entity_register(
        actor=ministry_admin,
        entity_type="EPS",
        nit=NIT,
        dv=DV,
        name="EPS Nueva",
        municipality=Municipality.objects.get(code="11001"),
        payer_codes=[("EPT001", "contributivo"), ("EPTS01", "subsidiado")],
    )
    assert entity.status == Entity.Status.PENDING
    assert sorted(entity.payer_codes.values_list("code", flat=True)) == ["EPT001", "EPTS01"]
    entry = _last_audit("entities.entity.registered")
    assert entry.actor == ministry_admin and entry.entity == entity


def test_registration_with_a_bad_check_digit_saves_nothing(ministry_admin):
    with pytest.raises(ValidationError) as error:
        services.entity_register(
            actor=ministry_admin,
            entity_type="EPS",
            nit="900100201",
            dv=str((int(DV) + 1) % 10),
            name="EPS Nueva",
            municipality=Municipality.objects.get(code="11001"),
        )
    assert "dv" in error.value.message_dict
    assert not Entity.objects.filter(nit="900100201").exists()
    assert not AuditEntry.objects.filter(action="entities.entity.registered").exists()


def test_a_bad_payer_code_rolls_back_the_whole_registration(ministry_admin):
    with pytest.raises(ValidationError):
        services.entity_register(
            actor=ministry_admin,
            entity_type="EPS",
            nit=NIT,
            dv=DV,
            name="EPS Nueva",
            municipality=Municipality.objects.get(code="11001"),
            payer_codes=[("eps-1", "contributivo")],
        )
    assert not Entity.objects.filter(nit="900100201").exists()


def test_only_the_ministry_registers_entities(owner):
    with pytest.raises(PermissionDenied):
        services.entity_register(
            actor=owner,
            entity_type="EPS",
            nit=NIT,
            dv=DV,
            name="EPS Nueva",
            municipality=Municipality.objects.get(code="11001"),
        )


@pytest.mark.parametrize(
    ("start", "service", "allowed"),
    [
        ("pending", "entity_verify", True),
        ("suspended", "entity_verify", True),
        ("verified", "entity_verify", False),
        ("verified", "entity_suspend", True),
        ("pending", "entity_suspend", False),
        ("suspended", "entity_suspend", False),
    ],
)
def test_status_transitions_through_services(ministry_admin, start, service, allowed):
    entity = EntityFactory(status=start)
    kwargs = {"reason": "Prueba"} if service == "entity_suspend" else {}
    call = getattr(services, service)
    if allowed:
        result = call(actor=ministry_admin, entity=entity, **kwargs)
        assert result.status != start
        entry = AuditEntry.objects.filter(entity=entity).latest("id")
        assert entry.data["from"] == start and entry.data["to"] == result.status
    else:
        with pytest.raises(DomainError):
            call(actor=ministry_admin, entity=entity, **kwargs)
        entity.refresh_from_db()
        assert entity.status == start
        assert not AuditEntry.objects.filter(entity=entity).exists()


def test_verification_records_the_date_once(ministry_admin):
    entity = EntityFactory(status="pending")
    services.entity_verify(actor=ministry_admin, entity=entity)
    entity.refresh_from_db()
    assert entity.verified_at is not None


def test_staff_without_the_verify_permission_cannot_verify():
    staff = UserFactory(is_staff=True)
    entity = EntityFactory(status="pending")
    with pytest.raises(PermissionDenied):
        services.entity_verify(actor=staff, entity=entity)


# --- memberships ----------------------------------------------------------------------


def test_delegate_activates_a_role_in_their_entity(ips, owner):
    person = UserFactory()
    membership = services.membership_activate(actor=owner, entity=ips, user=person, role="admision")
    assert membership.is_active and membership.started_by == owner
    entry = _last_audit("entities.membership.activated")
    assert entry.data["role"] == "admision" and entry.entity == ips


def test_a_member_without_the_delegate_role_cannot_activate(ips, member_readonly):
    with pytest.raises(PermissionDenied):
        services.membership_activate(
            actor=member_readonly, entity=ips, user=UserFactory(), role="admision"
        )


def test_a_delegate_of_another_entity_cannot_activate(ips, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_activate(
            actor=outsider, entity=ips, user=UserFactory(), role="admision"
        )


def test_the_delegate_of_a_suspended_entity_cannot_activate(ips, owner):
    ips.status = Entity.Status.SUSPENDED
    ips.save(update_fields=["status"])
    with pytest.raises(PermissionDenied):
        services.membership_activate(actor=owner, entity=ips, user=UserFactory(), role="admision")


def test_a_role_that_does_not_exist_for_the_entity_type_is_refused(ips, owner):
    with pytest.raises(DomainError, match="Transcriptor"):
        services.membership_activate(
            actor=owner, entity=ips, user=UserFactory(), role="transcriptor"
        )
    assert not Membership.objects.filter(role="transcriptor").exists()


def test_a_duplicate_active_role_is_refused(ips, owner, member_readonly):
    with pytest.raises(DomainError, match="ya tiene el rol Prescriptor activo"):
        services.membership_activate(
            actor=owner, entity=ips, user=member_readonly, role="prescriptor"
        )
    assert Membership.objects.filter(user=member_readonly).count() == 1


def test_a_delegate_never_grants_the_delegado_role(ips, owner):
    with pytest.raises(DomainError, match="lo designa el representante legal"):
        services.membership_activate(actor=owner, entity=ips, user=UserFactory(), role="delegado")


def test_a_dispensador_sede_must_belong_to_the_entity(owner, ips):
    foreign_sede = SedeFactory()
    with pytest.raises(DomainError, match="sede no pertenece"):
        services.membership_activate(
            actor=owner, entity=ips, user=UserFactory(), role="dispensador", sedes=[foreign_sede]
        )


# --- sedes ----------------------------------------------------------------------------


def test_delegate_creates_a_sede_and_a_duplicate_code_is_refused(ips, owner):
    medellin = Municipality.objects.get(code="05001")
    fields = {"code": "01", "name": "Principal", "address": "Calle 1", "municipality": medellin}
    sede = services.sede_create(actor=owner, entity=ips, **fields)
    assert _last_audit("entities.sede.created").object_id == str(sede.pk)
    with pytest.raises(ValidationError) as error:
        services.sede_create(actor=owner, entity=ips, **fields)
    assert "La entidad ya tiene una sede con este código." in error.value.messages


def test_a_prescriptor_cannot_create_sedes(ips, member_readonly):
    with pytest.raises(PermissionDenied):
        services.sede_create(
            actor=member_readonly,
            entity=ips,
            code="01",
            name="X",
            address="Y",
            municipality=Municipality.objects.get(code="05001"),
        )


# --- networks and territorial links ---------------------------------------------------


@pytest.fixture
def eps_world():
    eps = EntityFactory(entity_type="EPS")
    contributivo = PayerCodeFactory(entity=eps, code="EPT001", regime="contributivo")
    subsidiado = PayerCodeFactory(entity=eps, code="EPTS01", regime="subsidiado")
    et = EntityFactory(entity_type="ET")
    provider = EntityFactory(entity_type="PROVEEDOR")
    delegate = UserFactory()
    grant(delegate, eps, "delegado")
    et_delegate = UserFactory()
    grant(et_delegate, et, "delegado")
    return {
        "eps": eps,
        "contributivo": contributivo,
        "subsidiado": subsidiado,
        "et": et,
        "provider": provider,
        "delegate": delegate,
        "et_delegate": et_delegate,
    }


def test_contributivo_code_associates_directly(eps_world):
    w = eps_world
    link = services.network_link_activate(
        actor=w["delegate"], payer=w["eps"], provider=w["provider"], payer_code=w["contributivo"]
    )
    assert link.is_active and link.territory is None
    assert _last_audit("entities.network_link.activated").entity == w["eps"]


def test_subsidiado_code_needs_a_territory_that_associated_it(eps_world):
    w = eps_world
    with pytest.raises(DomainError, match="elija la entidad territorial"):
        services.network_link_activate(
            actor=w["delegate"], payer=w["eps"], provider=w["provider"], payer_code=w["subsidiado"]
        )
    with pytest.raises(DomainError, match="no ha asociado"):
        services.network_link_activate(
            actor=w["delegate"],
            payer=w["eps"],
            provider=w["provider"],
            payer_code=w["subsidiado"],
            territory=w["et"],
        )
    services.territorial_link_activate(
        actor=w["et_delegate"], territory=w["et"], payer_code=w["subsidiado"]
    )
    link = services.network_link_activate(
        actor=w["delegate"],
        payer=w["eps"],
        provider=w["provider"],
        payer_code=w["subsidiado"],
        territory=w["et"],
    )
    assert link.territory == w["et"]


def test_a_duplicate_active_network_link_is_refused(eps_world):
    w = eps_world
    kwargs = {"payer": w["eps"], "provider": w["provider"], "payer_code": w["contributivo"]}
    services.network_link_activate(actor=w["delegate"], **kwargs)
    with pytest.raises(DomainError, match="ya está activa"):
        services.network_link_activate(actor=w["delegate"], **kwargs)
    assert NetworkLink.objects.count() == 1


def test_network_refusals(eps_world):
    w = eps_world
    other_eps_code = PayerCodeFactory()
    with pytest.raises(DomainError, match="no pertenece"):
        services.network_link_activate(
            actor=w["delegate"], payer=w["eps"], provider=w["provider"], payer_code=other_eps_code
        )
    with pytest.raises(DomainError, match="Solo una IPS o un proveedor"):
        services.network_link_activate(
            actor=w["delegate"], payer=w["eps"], provider=w["et"], payer_code=w["contributivo"]
        )
    pending = EntityFactory(entity_type="IPS", status="pending")
    with pytest.raises(DomainError, match="no está verificada"):
        services.network_link_activate(
            actor=w["delegate"], payer=w["eps"], provider=pending, payer_code=w["contributivo"]
        )
    with pytest.raises(DomainError, match="Solo los códigos del régimen subsidiado"):
        services.network_link_activate(
            actor=w["delegate"],
            payer=w["eps"],
            provider=w["provider"],
            payer_code=w["contributivo"],
            territory=w["et"],
        )
    assert not NetworkLink.objects.exists()


def test_a_payer_delegate_cannot_touch_another_payers_network(eps_world, outsider):
    w = eps_world
    with pytest.raises(PermissionDenied):
        services.network_link_activate(
            actor=outsider, payer=w["eps"], provider=w["provider"], payer_code=w["contributivo"]
        )


def test_an_et_associates_only_subsidiado_codes(eps_world):
    w = eps_world
    with pytest.raises(DomainError, match="no es del régimen subsidiado"):
        services.territorial_link_activate(
            actor=w["et_delegate"], territory=w["et"], payer_code=w["contributivo"]
        )
    with pytest.raises(PermissionDenied):
        services.territorial_link_activate(
            actor=w["delegate"], territory=w["et"], payer_code=w["subsidiado"]
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_of_the_same_role_give_exactly_one_membership():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    ips = EntityFactory(entity_type="IPS")
    person = UserFactory()
    barrier = Barrier(4)

    def activate(_):
        try:
            barrier.wait()
            services.membership_activate(actor=None, entity=ips, user=person, role="admision")
            return "ok"
        except DomainError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        results = sorted(pool.map(activate, range(4)))
    assert results == ["ok", "refused", "refused", "refused"]
    assert Membership.objects.active().filter(user=person, role="admision").count() == 1
    assert AuditEntry.objects.filter(action="entities.membership.activated").count() == 1
