"""bench/volume.py's world: who prescribes and who pays, for a volume load.

`Catalogs.load` draws codes from the enabled catalog rows (common codes common, rare ones
rare; a catalog still empty gets a few rows flagged source "demo"); `World.build` creates
the synthetic "(volumen)" EPS with their payer codes, the IPS with a sede each, and the
médicos with a RETHUS record and a membership, beside the demo world's entities, and says
which share of the prescriptions each IPS and prescriber takes. The numbering bases
(`NIT_BASE`, `PATIENT_DOCUMENT_BASE`…) keep the synthetic rows apart from the demo's;
bench/volume_supply.py uses them too.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from stdnum.co import nit as stdnum_nit

from accounts.demo import BY_KEY
from accounts.models import DocumentType, User
from accounts.models.registries import Profession, ProfessionalRecord
from bench.copying import Picker, copy_escape
from entities.models import Entity, Membership, Municipality, PayerCode, Regime, Sede
from entities.permissions import EntityType, Role
from prescriptions.models.catalogs import (
    ActiveIngredient,
    AdministrationRoute,
    CatalogSource,
    ComplementaryService,
    CupsProcedure,
    DeviceType,
    Diagnosis,
    DoseUnit,
    MeasurementUnit,
    NutritionalForm,
    NutritionalProduct,
    NutritionalProductType,
    OrphanDisease,
    PharmaceuticalForm,
    PresentationUnit,
)

VOLUME_SOURCE = "volumen"  # Affiliation.source and ProfessionalRecord.source of these rows
SUFFIX = "(volumen)"
NIT_BASE = 999_900_000  # synthetic entities: NIT 999900001, 999900002, …
PATIENT_DOCUMENT_BASE = 2_900_000_000
PRESCRIBER_DOCUMENT_BASE = 2_800_000_000
N_EPS = 8
DEMO_IPS_SHARE = 0.05  # of all prescriptions, for each demo IPS
DEMO_PRESCRIBER_SHARE = 0.20  # of its IPS's prescriptions, for each demo Prescriptor


def words(text: str) -> list[str]:
    return text.split()


GIVEN_NAMES = words(
    "María José Luis Carlos Ana Juan Luz Jorge Rosa Andrés Diana Camilo Paula Fernando Sandra "
    "Alejandro Gloria Santiago Valentina Daniel Martha Felipe Claudia Sebastián Adriana Mateo "
    "Yolanda Julián Natalia Hernán Isabel Óscar Carolina Jhon Marcela Esteban Lucía Samuel "
    "Mariana Nicolás Alba Ricardo Ángela Wilson Sofía Diego Leidy Édgar Daniela Gustavo"
)
SURNAMES = words(
    "Rodríguez Gómez González Martínez García López Hernández Sánchez Ramírez Pérez Díaz "
    "Muñoz Rojas Moreno Jiménez Vargas Castro Gutiérrez Ortiz Restrepo Osorio Cardona Ospina "
    "Vélez Zapata Mejía Arango Giraldo Quintero Valencia Mosquera Palacios Córdoba Mina "
    "Ocoró Suárez Rincón Pardo Cárdenas Londoño Henao Castaño Betancur Salazar Agudelo "
    "Montoya Toro Echeverri Ríos Acosta Benítez Cuesta"
)
STREETS = ("Calle", "Carrera", "Avenida", "Diagonal", "Transversal")


def demo_entity(key: str) -> Entity | None:
    return Entity.objects.filter(nit=BY_KEY[key].nit).first()


# ---------------------------------------------------------------------------------------------
# Drawing values fast


def _zipf(rng: random.Random, values: Sequence, exponent: float = 1.0) -> Picker:
    """A few values common, most rare, as codes are in real prescribing: weights
    1/rank^exponent over a seeded shuffle of `values`."""
    shuffled = list(values)
    rng.shuffle(shuffled)
    return Picker(rng, shuffled, [1 / (rank**exponent) for rank in range(1, len(shuffled) + 1)])


def split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, exactly (largest remainders)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Catalogs


# Rows to create when a catalog is empty even after the starter set (it should never be).
_DEMO_ROWS = {
    Diagnosis: [("U991", "DIAGNÓSTICO DE VOLUMEN 1"), ("U992", "DIAGNÓSTICO DE VOLUMEN 2")],
    CupsProcedure: [("V99001", "PROCEDIMIENTO DE VOLUMEN")],
    ActiveIngredient: [("99901", "PRINCIPIO ACTIVO DE VOLUMEN")],
    PharmaceuticalForm: [("COLFF999", "FORMA DE VOLUMEN")],
    AdministrationRoute: [("999", "VÍA DE VOLUMEN")],
    MeasurementUnit: [("9999", "unidad de volumen")],
    DoseUnit: [("9999", "unidad de dosis de volumen")],
    PresentationUnit: [("99", "PRESENTACIÓN DE VOLUMEN")],
    DeviceType: [("999", "DISPOSITIVO DE VOLUMEN")],
    NutritionalProductType: [("9999", "PRODUCTO NUTRICIONAL DE VOLUMEN")],
    NutritionalForm: [("99", "FORMA NUTRICIONAL DE VOLUMEN")],
    ComplementaryService: [("999", "SERVICIO COMPLEMENTARIO DE VOLUMEN")],
}


@dataclass
class Catalogs:
    diagnosis: Picker
    related_diagnosis: Picker
    orphan: Picker | None
    procedure: Picker
    ingredient: Picker
    form: Picker
    route: Picker
    unit: Picker
    dose_unit: Picker
    presentation: Picker
    device: Picker
    nutritional_type: Picker
    nutritional_products: dict[int, Picker]
    nutritional_form: Picker
    service: Picker
    names: dict[type, dict[int, str]]

    @classmethod
    def load(cls, rng: random.Random) -> Catalogs:
        cls._ensure_rows()
        rows = {model: cls._enabled(model) for model in (*_DEMO_ROWS, OrphanDisease)}
        names = {
            model: {pk: copy_escape(name[:200]) for pk, name in r} for model, r in rows.items()
        }
        ids = {model: [pk for pk, _name in r] for model, r in rows.items()}
        services = list(
            ComplementaryService.objects.filter(enabled=True)
            .exclude(code_period=ComplementaryService.CodePeriod.BEFORE_2019_10)
            .values_list("pk", flat=True)
        )
        products: dict[int, list[int]] = {}
        for pk, type_id, name in NutritionalProduct.objects.filter(enabled=True).values_list(
            "pk", "product_type_id", "name"
        ):
            products.setdefault(type_id, []).append(pk)
            names.setdefault(NutritionalProduct, {})[pk] = copy_escape(name[:200])
        for pk, symbol in MeasurementUnit.objects.exclude(symbol="").values_list("pk", "symbol"):
            names[MeasurementUnit][pk] = copy_escape(symbol)
        return cls(
            diagnosis=_zipf(rng, ids[Diagnosis], 1.1),
            related_diagnosis=_zipf(rng, ids[Diagnosis], 0.9),
            orphan=_zipf(rng, ids[OrphanDisease]) if ids[OrphanDisease] else None,
            procedure=_zipf(rng, ids[CupsProcedure]),
            ingredient=_zipf(rng, ids[ActiveIngredient]),
            form=_zipf(rng, ids[PharmaceuticalForm], 1.5),
            route=_zipf(rng, ids[AdministrationRoute], 1.5),
            unit=_zipf(rng, ids[MeasurementUnit], 1.5),
            dose_unit=_zipf(rng, ids[DoseUnit], 1.5),
            presentation=_zipf(rng, ids[PresentationUnit], 1.2),
            device=_zipf(rng, ids[DeviceType], 0.8),
            nutritional_type=_zipf(rng, ids[NutritionalProductType], 0.8),
            nutritional_products={t: Picker(rng, p) for t, p in products.items()},
            nutritional_form=Picker(rng, ids[NutritionalForm]),
            service=_zipf(rng, services or ids[ComplementaryService], 0.8),
            names=names,
        )

    @staticmethod
    def _enabled(model) -> list[tuple[int, str]]:
        return list(model.objects.filter(enabled=True).order_by("pk").values_list("pk", "name"))

    @staticmethod
    def _ensure_rows() -> None:
        empty = [m for m in _DEMO_ROWS if not m.objects.filter(enabled=True).exists()]
        if not empty:
            return
        from prescriptions.catalogs import load_starter_catalogs

        load_starter_catalogs()
        for model in _DEMO_ROWS:
            if not model.objects.filter(enabled=True).exists():
                for code, name in _DEMO_ROWS[model]:
                    model.objects.update_or_create(
                        code=code,
                        defaults={"name": name, "enabled": True, "source": CatalogSource.DEMO},
                    )


# ---------------------------------------------------------------------------------------------
# Entities, payers and prescribers


@dataclass
class _Ips:
    pk: int
    reps_code: str
    sedes: list[int]
    municipality: str
    weight: float
    prescribers: list[tuple[int, str]] = field(default_factory=list)  # (user id, registration)
    prescriber_weights: list[float] = field(default_factory=list)
    annuller: int = 0
    pick_prescriber: Picker | None = None


@dataclass
class World:
    """Who prescribes and who pays: the demo world plus the synthetic "(volumen)" one."""

    ips: list[_Ips]
    payer_codes: list[tuple[int, int, str]]  # (payer code id, entity id, régimen)
    payer_code_weights: list[float]
    territory: int | None  # the demo ET, paying for patients without affiliation
    territory_municipalities: list[str]
    municipalities: list[str]
    prescriber_count: int

    @classmethod
    def build(cls, prescriptions: int, rng: random.Random, since: date) -> World:
        """Create the synthetic entities, sedes, users, RETHUS records and memberships."""
        municipalities = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
        started = timezone.make_aware(
            datetime.combine(since - timedelta(days=400), datetime.min.time())
        )
        n_ips = max(2, min(400, prescriptions // 20_000))
        n_prescribers = max(4, min(5_000, prescriptions // 2_000))
        nits = iter(range(NIT_BASE + 1, NIT_BASE + 10_000))

        def entity(entity_type: str, name: str, municipality: str, **extra) -> Entity:
            nit = str(next(nits))
            return Entity(
                entity_type=entity_type,
                nit=nit,
                dv=stdnum_nit.calc_check_digit(nit),
                name=f"{name} {SUFFIX}",
                municipality_id=municipality,
                status=Entity.Status.VERIFIED,
                created_at=started,
                registration_confirmed_at=started,
                verified_at=started,
                **extra,
            )

        # Payers: the demo codes and N_EPS synthetic EPS with both régimens.
        eps = Entity.objects.bulk_create(
            entity(EntityType.EPS, f"EPS Nacional {i:02d}", rng.choice(municipalities))
            for i in range(1, N_EPS + 1)
        )
        PayerCode.objects.bulk_create(
            PayerCode(entity=e, code=f"VOL{letter}{i:02d}", regime=regime)
            for i, e in enumerate(eps, start=1)
            for letter, regime in (("C", Regime.CONTRIBUTIVO), ("S", Regime.SUBSIDIADO))
        )
        demo_shares = {"EPS099": 0.15, "EPSS99": 0.15, "EAS099": 0.03}
        codes = list(
            PayerCode.objects.filter(code__in=[*demo_shares, *_synthetic_codes()])
            .order_by("code")
            .values_list("pk", "entity_id", "regime", "code")
        )
        synthetic_share = (1 - sum(demo_shares.values())) / (2 * N_EPS)
        weights = [demo_shares.get(code, synthetic_share) for *_rest, code in codes]

        # Providers: the demo IPS and n_ips synthetic ones, each with one sede.
        clinics = []
        for i in range(1, n_ips + 1):
            town = rng.choice(municipalities)
            clinics.append(
                entity(EntityType.IPS, f"IPS Regional {i:03d}", town, reps_code=f"{town}9{i:06d}")
            )
        synthetic = Entity.objects.bulk_create(clinics)
        Sede.objects.bulk_create(
            Sede(
                entity=e,
                code="01",
                name=f"Sede principal {SUFFIX}",
                address=street_address(rng),
                municipality_id=e.municipality_id,
            )
            for e in synthetic
        )
        demo_ips = [demo_entity("ips1"), demo_entity("ips2")]
        rest = 1 - DEMO_IPS_SHARE * len(demo_ips)
        rank_weights = [1 / (rank**0.8) for rank in range(1, n_ips + 1)]
        ips = [_Ips(e.pk, e.reps_code, [], e.municipality_id, DEMO_IPS_SHARE) for e in demo_ips]
        ips += [
            _Ips(e.pk, e.reps_code, [], e.municipality_id, rest * w / sum(rank_weights))
            for e, w in zip(synthetic, rank_weights, strict=True)
        ]
        for sede_pk, entity_pk in Sede.objects.filter(
            entity_id__in=[i.pk for i in ips], active=True
        ).values_list("pk", "entity_id"):
            next(i for i in ips if i.pk == entity_pk).sedes.append(sede_pk)

        # Prescribers: the demo Prescriptores and Anuladores keep their share; synthetic
        # médicos are spread over every IPS in proportion to its prescriptions.
        by_pk = {i.pk: i for i in ips}
        for user_pk, entity_pk, role, document_type, number in (
            Membership.objects.active()
            .filter(entity__in=demo_ips, role__in=[Role.PRESCRIPTOR, Role.ANULADOR])
            .order_by("pk")
            .values_list(
                "user_id", "entity_id", "role", "user__document_type", "user__document_number"
            )
        ):
            clinic = by_pk[entity_pk]
            if role == Role.ANULADOR:
                clinic.annuller = clinic.annuller or user_pk
            else:
                clinic.prescribers.append((user_pk, _registration(document_type, number)))
        for clinic in ips:
            # The demo Prescriptores share DEMO_PRESCRIBER_SHARE of their IPS's prescriptions.
            count = len(clinic.prescribers)
            if count:
                clinic.prescriber_weights = [DEMO_PRESCRIBER_SHARE / count] * count
        per_ips = split(n_prescribers, [i.weight for i in ips])
        people = []
        for clinic, count in zip(ips, per_ips, strict=True):
            if not clinic.prescribers:
                count = max(count, 1)
            people += [(clinic, Role.PRESCRIPTOR)] * count
            if not clinic.annuller:
                people.append((clinic, Role.ANULADOR))
        users = _create_people(rng, people, started)
        for (clinic, role), (user, registration) in zip(people, users, strict=True):
            if role == Role.ANULADOR:
                clinic.annuller = user.pk
            else:
                clinic.prescribers.append((user.pk, registration))
        for clinic in ips:
            demo_weight = sum(clinic.prescriber_weights)
            others = len(clinic.prescribers) - len(clinic.prescriber_weights)
            if others:
                each = (1 - demo_weight) / others
                clinic.prescriber_weights += [each] * others
            clinic.pick_prescriber = Picker(rng, clinic.prescribers, clinic.prescriber_weights)

        territory = demo_entity("et")
        territory_municipalities = [m for m in municipalities if m.startswith("05")]
        return cls(
            ips=ips,
            payer_codes=[(pk, entity_pk, regime) for pk, entity_pk, regime, _code in codes],
            payer_code_weights=weights,
            territory=territory.pk if territory and territory_municipalities else None,
            territory_municipalities=territory_municipalities,
            municipalities=municipalities,
            prescriber_count=sum(len(i.prescribers) for i in ips),
        )


def _synthetic_codes() -> list[str]:
    return [f"VOL{letter}{i:02d}" for i in range(1, N_EPS + 1) for letter in "CS"]


def _registration(document_type: str, number: str) -> str:
    record = (
        ProfessionalRecord.objects.filter(
            document_type=document_type, document_number=number, active=True
        )
        .order_by("pk")
        .first()
    )
    return copy_escape(record.registration_number) if record else ""


def _create_people(rng: random.Random, people: list, started: datetime) -> list[tuple[User, str]]:
    """Users (no usable password: nobody logs in as them), their RETHUS record and their
    membership, in three bulk inserts."""
    unusable = make_password(None)
    users, records, registrations = [], [], []
    for index, (_clinic, role) in enumerate(people, start=1):
        number = str(PRESCRIBER_DOCUMENT_BASE + index)
        names = {
            "first_name": rng.choice(GIVEN_NAMES),
            "first_surname": rng.choice(SURNAMES),
            "second_surname": rng.choice(SURNAMES),
        }
        users.append(
            User(
                document_type=DocumentType.CC,
                document_number=number,
                username=f"{DocumentType.CC} {number}",
                email=f"cc{number}@volumen.mipres.local",
                password=unusable,
                date_joined=started,
                **names,
            )
        )
        registration = f"VOL-MED-{index:05d}" if role == Role.PRESCRIPTOR else ""
        registrations.append(registration)
        if registration:
            records.append(
                ProfessionalRecord(
                    document_type=DocumentType.CC,
                    document_number=number,
                    profession=Profession.MEDICINA,
                    registration_number=registration,
                    source=VOLUME_SOURCE,
                    **names,
                )
            )
    users = User.objects.bulk_create(users)
    ProfessionalRecord.objects.bulk_create(records)
    Membership.objects.bulk_create(
        Membership(user=user, entity_id=clinic.pk, role=role, started_at=started)
        for user, (clinic, role) in zip(users, people, strict=True)
    )
    return list(zip(users, registrations, strict=True))


def street_address(rng: random.Random) -> str:
    street = rng.choice(STREETS)
    return f"{street} {rng.randint(1, 150)} # {rng.randint(1, 120)}-{rng.randint(1, 99)}"
