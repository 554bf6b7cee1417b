"""bench/volume_supply.py's world and lines: who supplies (the network routes of every
payer and code to the demo and synthetic "(volumen)" proveedores, their sedes, the demo
actors) and which of the lines bench/volume.py loaded can be supplied (`CANDIDATES`,
`count_candidates`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from stdnum.co import nit as stdnum_nit

from accounts.demo import BY_KEY, demo_users
from bench.copying import Picker
from bench.volume_world import PATIENT_DOCUMENT_BASE, SUFFIX, street_address
from entities.models import (
    Department,
    Entity,
    Municipality,
    NetworkLink,
    PayerCode,
    Regime,
    Sede,
    TerritorialLink,
)
from entities.permissions import EntityType, Role
from prescriptions.enums import JuntaStatus, PrescriptionStatus, SupplyType

SUPPLY_NIT_BASE = 999_950_000  # proveedores and entidades territoriales "(volumen)"
NO_DIRECT_MODULUS = 97  # line id % 97 == 0: a no direccionamiento instead (~1 %)
# How much more often the demo providers are drawn than a synthetic one.
DEMO_PROVIDER_WEIGHTS = {"prov1": 4.0, "prov2": 3.0, "ips1": 1.5, "ips2": 1.5}


@dataclass
class World:
    """Who supplies: the network routes of every payer and code, sedes, demo actors."""

    # (payer id, code id or 0) → [(territory DANE code or "", provider id)]
    links: dict[tuple[int, int], list[tuple[str, int]]]
    subsidiado: set[int]  # código EPS ids of the subsidiado régimen
    codes: dict[int, str]  # código EPS id → code
    nits: dict[int, str]  # payer entity id → NIT
    sedes: dict[int, list[int]]  # provider → active sede ids
    weights: dict[int, float]  # provider → how often it is drawn
    admins: dict[int, int]  # entity → its demo Administrativo's user id
    dispensadores: dict[int, int]  # entity → its demo Dispensador's user id
    synthetic_providers: int = 0
    synthetic_territories: int = 0
    _routes: dict = field(default_factory=dict)

    @classmethod
    def build(cls, rng: random.Random) -> World:
        """Create the synthetic proveedores (two sedes each), an entidad territorial per
        department that has none, and the synthetic EPS's networks; read every route."""
        started = timezone.now() - timedelta(days=400)
        municipalities = list(Municipality.objects.order_by("code").values_list("pk", flat=True))
        nits = iter(range(SUPPLY_NIT_BASE + 1, SUPPLY_NIT_BASE + 100_000))

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

        synthetic_eps = list(
            Entity.objects.filter(entity_type=EntityType.EPS, name__endswith=SUFFIX).order_by("pk")
        )
        count = max(4, min(60, 5 * len(synthetic_eps)))
        providers = Entity.objects.bulk_create(
            entity(EntityType.PROVEEDOR, f"Proveedor Regional {i:03d}", rng.choice(municipalities))
            for i in range(1, count + 1)
        )
        Sede.objects.bulk_create(
            Sede(
                entity=p,
                code=code,
                name=f"Punto de dispensación {code} {SUFFIX}",
                address=street_address(rng),
                municipality_id=p.municipality_id if code == "01" else rng.choice(municipalities),
            )
            for p in providers
            for code in ("01", "02")
        )
        # Subsidiado networks exist per territory: an ET for each department without one.
        covered = set(
            Entity.objects.filter(
                entity_type=EntityType.ET, status=Entity.Status.VERIFIED
            ).values_list("dane_code", flat=True)
        )
        capitals = {}
        for code in municipalities:
            capitals.setdefault(code[:2], code)
        territories = Entity.objects.bulk_create(
            entity(
                EntityType.ET, f"Secretaría de Salud {d.code}", capitals[d.code], dane_code=d.code
            )
            for d in Department.objects.order_by("code")
            if d.code not in covered and d.code in capitals
        )
        all_territories = list(
            Entity.objects.filter(entity_type=EntityType.ET, status=Entity.Status.VERIFIED)
        )
        demo = {key: Entity.objects.get(nit=BY_KEY[key].nit) for key in BY_KEY}
        territorial, network = [], []
        for eps in synthetic_eps:
            for payer_code in PayerCode.objects.filter(entity=eps).order_by("code"):
                if payer_code.regime == Regime.SUBSIDIADO:
                    for territory in all_territories:
                        territorial.append(
                            TerritorialLink(
                                territory=territory, payer_code=payer_code, started_at=started
                            )
                        )
                        for provider in rng.sample(providers, min(3, len(providers))):
                            network.append(
                                NetworkLink(
                                    payer=eps,
                                    payer_code=payer_code,
                                    territory=territory,
                                    provider=provider,
                                    started_at=started,
                                )
                            )
                else:
                    chosen = [demo["prov1"], demo["prov2"]]
                    chosen += rng.sample(providers, min(6, len(providers)))
                    network += [
                        NetworkLink(
                            payer=eps, payer_code=payer_code, provider=p, started_at=started
                        )
                        for p in chosen
                    ]
        TerritorialLink.objects.bulk_create(territorial)
        NetworkLink.objects.bulk_create(network)

        links: dict[tuple[int, int], list[tuple[str, int]]] = {}
        for payer, code, dane, provider in (
            NetworkLink.objects.active()
            .filter(provider__status=Entity.Status.VERIFIED)
            .values_list("payer_id", "payer_code_id", "territory__dane_code", "provider_id")
        ):
            links.setdefault((payer, code or 0), []).append((dane or "", provider))
        sedes: dict[int, list[int]] = {}
        for sede, owner in (
            Sede.objects.filter(active=True).order_by("pk").values_list("pk", "entity_id")
        ):
            sedes.setdefault(owner, []).append(sede)
        weights = {demo[key].pk: weight for key, weight in DEMO_PROVIDER_WEIGHTS.items()}
        admins, dispensadores = {}, {}
        numbers = {u.document_number: u for u in demo_users()}
        from accounts.models import User

        for pk, number in User.objects.filter(document_number__in=numbers).values_list(
            "pk", "document_number"
        ):
            spec = numbers[number]
            entity_pk = demo[spec.entity.key].pk
            if spec.role == Role.ADMINISTRATIVO:
                admins[entity_pk] = pk
            elif spec.role == Role.DISPENSADOR:
                dispensadores[entity_pk] = pk
        codes = dict(PayerCode.objects.values_list("pk", "code"))
        subsidiado = set(
            PayerCode.objects.filter(regime=Regime.SUBSIDIADO).values_list("pk", flat=True)
        )
        payer_nits = dict(
            Entity.objects.filter(
                entity_type__in=[EntityType.EPS, EntityType.EOC, EntityType.ET]
            ).values_list("pk", "nit")
        )
        return cls(
            links=links,
            subsidiado=subsidiado,
            codes=codes,
            nits=payer_nits,
            sedes=sedes,
            weights=weights,
            admins=admins,
            dispensadores=dispensadores,
            synthetic_providers=len(providers),
            synthetic_territories=len(territories),
        )

    def route(self, rng: random.Random, payer: int, code: int, municipality: str):
        """A picker of the providers `network_providers` gives for this payer, code and
        patient's municipality (None: nobody in reach), memoised."""
        subsidiado = code in self.subsidiado
        key = (payer, code, municipality if subsidiado else "")
        if key not in self._routes:
            places = (municipality, municipality[:2])
            providers = sorted(
                {
                    provider
                    for dane, provider in self.links.get((payer, code), ())
                    if not subsidiado or dane in places
                }
            )
            providers = [p for p in providers if self.sedes.get(p)]
            self._routes[key] = (
                Picker(rng, providers, [self.weights.get(p, 1.0) for p in providers])
                if providers
                else None
            )
        return self._routes[key]


# ---------------------------------------------------------------------------------------------
# The lines


CANDIDATES = """
    SELECT l.id, l.prescription_id, l.technology_type, l."order", l.supply_type,
           l.total_quantity::bigint, p.number, p.prescribed_at, p.payer_id,
           COALESCE(p.payer_code_id, 0), p.care_setting, p.entity_id, pat.municipality_id,
           pat.address, pat.document_type, pat.document_number,
           COALESCE(cups.code, device.code, service.code, nutrition.code, '')
    FROM {line} l
    JOIN {prescription} p ON p.id = l.prescription_id
    JOIN {patient} pat ON pat.id = p.patient_id
    LEFT JOIN {cups} cups ON cups.id = l.procedure_id
    LEFT JOIN {device} device ON device.id = l.device_type_id
    LEFT JOIN {service} service ON service.id = l.complementary_service_id
    LEFT JOIN {nutrition} nutrition ON nutrition.id = l.nutritional_type_id
    WHERE p.status = %s AND l.junta_status IN (%s, %s)
      AND length(pat.document_number) = 10 AND pat.document_number >= %s
"""


def tables() -> dict[str, str]:
    from prescriptions.models import (
        ComplementaryService,
        CupsProcedure,
        DeviceType,
        NutritionalProductType,
        Patient,
        Prescription,
        TechnologyLine,
    )

    return {
        "line": TechnologyLine._meta.db_table,
        "prescription": Prescription._meta.db_table,
        "patient": Patient._meta.db_table,
        "cups": CupsProcedure._meta.db_table,
        "device": DeviceType._meta.db_table,
        "service": ComplementaryService._meta.db_table,
        "nutrition": NutritionalProductType._meta.db_table,
    }


def params() -> list:
    return [
        PrescriptionStatus.ACTIVA.value,
        JuntaStatus.NO_REQUIERE.value,
        JuntaStatus.APROBADA.value,
        str(PATIENT_DOCUMENT_BASE),
    ]


def deliveries(supply_type: int, total: int) -> int:
    """How many deliveries a line gets: one, or two to three monthly for a sucesiva."""
    if supply_type != SupplyType.SUCESIVA:
        return 1
    return max(1, min(3 if total >= 90 else 2, total))


def count_candidates(cursor, world: World) -> tuple[int, int]:
    """(lines that can be supplied, deliverables they would give if all were): one scan
    grouped by payer, code and municipality, the routes applied in Python."""
    t = tables()
    cursor.execute(
        f"""
        SELECT p.payer_id, COALESCE(p.payer_code_id, 0), pat.municipality_id, count(*),
               sum(CASE WHEN l.supply_type = %s THEN
                   GREATEST(1, LEAST(CASE WHEN l.total_quantity >= 90 THEN 3 ELSE 2 END,
                                     l.total_quantity::bigint))
                   ELSE 1 END)
        FROM {t["line"]} l
        JOIN {t["prescription"]} p ON p.id = l.prescription_id
        JOIN {t["patient"]} pat ON pat.id = p.patient_id
        WHERE p.status = %s AND l.junta_status IN (%s, %s)
          AND length(pat.document_number) = 10 AND pat.document_number >= %s
          AND l.id %% {NO_DIRECT_MODULUS} <> 0
        GROUP BY 1, 2, 3
        """,
        [SupplyType.SUCESIVA.value, *params()],
    )
    lines = total = 0
    probe = random.Random(0)
    for payer, code, municipality, count, deliverables in cursor.fetchall():
        if world.route(probe, payer, code, municipality) is not None:
            lines += count
            total += deliverables
    world._routes.clear()  # drawn again with the load's own generator
    return lines, int(total)
