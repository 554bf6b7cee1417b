"""bench/volume_supply.py at small scale: over 2,000 generated prescriptions it writes the
deliverables it reports with consistent chains, routed through the payers' networks, and
the supply services keep working on them."""

import io
import random

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.demo import BY_KEY
from accounts.models import User
from bench.volume import VolumeError, generate
from bench.volume_supply import JSON_MARKER, SupplyReport, generate_supply, main, parse_args
from entities.models import AuditEntry, Entity
from mipres.lib.errors import DomainError
from supply import services
from supply.models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Programacion,
    ReporteEntrega,
    StepStatus,
    Suministro,
)
from supply.selectors.network import network_providers

from ..supply.test_demo import assert_chain_invariants

N = 2_000
MODELS = (
    Deliverable,
    Direccionamiento,
    Programacion,
    Entrega,
    ReporteEntrega,
    Facturacion,
    DatosFacturados,
    Suministro,
    NoDireccionamiento,
)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def volume(django_db_setup, django_db_blocker):
    """The demo world, 2,000 generated prescriptions and N deliverables over them, once for
    the module in a transaction rolled back at its end; returns (report, the last id of
    each model before the supply volume)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        with pytest.raises(VolumeError, match=r"bench/volume\.py first"):
            generate_supply(10)
        generate(2_000, seed=7)
        before = {model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
                  for model in (*MODELS, AuditEntry)}  # fmt: skip
        report = generate_supply(N, seed=3)
        yield report, before
        transaction.set_rollback(True)


def new(model, volume):
    return model.objects.filter(pk__gt=volume[1][model])


def test_writes_the_rows_it_reports(volume):
    report = volume[0]
    assert isinstance(report, SupplyReport)
    assert new(Deliverable, volume).count() == N
    for model in (*MODELS, AuditEntry):
        assert report.rows[model._meta.db_table] == new(model, volume).count(), model
    stages = report.stages
    assert stages["directed"] + stages["ambito"] == N
    assert stages["directed"] == new(Direccionamiento, volume).filter(status__gt=0).count()
    # Realistic proportions: each stage a share of the one before.
    assert N > stages["programmed"] > stages["delivered"] > stages["reported"]
    assert stages["reported"] > stages["invoiced"] > stages["datos_facturados"] > 0
    assert 0.75 < stages["programmed"] / stages["directed"] < 0.9
    assert 0.4 < stages["invoiced"] / N < 0.6
    assert stages["ambito"] > 0 and stages["suministro"] > 0 and stages["no_direct"] > 0
    assert 0.01 < stages["annulled_redone"] / N < 0.05
    for model in (Direccionamiento, Programacion, Entrega, ReporteEntrega, Facturacion):
        assert new(model, volume).filter(status=StepStatus.ANULADO).exists(), model
    assert new(Entrega, volume).filter(total=False).exists()
    assert new(Facturacion, volume).filter(cuota_moderadora__gt=0).exists()
    assert new(Facturacion, volume).filter(copago__gt=0).exists()
    # Sucesiva lines get several monthly deliveries.
    assert new(Deliverable, volume).filter(delivery_number__gt=1).exists()
    # The demo proveedores get a good part, so the benchmark's logins see big worklists.
    demo = new(Direccionamiento, volume).filter(
        provider__nit__in=[BY_KEY["prov1"].nit, BY_KEY["prov2"].nit]
    )
    assert demo.count() > 0.15 * stages["directed"]
    assert report.as_dict()["total_rows"] == report.total_rows
    assert "load:" in report.summary()


def test_every_chain_is_consistent(volume):
    assert_chain_invariants()
    rng = random.Random(1)
    for model in MODELS:
        rows = list(new(model, volume))
        for record in rng.sample(rows, min(40, len(rows))):
            record.full_clean()
    # Processed ⇔ consumed, and one deliverable per line delivery, over the new rows too.
    twins = new(Deliverable, volume).values("line", "delivery_number").annotate(n=Count("id"))
    assert not twins.filter(n__gt=1).exists()


def test_providers_come_from_the_payers_network(volume):
    directed = new(Direccionamiento, volume).select_related(
        "deliverable__prescription__patient__municipality", "deliverable__prescription__payer_code"
    )
    for record in directed.order_by("?")[:150]:
        allowed = network_providers(record.deliverable.prescription)
        assert allowed.filter(pk=record.provider_id).exists(), record.pk
        assert record.municipality_id == record.deliverable.prescription.patient.municipality_id
    # En ámbito: by the prescribing IPS (assert_chain_invariants checks the ámbito).
    assert new(Entrega, volume).filter(in_ambito=True, entity__entity_type="IPS").exists()


def test_every_record_has_its_audit_entry(volume):
    for model in MODELS[1:]:
        records = new(model, volume)
        entries = new(AuditEntry, volume).filter(
            content_type=ContentType.objects.get_for_model(model), action__endswith=".created"
        )
        assert entries.count() == records.count(), model
        annulled = new(AuditEntry, volume).filter(
            content_type=ContentType.objects.get_for_model(model), action__endswith=".annulled"
        )
        assert annulled.count() == records.filter(status=StepStatus.ANULADO).count(), model
    # The demo entities act through their demo users on the web; the others by web service.
    prov1 = Entity.objects.get(nit=BY_KEY["prov1"].nit)
    assert not new(Programacion, volume).filter(entity=prov1, created_by=None).exists()
    assert (
        not new(Programacion, volume)
        .exclude(entity=prov1)
        .filter(entity__name__endswith="(volumen)", channel="web")
        .exists()
    )


def _demo_user(key: str, role_index: int) -> User:
    return User.objects.get(
        document_number=f"{1_000_000_000 + BY_KEY[key].index * 100 + role_index}"
    )


def test_the_services_work_on_the_loaded_chains(volume):
    prov1 = Entity.objects.get(nit=BY_KEY["prov1"].nit)
    admin = _demo_user("prov1", 2)  # Administrativo
    # Annul the newest step of a loaded chain: its reporte is active again.
    factura = new(Facturacion, volume).filter(entity=prov1, status=StepStatus.ACTIVO).first()
    services.step_annul(actor=admin, entity=prov1, step=factura, reason="Prueba de volumen.")
    factura.refresh_from_db()
    assert factura.status == StepStatus.ANULADO
    assert factura.reporte.status == StepStatus.ACTIVO
    # … and invoice it again.
    again = services.facturacion_create(
        actor=admin,
        entity=prov1,
        reporte=factura.reporte,
        invoice_number="FE-PRUEBA-1",
        units=factura.units,
        unit_value=factura.unit_value,
    )
    assert again.reporte.status == StepStatus.PROCESADO
    # Program a loaded direccionamiento waiting for prov1.
    waiting = new(Direccionamiento, volume).filter(provider=prov1, status=StepStatus.ACTIVO)
    direccionamiento = waiting.first()
    programacion = services.programacion_create(
        actor=admin, entity=prov1, direccionamiento=direccionamiento, sede=prov1.sedes.first()
    )
    assert programacion.quantity == direccionamiento.quantity
    # An entrega in force refuses the annulment of its direccionamiento (seed 004).
    delivered = new(Entrega, volume).filter(entity=prov1, in_ambito=False, status__gt=0).first()
    eps = delivered.deliverable.payer
    with pytest.raises(DomainError) as refused:
        services.step_annul(
            actor=None,
            entity=eps,
            step=delivered.programacion.direccionamiento,
            reason="No debería poder.",
        )
    assert refused.value.code == "after_entrega"


def test_refuses_to_run_twice(volume):
    count = Deliverable.objects.count()
    with pytest.raises(VolumeError, match="already loaded"):
        generate_supply(10)
    assert Deliverable.objects.count() == count


def test_command_line_usage(capsys):
    args = parse_args(["--deliverables", "5000", "--no-audit", "--json", "-q"])
    assert (args.deliverables, args.no_audit, args.json, args.quiet) == (5000, True, True, True)
    assert parse_args([]).deliverables == 1_000_000
    assert main(["--deliverables", "0", "-q"]) == 1  # refused: at least one
    assert "at least one deliverable" in capsys.readouterr().err
    assert JSON_MARKER.startswith("@@")
    assert timezone.now()  # the report's timestamps are aware (USE_TZ)
