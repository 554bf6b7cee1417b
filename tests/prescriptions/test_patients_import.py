"""The BDUA import: affiliation_import (newest active row wins, change of EPS, history,
patients created from BDUA, rejections), the import_bdua command and the demo patients."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from entities.models import AuditEntry
from prescriptions.models import Affiliation, Patient
from prescriptions.selectors import payer_for
from prescriptions.services import affiliation_import

from ..accounts.factories import UserFactory
from ..entities.factories import PayerCodeFactory
from .factories import AffiliationFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(db):
    return {
        "EPT001": PayerCodeFactory(code="EPT001", regime="contributivo"),
        "EPT002": PayerCodeFactory(code="EPT002", regime="subsidiado"),
    }


def _row(document_number="43500100", code="EPT001", start="2020-01-01", **extra) -> dict:
    return {
        "tipo_documento": "CC",
        "numero_documento": document_number,
        "codigo_eps": code,
        "fecha_afiliacion": start,
        **extra,
    }


IDENTITY = {
    "primer_nombre": "Luz",
    "segundo_nombre": "Dary",
    "primer_apellido": "Ocoró",
    "segundo_apellido": "Valencia",
    "fecha_nacimiento": "12/10/1958",
    "sexo": "F",
    "municipio": "76001",
}


def _import(rows, source="bdua_csv"):
    return affiliation_import(rows, actor=None, source=source)


def test_an_affiliation_is_created_for_a_known_patient_and_then_unchanged(codes):
    patient = PatientFactory(document_number="43500100")
    report = _import([_row()])
    assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 0, 0, [])
    affiliation = Affiliation.objects.get(patient=patient)
    assert affiliation.active
    assert affiliation.payer_code == codes["EPT001"]
    assert affiliation.regime == "contributivo"
    assert affiliation.start_date == datetime.date(2020, 1, 1)
    assert affiliation.source == "bdua_csv"

    again = _import([_row()])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    entries = AuditEntry.objects.filter(action="prescriptions.affiliation.imported")
    assert entries.count() == 2
    assert entries.last().data["created"] == 1


def test_a_change_of_eps_closes_the_previous_affiliation(codes):
    old = AffiliationFactory(
        patient=PatientFactory(document_number="43500100"),
        payer_code=codes["EPT001"],
        start_date=datetime.date(2015, 3, 1),
    )
    report = _import([_row(code="EPT002", start="2024-02-01")])
    assert (report.created, report.closed) == (1, 1)
    old.refresh_from_db()
    assert not old.active
    assert old.end_date == datetime.date(2024, 1, 31)
    new = Affiliation.objects.get(patient=old.patient, active=True)
    assert new.payer_code == codes["EPT002"]
    assert new.regime == "subsidiado"
    assert payer_for(old.patient).payer_code == codes["EPT002"]


def test_the_newest_active_row_of_a_patient_wins(codes):
    PatientFactory(document_number="43500100")
    report = _import(
        [
            _row(code="EPT002", start="2024-05-01"),
            _row(code="EPT001", start="2021-01-01"),
        ]
    )
    assert report.created == 1
    assert report.rejected == [
        (3, "la línea 2 trae una afiliación activa más reciente del mismo paciente")
    ]
    assert Affiliation.objects.get().payer_code == codes["EPT002"]


def test_a_row_older_than_the_stored_active_affiliation_is_rejected(codes):
    stored = AffiliationFactory(
        patient=PatientFactory(document_number="43500100"),
        payer_code=codes["EPT002"],
        start_date=datetime.date(2024, 1, 1),
    )
    report = _import([_row(code="EPT001", start="2019-01-01")])
    assert report.rejected[0][1].startswith("la afiliación activa registrada (EPT002 desde")
    stored.refresh_from_db()
    assert stored.active
    assert Affiliation.objects.count() == 1


def test_history_rows_are_kept_and_can_close_the_active_affiliation(codes):
    stored = AffiliationFactory(
        patient=PatientFactory(document_number="43500100"),
        payer_code=codes["EPT001"],
        start_date=datetime.date(2020, 1, 1),
    )
    report = _import(
        [
            _row(code="EPT001", start="2020-01-01", activo="0", fecha_retiro="2023-12-31"),
            _row(code="EPT002", start="2010-01-01", activo="no", fecha_retiro="2019-12-31"),
        ]
    )
    assert (report.created, report.updated, report.closed) == (1, 1, 0)
    stored.refresh_from_db()
    assert not stored.active
    assert stored.end_date == datetime.date(2023, 12, 31)
    history = Affiliation.objects.get(payer_code=codes["EPT002"])
    assert not history.active
    assert history.end_date == datetime.date(2019, 12, 31)


def test_the_regime_of_the_row_overrides_the_codes(codes):
    PatientFactory(document_number="43500100")
    _import([_row(regimen="Subsidiado")])
    assert Affiliation.objects.get().regime == "subsidiado"
    report = _import([_row(regimen="C")])
    assert report.updated == 1
    assert Affiliation.objects.get().regime == "contributivo"


def test_a_patient_unknown_to_us_is_created_from_bdua(codes):
    report = _import([_row(document_number="31100011", **IDENTITY)])
    assert (report.created, report.patients_created) == (1, 1)
    patient = Patient.objects.get(document_number="31100011")
    assert patient.get_full_name() == "Luz Dary Ocoró Valencia"
    assert patient.birth_date == datetime.date(1958, 10, 12)
    assert patient.municipality_id == "76001"
    assert patient.registered_by_entity is None
    assert patient.affiliations.get().active


def test_an_existing_patients_identity_is_not_changed_by_bdua(codes):
    patient = PatientFactory(document_number="43500100", first_name="Gloria")
    _import([_row(**{**IDENTITY, "primer_nombre": "Otra"})])
    patient.refresh_from_db()
    assert patient.first_name == "Gloria"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (_row(code="EPX999"), "código EPS «EPX999» no existe"),
        (_row(document_number="31100011"), "no está registrado y la fila no trae"),
        (
            _row(document_number="31100011", **{**IDENTITY, "municipio": "99999"}),
            "municipio «99999» no existe",
        ),
        (_row(document_number="31100011", **{**IDENTITY, "sexo": "Z"}), "sexo «Z» desconocido"),
        (_row(tipo_documento="MS"), "menor sin identificación (MS)"),
        (_row(tipo_documento="XX"), "tipo de documento «XX» desconocido"),
        (_row(document_number="43A"), "solo dígitos"),
        (_row(start="2020-13-01"), "no es una fecha"),
        (_row(start="2999-01-01"), "posterior a hoy"),
        (_row(start=""), "falta «fecha_afiliacion»"),
        (_row(regimen="especial"), "régimen «especial» desconocido"),
        (_row(activo="quizás"), "«activo» debe ser"),
    ],
)
def test_bad_rows_are_rejected_with_a_reason(codes, row, reason):
    PatientFactory(document_number="43500100")
    report = _import([row, _row(document_number="43500100", code="EPT002", start="2001-01-01")])
    assert len(report.rejected) == 1
    line, text = report.rejected[0]
    assert line == 2
    assert reason in text
    assert report.created == 1  # the good row is still loaded


def test_an_inactive_code_is_refused_for_an_active_row(codes):
    PayerCodeFactory(code="EPT009", active=False)
    PatientFactory(document_number="43500100")
    report = _import([_row(code="EPT009")])
    assert "inactivo" in report.rejected[0][1]


def test_a_repeated_row_is_rejected(codes):
    PatientFactory(document_number="43500100")
    report = _import([_row(), _row()])
    assert report.rejected == [(3, "repite la afiliación de la línea 2")]


def test_demo_rows_never_replace_another_sources_affiliation(codes):
    stored = AffiliationFactory(
        patient=PatientFactory(document_number="43500100"), payer_code=codes["EPT001"]
    )
    report = _import([_row(code="EPT002", start="2025-01-01")], source="demo")
    assert "bdua_csv" in report.rejected[0][1]
    stored.refresh_from_db()
    assert stored.active


def test_only_the_ministry_imports(codes):
    with pytest.raises(PermissionDenied):
        affiliation_import([_row()], actor=UserFactory(), source="bdua_csv")


def test_the_source_must_be_short(codes):
    with pytest.raises(ValueError):
        _import([_row()], source="")


def test_the_import_reads_few_queries_for_many_rows(codes, django_assert_max_num_queries):
    for n in range(40):
        PatientFactory(document_number=f"{43600000 + n}")
    rows = [_row(document_number=f"{43600000 + n}") for n in range(40)]
    rows += [_row(document_number=f"{31600000 + n}", **IDENTITY) for n in range(40)]
    with django_assert_max_num_queries(20):
        report = _import(rows)
    assert (report.created, report.patients_created) == (80, 40)


# The command ---------------------------------------------------------------------------


def test_import_bdua_reads_latin1_semicolon_files(codes, tmp_path):
    PatientFactory(document_number="43500100")
    path = tmp_path / "bdua.csv"
    content = (
        "Tipo_Documento;Número_Documento;Código_EPS;Fecha_Afiliación;Régimen;Activo\r\n"
        "CC;43500100;EPT001;01/02/2020;contributivo;1\r\n"
        "CC;43500101;EPX999;01/02/2020;;1\r\n"
    )
    path.write_bytes(content.encode("latin-1"))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bdua", str(path), stdout=out, stderr=err)
    assert "BDUA: 1 creadas, 0 actualizadas, 0 sin cambios, 1 rechazadas" in out.getvalue()
    assert "línea 3: rechazada: código EPS «EPX999» no existe" in err.getvalue()
    assert Affiliation.objects.get().start_date == datetime.date(2020, 2, 1)


def test_import_bdua_names_missing_columns(tmp_path):
    path = tmp_path / "bdua.csv"
    path.write_text("tipo_documento,numero_documento\nCC,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="codigo_eps, fecha_afiliacion"):
        call_command("import_bdua", str(path))


def test_import_bdua_reports_an_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="No se pudo leer"):
        call_command("import_bdua", str(tmp_path / "missing.csv"))


# Demo ------------------------------------------------------------------------------------


def test_demo_patients_are_idempotent_and_each_has_a_payer(db):
    from accounts import demo as accounts_demo
    from prescriptions.demo_patients import patient_credentials, seed_demo_patients

    accounts_demo.seed({})
    patients = seed_demo_patients()
    assert len(patients) == 12
    again = seed_demo_patients()
    assert [p.pk for p in again] == [p.pk for p in patients]
    assert Affiliation.objects.filter(active=True).count() == 10
    for patient in patients:
        payer_for(patient)  # every demo patient has a payer
    newborn = patients[-1]
    assert newborn.uses_mother_document
    assert payer_for(newborn).payer_code.code == "EPS099"
    no_affiliation = Patient.objects.get(document_number="71100004")
    assert payer_for(no_affiliation).entity.dane_code == "05"
    changed = Patient.objects.get(document_number="16100012")
    assert payer_for(changed).payer_code.code == "EAS099"
    assert changed.affiliations.filter(active=False).get().payer_code.code == "EPS099"
    credentials = patient_credentials()
    assert len(credentials) == 12
    demo_user_numbers = {str(n) for n in range(1_000_000_001, 1_000_001_000)}
    assert not {row["document_number"] for row in credentials} & demo_user_numbers
    assert all(not row["document_number"].startswith("1000009") for row in credentials)
