"""bench/volume.py at small scale: what it writes is complete, consistent and unique, and it
refuses to run twice on the same database."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from bench.copying import verify_references
from bench.volume import VolumeError, generate
from bench.volume_world import PATIENT_DOCUMENT_BASE
from entities.models import AuditEntry, Entity
from prescriptions.enums import NoveltyType, PrescriptionStatus
from prescriptions.models import (
    Affiliation,
    LineActiveIngredient,
    Novelty,
    Patient,
    Prescription,
    PrescriptionNumberCounter,
    TechnologyLine,
)
from prescriptions.services.prescribing import junta_status_for, next_number

N = 200
# Every test runs in its own savepoint (rolled back) inside the module's transaction.
pytestmark = pytest.mark.django_db


MODELS = (Patient, Affiliation, Prescription, TechnologyLine, LineActiveIngredient)


@pytest.fixture(scope="module")
def volume(django_db_setup, django_db_blocker):
    """The demo world (with its own prescriptions), then 200 generated prescriptions, once
    for the module inside a transaction rolled back at its end (each test adds its own
    savepoint); returns (report, the last id of each model before)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        before = {model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
                  for model in MODELS}  # fmt: skip
        report = generate(N, lines_per_prescription=2.5, seed=7, annulled_share=0.1)
        yield report, before
        transaction.set_rollback(True)


def new(model, volume):
    """The rows of `model` the generator wrote."""
    return model.objects.filter(pk__gt=volume[1][model])


def test_needs_the_demo_world():
    # First in the module: the volume fixture (and its demo world) does not exist yet.
    with pytest.raises(VolumeError, match="seed_demo"):
        generate(10)


def test_writes_the_rows_it_reports(volume):
    report = volume[0]
    assert new(Prescription, volume).count() == N
    assert new(TechnologyLine, volume).count() == N * 5 // 2  # the average is exact
    assert new(Patient, volume).count() == round(N / 3)
    for model in MODELS:
        assert report.rows[model._meta.db_table] == new(model, volume).count()
    assert report.connections == 1  # inside the test's transaction: Django's connection
    assert report.foreign_keys in ("set-based", "per-row")
    assert report.database_bytes > 0
    types = Counter(new(TechnologyLine, volume).values_list("technology_type", flat=True))
    assert set(types) == {"M", "P", "D", "N", "S"}
    assert types["M"] > types["P"] > types["D"]


def test_numbers_are_unique_and_later_numbers_do_not_collide(volume):
    numbers = list(new(Prescription, volume).values_list("number", "prescribed_at"))
    assert len({n for n, _ in numbers}) == len(numbers)
    for number, moment in numbers:
        assert number[:8] == f"{timezone.localtime(moment):%Y%m%d}"
    day = max(timezone.localtime(moment).date() for _, moment in numbers)
    assert day < timezone.localdate()  # today stays free for live submits
    counter = PrescriptionNumberCounter.objects.get(day=day)
    issued = [int(n[8:]) for n, _ in numbers if n.startswith(f"{day:%Y%m%d}")]
    assert counter.last == max(issued)
    fresh = next_number(day)
    assert not Prescription.objects.filter(number=fresh).exists()
    assert int(fresh[8:]) == counter.last + 1


def test_every_reference_holds(volume):
    with connection.cursor() as cursor:
        models = [Patient, Affiliation, Prescription, TechnologyLine]
        verify_references(cursor, True, models, dict.fromkeys(models, 0))
        # The id sequences were moved past the ids the generator wrote.
        for model in (Patient, Prescription, TechnologyLine):
            table = model._meta.db_table
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")
            assert cursor.fetchone()[0] > model.objects.order_by("-pk").first().pk
    # The payer is the patient's active affiliation's, or the territory's without one.
    mismatched = 0
    for prescription in new(Prescription, volume).select_related("payer", "patient"):
        assert int(prescription.patient.document_number) >= PATIENT_DOCUMENT_BASE
        affiliation = Affiliation.objects.filter(
            patient_id=prescription.patient_id, active=True
        ).first()
        if affiliation is None:
            mismatched += prescription.payer.entity_type != "ET"
        else:
            mismatched += prescription.payer_code_id != affiliation.payer_code_id
            mismatched += prescription.payer_id != affiliation.payer_code.entity_id
    assert mismatched == 0
    # ConOrden runs 1..n per type; every medicine has an active ingredient, nothing else.
    lines = new(TechnologyLine, volume)
    per_type = lines.values("prescription", "technology_type").annotate(
        n=Count("id"), top=Count("order", distinct=True)
    )
    assert all(row["n"] == row["top"] for row in per_type)
    assert not lines.filter(technology_type="M", ingredients=None).exists()
    assert not new(LineActiveIngredient, volume).exclude(line__technology_type="M").exists()


def test_a_broken_reference_is_caught(volume):
    line = new(TechnologyLine, volume).filter(technology_type="P").first()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no trigger checks
        cursor.execute(
            f"UPDATE {TechnologyLine._meta.db_table} SET procedure_id = -1 WHERE id = %s",
            [line.pk],
        )
        with pytest.raises(VolumeError, match="procedure_id"):
            verify_references(cursor, True, [TechnologyLine], {TechnologyLine: line.pk - 1})


def test_junta_status_is_what_prescribing_sets(volume):
    lines = new(TechnologyLine, volume).select_related("prescription")
    assert lines.exists()
    for line in lines:
        expected = junta_status_for(
            line.technology_type, line.prescription.care_setting, line.medicine_type
        )
        assert line.junta_status == expected, (line.pk, line.technology_type)


def test_annulled_prescriptions_have_reason_novelty_and_audit(volume):
    annulled = new(Prescription, volume).filter(status=PrescriptionStatus.ANULADA)
    assert annulled.exists()
    assert not annulled.filter(Q(annulled_at=None) | Q(annulment_reason="")).exists()
    assert not annulled.filter(annulled_at__lt=F("prescribed_at")).exists()
    novelties = Novelty.objects.filter(novelty_type=NoveltyType.ANULACION)
    assert set(novelties.values_list("prescription", flat=True)) >= set(
        annulled.values_list("pk", flat=True)
    )
    issued = AuditEntry.objects.filter(
        action="prescriptions.prescription.issued",
        object_id__in=[str(pk) for pk in new(Prescription, volume).values_list("pk", flat=True)],
    )
    assert issued.count() == N


def test_refuses_to_run_twice(volume):
    count = Prescription.objects.count()
    with pytest.raises(VolumeError, match="already loaded"):
        generate(10)
    assert Prescription.objects.count() == count
    assert Entity.objects.filter(name__endswith="(volumen)").count() > 0
