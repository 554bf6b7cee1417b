"""The demo world: a small, coherent Colombia-like set of entities, networks and people.

Every name, NIT and código EPS here is invented (the NITs carry valid check digits; the
códigos EPS `EPS099`, `EPSS99` and `EAS099` are not in the official catalog), so demo data
can never pass for a real entity. Every demo user has the same known password.

Later modules add their own demo data in a `demo.py` module of their app with the same two
functions, `seed(world)` and `credentials()`; `seed_demo` and `demo_credentials` call them
in INSTALLED_APPS order.
"""

from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from stdnum.co import nit as stdnum_nit

from entities import services as entity_services
from entities.models import (
    Entity,
    Membership,
    Municipality,
    NetworkLink,
    PayerCode,
    Regime,
    Sede,
    TerritorialLink,
)
from entities.permissions import ROLES_BY_ENTITY_TYPE, EntityType, Role

from . import services
from .models import DocumentType, User
from .registries import seed_demo_registries

DEMO_PASSWORD = "Demo.Mipres.2026"
MINISTRY_ADMIN = ("CC", "1000000001")


@dataclass(frozen=True)
class DemoEntity:
    key: str
    index: int  # part of the demo users' document numbers
    entity_type: str
    nit: str
    name: str
    municipality: str
    extra: dict = field(default_factory=dict)
    payer_codes: tuple = ()
    sedes: tuple = ()  # (code, name, address, municipality)

    @property
    def dv(self) -> str:
        return stdnum_nit.calc_check_digit(self.nit)


ENTITIES = [
    DemoEntity(
        "et",
        1,
        EntityType.ET,
        "899999101",
        "Secretaría Seccional de Salud de Antioquia (demo)",
        "05001",
        extra={"dane_code": "05", "address": "Calle 42B # 52-106, Medellín"},
    ),
    DemoEntity(
        "eps",
        2,
        EntityType.EPS,
        "900100201",
        "EPS Andina Salud S.A. (demo)",
        "11001",
        extra={"address": "Carrera 7 # 71-21, Bogotá", "phone": "601 7430000"},
        payer_codes=(("EPS099", Regime.CONTRIBUTIVO), ("EPSS99", Regime.SUBSIDIADO)),
    ),
    DemoEntity(
        "eoc",
        3,
        EntityType.EOC,
        "900100302",
        "Entidad Adaptada Salud Solidaria (demo)",
        "11001",
        extra={"address": "Avenida Calle 26 # 69-76, Bogotá"},
        payer_codes=(("EAS099", Regime.CONTRIBUTIVO),),
    ),
    DemoEntity(
        "ips1",
        4,
        EntityType.IPS,
        "900200401",
        "Clínica del Valle de Aburrá (demo)",
        "05001",
        extra={"reps_code": "050010000101", "address": "Carrera 48 # 19A-40, Medellín"},
        sedes=(
            ("01", "Sede principal", "Carrera 48 # 19A-40", "05001"),
            ("02", "Sede ambulatoria Laureles", "Circular 1 # 70-01", "05001"),
        ),
    ),
    DemoEntity(
        "ips2",
        5,
        EntityType.IPS,
        "900200502",
        "Hospital Universitario Santa Fe (demo)",
        "11001",
        extra={"reps_code": "110010000201", "address": "Calle 119 # 7-75, Bogotá"},
        sedes=(("01", "Sede Usaquén", "Calle 119 # 7-75", "11001"),),
    ),
    DemoEntity(
        "prov1",
        6,
        EntityType.PROVEEDOR,
        "900300601",
        "Dispensación Antioquia S.A.S. (demo)",
        "05001",
        extra={"address": "Calle 50 # 46-36, Medellín"},
        sedes=(
            ("01", "Punto de dispensación Centro", "Calle 50 # 46-36", "05001"),
            ("02", "Punto de dispensación Belén", "Carrera 76 # 30A-20", "05001"),
        ),
    ),
    DemoEntity(
        "prov2",
        7,
        EntityType.PROVEEDOR,
        "900300702",
        "Operador Farmacéutico Nacional S.A.S. (demo)",
        "11001",
        extra={"address": "Avenida Carrera 68 # 13-50, Bogotá"},
        sedes=(
            ("01", "Centro de dispensación Bogotá", "Avenida Carrera 68 # 13-50", "11001"),
            ("02", "Centro de dispensación Cali", "Calle 5 # 38-14", "76001"),
        ),
    ),
]
BY_KEY = {e.key: e for e in ENTITIES}

# (payer, code or None, territory or None, providers)
NETWORKS = [
    ("eps", "EPS099", None, ("ips1", "ips2", "prov1", "prov2")),
    ("eps", "EPSS99", "et", ("ips1", "prov1")),
    ("eoc", "EAS099", None, ("ips2", "prov2")),
    ("et", None, None, ("ips1", "prov1")),
]
TERRITORIAL_LINKS = [("et", "EPSS99")]

GIVEN_NAMES = [
    ("Ana", "Lucía"),
    ("Carlos", "Eduardo"),
    ("Luisa", "Fernanda"),
    ("Jorge", "Iván"),
    ("María", "José"),
    ("Andrés", "Felipe"),
    ("Paula", "Andrea"),
    ("Juan", "Camilo"),
    ("Diana", "Marcela"),
    ("Santiago", ""),
    ("Valentina", ""),
]
SURNAMES = ["Restrepo", "Gómez", "Rodríguez", "Martínez", "Vélez", "Ospina", "Cárdenas", "Rojas"]


@dataclass(frozen=True)
class DemoUser:
    document_number: str
    entity: DemoEntity
    role: str

    @property
    def names(self) -> dict:
        n = int(self.document_number)
        first, middle = GIVEN_NAMES[n % len(GIVEN_NAMES)]
        return {
            "first_name": first,
            "middle_name": middle,
            "first_surname": SURNAMES[n % len(SURNAMES)],
            "second_surname": SURNAMES[(n // 3) % len(SURNAMES)],
        }


def demo_users() -> list[DemoUser]:
    """One user for every role that applies to each demo entity."""
    users = []
    for entity in ENTITIES:
        for role_index, role in enumerate(ROLES_BY_ENTITY_TYPE[entity.entity_type], start=1):
            number = f"{1_000_000_000 + entity.index * 100 + role_index}"
            users.append(DemoUser(number, entity, role))
    return users


@cache
def _demo_password_hash() -> str:
    # Hash once: the password hasher is deliberately slow, and every demo user shares it.
    return make_password(DEMO_PASSWORD)


def _person(document_number: str, names: dict) -> User:
    user = User.objects.filter(document_type=DocumentType.CC, document_number=document_number)
    if user.exists():
        return user.get()
    return services.person_register(
        actor=None,
        document_type=DocumentType.CC,
        document_number=document_number,
        password_hash=_demo_password_hash(),
        email=f"cc{document_number}@demo.mipres.local",
        **names,
    )


def _ministry_admin() -> User:
    # Bootstrap, as createsuperuser would: the Ministry's first administrator.
    admin = _person(
        MINISTRY_ADMIN[1],
        {"first_name": "Administrador", "first_surname": "Ministerio", "second_surname": "Demo"},
    )
    if not admin.is_staff:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        admin.user_permissions.add(Permission.objects.get(codename="verify_entity"))
    return admin


def _entity(spec: DemoEntity, ministry: User) -> Entity:
    entity = Entity.objects.filter(nit=spec.nit).first()
    if entity is None:
        entity = entity_services.entity_register(
            actor=ministry,
            entity_type=spec.entity_type,
            nit=spec.nit,
            dv=spec.dv,
            name=spec.name,
            municipality=Municipality.objects.get(code=spec.municipality),
            payer_codes=spec.payer_codes,
            **spec.extra,
        )
    if entity.status == Entity.Status.PENDING:
        entity = entity_services.entity_verify(actor=ministry, entity=entity)
    for code, name, address, municipality in spec.sedes:
        if not Sede.objects.filter(entity=entity, code=code).exists():
            entity_services.sede_create(
                actor=None,
                entity=entity,
                code=code,
                name=name,
                address=address,
                municipality=Municipality.objects.get(code=municipality),
            )
    return entity


@dataclass(frozen=True)
class StagedPerson:
    """Someone part-way through registration, so each screen has a case to show."""

    document_number: str
    names: tuple[str, str, str, str]
    stage: str  # "registrado" (PASO 1 only) or "con_credenciales" (PASO 2 done)
    note: str

    @property
    def has_credentials(self) -> bool:
        return self.stage == "con_credenciales"


# 1000009001 (a médico active in RETHUS) is deliberately not registered: the PASO 1 journey.
STAGED_PEOPLE = [
    StagedPerson(
        "1000009002", ("Catalina", "", "Mejía", "Arango"), "registrado", "odontóloga sin PASO 2"
    ),
    StagedPerson(
        "1000009003", ("Mauricio", "", "Londoño", "Salazar"), "con_credenciales", "optómetra"
    ),
    StagedPerson(
        "1000009004",
        ("Natalia", "Isabel", "Quintero", "Henao"),
        "con_credenciales",
        "nutricionista",
    ),
    StagedPerson(
        "1000009005",
        ("Gloria", "Patricia", "Muñoz", "Betancur"),
        "con_credenciales",
        "enfermera: no prescribe; puede ser dispensadora",
    ),
    StagedPerson(
        "1000009006",
        ("Hernán", "Darío", "Castaño", "Uribe"),
        "registrado",
        "médico inactivo en RETHUS",
    ),
    StagedPerson(
        "1000009007",
        ("Sofía", "", "Echeverri", "Toro"),
        "con_credenciales",
        "médica independiente (REPS 050010009007, NIT 1000009007)",
    ),
    StagedPerson(
        "1000009101",
        ("Ricardo", "", "Gaviria", "Ochoa"),
        "registrado",
        "representante legal de las entidades pendientes",
    ),
    StagedPerson(
        "1000009102",
        ("Marcela", "", "Pineda", "Correa"),
        "registrado",
        "delegada designada de las entidades pendientes",
    ),
]

# Registrations waiting: one confirmed by its legal representative (waits for the Ministry),
# one not yet confirmed. (NIT 900400301, in the demo REPS, is left for the registration
# journey.)
PENDING_ENTITIES = [
    DemoEntity(
        "pending_confirmed",
        8,
        EntityType.PROVEEDOR,
        "900500801",
        "Farmacia Demo del Caribe (demo)",
        "08001",
        extra={"address": "Carrera 54 # 72-80, Barranquilla"},
    ),
    DemoEntity(
        "pending_unconfirmed",
        9,
        EntityType.ET,
        "900500902",
        "Secretaría de Salud del Valle del Cauca (demo)",
        "76001",
        extra={"dane_code": "76", "address": "Carrera 6 # 9-60, Cali"},
    ),
]


def _staged_person(person: StagedPerson) -> User:
    existing = User.objects.filter(
        document_type=DocumentType.CC, document_number=person.document_number
    )
    if existing.exists():
        return existing.get()
    first, middle, surname, second = person.names
    return services.person_register(
        actor=None,
        document_type=DocumentType.CC,
        document_number=person.document_number,
        password_hash=_demo_password_hash() if person.has_credentials else None,
        email=f"cc{person.document_number}@demo.mipres.local",
        first_name=first,
        middle_name=middle,
        first_surname=surname,
        second_surname=second,
    )


def _pending_registrations(people: dict[str, User]) -> None:
    legal, delegate = people["1000009101"], people["1000009102"]
    for spec in PENDING_ENTITIES:
        if Entity.objects.filter(nit=spec.nit).exists():
            continue
        entity = entity_services.entity_register(
            actor=legal,
            entity_type=spec.entity_type,
            nit=spec.nit,
            dv=spec.dv,
            name=spec.name,
            municipality=Municipality.objects.get(code=spec.municipality),
            legal_representative=legal,
            pending_delegate=delegate,
            **spec.extra,
        )
        if spec.key == "pending_confirmed":
            entity_services.entity_confirm_registration(actor=legal, entity=entity)


def seed(world: dict) -> None:
    seed_demo_registries()
    ministry = _ministry_admin()
    entities = {spec.key: _entity(spec, ministry) for spec in ENTITIES}
    world["entities"] = entities
    for et_key, code in TERRITORIAL_LINKS:
        payer_code = PayerCode.objects.get(code=code)
        if not TerritorialLink.objects.active().filter(payer_code=payer_code).exists():
            entity_services.territorial_link_activate(
                actor=None, territory=entities[et_key], payer_code=payer_code
            )
    for payer_key, code, territory_key, providers in NETWORKS:
        payer_code = PayerCode.objects.get(code=code) if code else None
        territory = entities[territory_key] if territory_key else None
        for provider_key in providers:
            provider = entities[provider_key]
            link = NetworkLink.objects.active().filter(
                payer=entities[payer_key], payer_code=payer_code, provider=provider
            )
            if not link.exists():
                entity_services.network_link_activate(
                    actor=None,
                    payer=entities[payer_key],
                    provider=provider,
                    payer_code=payer_code,
                    territory=territory,
                )
    for demo_user in demo_users():
        user = _person(demo_user.document_number, demo_user.names)
        entity = entities[demo_user.entity.key]
        active = Membership.objects.active().filter(user=user, entity=entity, role=demo_user.role)
        if active.exists():
            continue
        if demo_user.role == Role.DELEGADO:
            entity_services.delegate_designate(actor=None, entity=entity, user=user, notify=False)
        else:
            entity_services.membership_activate(
                actor=None, entity=entity, user=user, role=demo_user.role
            )
    people = {p.document_number: _staged_person(p) for p in STAGED_PEOPLE}
    _pending_registrations(people)


def credentials() -> dict:
    users = [
        {
            "document_type": DocumentType.CC.value,
            "document_number": u.document_number,
            "password": DEMO_PASSWORD,
            "entity_nit": u.entity.nit,
            "entity_name": u.entity.name,
            "entity_type": str(u.entity.entity_type),
            "roles": [str(u.role)],
        }
        for u in demo_users()
    ]
    admins = [
        {
            "document_type": MINISTRY_ADMIN[0],
            "document_number": MINISTRY_ADMIN[1],
            "password": DEMO_PASSWORD,
            "description": "Administrador del Ministerio (Django admin)",
        }
    ]
    people = [
        {
            "document_type": DocumentType.CC.value,
            "document_number": p.document_number,
            "password": DEMO_PASSWORD if p.has_credentials else None,
            "stage": p.stage,
            "note": p.note,
        }
        for p in STAGED_PEOPLE
    ]
    pending = [
        {"entity_nit": e.nit, "entity_name": e.name, "entity_type": str(e.entity_type)}
        for e in PENDING_ENTITIES
    ]
    return {"users": users, "admins": admins, "people": people, "pending_entities": pending}
