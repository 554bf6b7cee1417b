"""supply/demo.py: `seed_demo` adds supply chains at every stage, through the services,
idempotently; `demo_credentials` names the user of each step; every record it makes keeps
the chain's invariants (shared with tests/bench/test_volume_supply.py)."""

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.demo import BY_KEY, DEMO_PASSWORD
from entities.models import AuditEntry, Membership
from prescriptions.enums import JuntaStatus, SupplyType
from prescriptions.models import Prescription, TechnologyLine
from supply.demo import FRESH_KEY, FRESH_LINE, demo_prescription, stage_queries
from supply.models import (
    IN_FORCE,
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    StepStatus,
    Suministro,
)
from supply.selectors.deadlines import deadline_light
from supply.services.provider import AMBITO_SETTINGS

pytestmark = pytest.mark.django_db

STEP_MODELS = (
    Direccionamiento,
    NoDireccionamiento,
    ProcedureSupply,
    Programacion,
    Entrega,
    ReporteEntrega,
    Facturacion,
    DatosFacturados,
    Suministro,
)
# (step, the step that consumes it, its foreign key to the step)
CONSUMED_BY = (
    (Direccionamiento, Programacion, "direccionamiento"),
    (Programacion, Entrega, "programacion"),
    (Entrega, ReporteEntrega, "entrega"),
    (ReporteEntrega, Facturacion, "reporte"),
    (Facturacion, DatosFacturados, "facturacion"),
)
# "One in force per …" (DESIGN §4): (model, the field it is unique on while in force).
ONE_IN_FORCE = (
    (Direccionamiento, "deliverable"),
    (Programacion, "direccionamiento"),
    (Programacion, "deliverable"),
    (Entrega, "deliverable"),
    (Entrega, "programacion"),
    (ReporteEntrega, "entrega"),
    (Facturacion, "entrega"),
    (Facturacion, "reporte"),
    (DatosFacturados, "facturacion"),
    (Suministro, "deliverable"),
    (NoDireccionamiento, "line"),
    (ProcedureSupply, "line"),
)


def assert_chain_invariants() -> None:
    """What must hold over every supply record in the database, in a few set-based
    queries (the demo's hundred rows or a loaded volume's thousands)."""
    for model, key in ONE_IN_FORCE:
        twins = (
            model.objects.filter(status__in=IN_FORCE, **{f"{key}__isnull": False})
            .values(key)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not twins.exists(), (model.__name__, key)
    # Procesado exactly when a later step in force consumed it.
    for model, later, field in CONSUMED_BY:
        processed = set(
            model.objects.filter(status=StepStatus.PROCESADO).values_list("pk", flat=True)
        )
        consumed = set(
            later.objects.filter(status__in=IN_FORCE, **{f"{field}__isnull": False}).values_list(
                f"{field}_id", flat=True
            )
        )
        assert processed == consumed, model.__name__
    # Every step belongs to the deliverable of the step it follows.
    assert not Programacion.objects.exclude(deliverable=F("direccionamiento__deliverable")).exists()
    assert (
        not Entrega.objects.filter(in_ambito=False)
        .exclude(deliverable=F("programacion__deliverable"))
        .exists()
    )
    assert not ReporteEntrega.objects.exclude(deliverable=F("entrega__deliverable")).exists()
    assert not Facturacion.objects.exclude(deliverable=F("reporte__deliverable")).exists()
    assert not Facturacion.objects.exclude(entrega=F("reporte__entrega")).exists()
    assert not DatosFacturados.objects.exclude(deliverable=F("facturacion__deliverable")).exists()
    assert not Suministro.objects.exclude(deliverable=F("entrega__deliverable")).exists()
    assert not Deliverable.objects.exclude(prescription=F("line__prescription")).exists()
    assert not Deliverable.objects.exclude(payer=F("prescription__payer")).exists()
    # Quantities: a line's direccionamientos and entregas en ámbito in force never exceed
    # its total; a programación is its direccionamiento's quantity; an entrega at most the
    # programmed one, total exactly when all of it, pending the rest.
    directed = dict(
        Direccionamiento.objects.filter(status__in=IN_FORCE)
        .values_list("deliverable__line")
        .annotate(total=Sum("quantity"))
    )
    ambito = dict(
        Entrega.objects.filter(status__in=IN_FORCE, in_ambito=True)
        .values_list("deliverable__line")
        .annotate(total=Sum("quantity"))
    )
    totals = dict(
        TechnologyLine.objects.filter(pk__in=set(directed) | set(ambito)).values_list(
            "pk", "total_quantity"
        )
    )
    for line, total in totals.items():
        assert directed.get(line, 0) + ambito.get(line, 0) <= total, line
    assert not Programacion.objects.exclude(quantity=F("direccionamiento__quantity")).exists()
    scheduled = Entrega.objects.filter(in_ambito=False)
    assert not scheduled.filter(quantity__gt=F("programacion__quantity")).exists()
    assert not scheduled.exclude(
        pending_quantity=F("programacion__quantity") - F("quantity")
    ).exists()
    assert not scheduled.filter(total=True).exclude(quantity=F("programacion__quantity")).exists()
    assert not scheduled.filter(total=False, quantity=F("programacion__quantity")).exists()
    assert not Entrega.objects.filter(total=False, cause__isnull=True).exists()
    assert not Entrega.objects.filter(deliverable__line__technology_type="M", batch="").exists()
    # En ámbito: hospital or urgencias, by the prescribing IPS, with no direccionamiento.
    in_ambito = Entrega.objects.filter(in_ambito=True)
    assert not in_ambito.exclude(
        deliverable__prescription__care_setting__in=AMBITO_SETTINGS
    ).exists()
    assert not in_ambito.exclude(entity=F("deliverable__prescription__entity")).exists()
    assert not Direccionamiento.objects.filter(
        deliverable__in=in_ambito.values("deliverable")
    ).exists()
    # The provider programs where the payer directed, at its own sede; the reporte and the
    # facturación are the delivering provider's.
    assert not Programacion.objects.exclude(entity=F("direccionamiento__provider")).exists()
    assert not Programacion.objects.exclude(sede__entity=F("entity")).exists()
    assert not ReporteEntrega.objects.exclude(entity=F("entrega__entity")).exists()
    assert not Facturacion.objects.exclude(entity=F("reporte__entity")).exists()
    assert not Direccionamiento.objects.exclude(entity=F("deliverable__payer")).exists()
    # Invoices: units × unit value − cuota moderadora or copago, never both.
    for factura in (
        Facturacion.objects.all()
        .only("units", "unit_value", "cuota_moderadora", "copago", "total_value")
        .iterator()
    ):
        gross = (factura.units * factura.unit_value).quantize(Decimal("0.01"))
        assert factura.total_value == gross - factura.cuota_moderadora - factura.copago
        assert not (factura.cuota_moderadora and factura.copago)
    assert not ReporteEntrega.objects.filter(delivered=True, entrega__quantity=0).exists()
    assert not Facturacion.objects.filter(reporte__delivered=False).exists()
    # Annulled steps say when, who and why; later ones come after earlier ones.
    for model in STEP_MODELS:
        annulled = model.objects.filter(status=StepStatus.ANULADO)
        assert not annulled.filter(Q(annulled_at=None) | Q(annulment_reason="")).exists()
        assert not annulled.filter(annulled_at__lt=F("created_at")).exists()
    assert not Programacion.objects.filter(
        created_at__lt=F("direccionamiento__created_at")
    ).exists()
    assert not Entrega.objects.filter(created_at__lt=F("programacion__created_at")).exists()
    assert not ReporteEntrega.objects.filter(created_at__lt=F("entrega__created_at")).exists()
    assert not Facturacion.objects.filter(created_at__lt=F("reporte__created_at")).exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo world, seeded once for the module inside a transaction rolled back at its
    end (each test runs in its own savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def _counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in (Deliverable, *STEP_MODELS)}
    counts["prescriptions"] = Prescription.objects.count()
    counts["audit"] = AuditEntry.objects.filter(action__startswith="supply.").count()
    return counts


def _credentials() -> dict:
    out = io.StringIO()
    call_command("demo_credentials", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_twice_changes_nothing(demo):
    first = _counts()
    assert all(first.values()), first
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first


def test_every_stage_has_rows(demo):
    for stage, (_description, _user, rows) in stage_queries().items():
        assert rows.exists(), stage
    # The proveedor's worklist shows each deadline light it can on the day of seeding.
    today = timezone.localdate()
    waiting = Direccionamiento.objects.filter(
        status=StepStatus.ACTIVO, provider__nit=BY_KEY["prov1"].nit
    )
    lights = {deadline_light(d.max_delivery_date, today)[0] for d in waiting}
    assert lights == {"hoy", "15_dias", "30_dias", "a_tiempo"}
    assert waiting.filter(max_delivery_date=today).exists()
    # A direccionamiento annulled and made again keeps its deliverable (ID).
    redone = Deliverable.objects.annotate(n=Count("direccionamientos")).filter(n=2)
    assert redone.exists()
    assert Entrega.objects.filter(total=False, cause__isnull=False, in_ambito=False).exists()
    assert Facturacion.objects.filter(cuota_moderadora__gt=0, copago=0).exists()
    assert Facturacion.objects.filter(copago__gt=0, cuota_moderadora=0).exists()
    assert NoDireccionamiento.objects.filter(status=StepStatus.ACTIVO, cause__code="9").exists()
    assert Direccionamiento.objects.filter(deliverable__payer__entity_type="ET").exists()


def test_the_fresh_line_is_left_for_the_browser_journey(demo):
    prescription = demo_prescription(FRESH_KEY)
    line = prescription.lines.get()
    assert line.key == FRESH_LINE
    assert line.supply_type == SupplyType.SUCESIVA
    assert line.junta_status == JuntaStatus.NO_REQUIERE
    assert line.total_quantity == 60
    assert not Deliverable.objects.filter(line=line).exists()
    assert not line.no_direccionamientos.exists()
    assert prescription.payer.nit == BY_KEY["eps"].nit


def test_credentials_name_the_supply_users_and_stages(demo, rf):
    data = _credentials()
    # The accounts rows keep their shape: the supply module adds its own keys.
    assert all("step" not in user for user in data["users"])
    users = data["supply_users"]
    assert {u["step"] for u in users} == {
        "pagador",
        "proveedor",
        "dispensador",
        "dispensador_ambito",
    }
    for user in users:
        login = f"{user['document_type']} {user['document_number']}"
        assert user["login"] == login
        assert authenticate(rf.post("/"), username=login, password=DEMO_PASSWORD) is not None
        assert (
            Membership.objects.active()
            .filter(
                user__document_number=user["document_number"],
                entity__nit=user["entity_nit"],
                role__in=user["roles"],
            )
            .exists()
        ), login
    stages = {row["stage"]: row for row in data["supply_stages"]}
    assert set(stages) == {*stage_queries(), "fresca"}
    assert all(row["items"] for row in stages.values()), stages
    fresh = stages["fresca"]
    assert fresh["prescription_number"] == demo_prescription(FRESH_KEY).number
    assert fresh["items"] == [f"{fresh['prescription_number']} {FRESH_LINE}"]
    assert all(p["number"] for p in data["supply_prescriptions"])


def test_every_demo_record_is_valid(demo):
    for model in (Deliverable, *STEP_MODELS):
        for record in model.objects.all():
            record.full_clean()
    assert_chain_invariants()
    # Every step was written by a service: each has its audit entry, by a demo user.
    for model in STEP_MODELS:
        for record in model.objects.all():
            entries = AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id=str(record.pk),
                action__endswith=".created",
            )
            assert entries.exists(), (model.__name__, record.pk)
            assert record.created_by_id is not None
