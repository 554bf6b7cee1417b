import pytest

from entities.permissions import (
    ROLES_BY_ENTITY_TYPE,
    VIEW_ENTITY,
    EntityType,
    Role,
    permissions_for,
    role_applies,
)


def test_administrativo_directs_at_a_payer_and_programs_at_a_provider():
    payer = permissions_for(Role.ADMINISTRATIVO, EntityType.EPS)
    provider = permissions_for(Role.ADMINISTRATIVO, EntityType.PROVEEDOR)
    assert "supply.direct" in payer and "supply.program" not in payer
    assert "supply.program" in provider and "supply.direct" not in provider


@pytest.mark.parametrize(
    ("entity_type", "duty"),
    [
        (EntityType.ET, "entities.manage_territory"),
        (EntityType.EPS, "entities.manage_network"),
        (EntityType.IPS, "entities.manage_sedes"),
        (EntityType.PROVEEDOR, "entities.manage_sedes"),
    ],
)
def test_each_delegate_gets_their_entity_types_duty(entity_type, duty):
    assert duty in permissions_for(Role.DELEGADO, entity_type)


def test_a_role_outside_its_entity_type_grants_nothing():
    assert not role_applies(Role.TRANSCRIPTOR, EntityType.IPS)
    assert permissions_for(Role.TRANSCRIPTOR, EntityType.IPS) == frozenset()
    assert permissions_for(Role.PRESCRIPTOR, EntityType.PROVEEDOR) == frozenset()


def test_every_applicable_role_can_see_its_entity():
    for entity_type, roles in ROLES_BY_ENTITY_TYPE.items():
        for role in roles:
            assert VIEW_ENTITY in permissions_for(role, entity_type), (role, entity_type)


def test_seed_002_role_lists():
    assert set(ROLES_BY_ENTITY_TYPE[EntityType.PROVEEDOR]) == {
        Role.DELEGADO,
        Role.ADMINISTRATIVO,
        Role.DISPENSADOR,
    }
    assert Role.RECOBRANTE in ROLES_BY_ENTITY_TYPE[EntityType.EOC]
    assert Role.ADMISION in ROLES_BY_ENTITY_TYPE[EntityType.IPS]
