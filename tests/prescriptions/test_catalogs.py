"""Catalogs: the import service and command, the starter set, search, the admin. Tests that
need the official tables run when CATALOG_DIR points at them (../shared/data)."""

import csv
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from entities.models import AuditEntry
from mipres.lib.csvfiles import read_rows
from prescriptions import enums
from prescriptions import models as m
from prescriptions.catalogs import (
    CATALOGS,
    STARTER_DIR,
    CatalogError,
    import_catalog,
    import_catalog_file,
    load_starter_catalogs,
)
from prescriptions.models.catalogs import fold

from .factories import DiagnosisFactory, NutritionalProductFactory

pytestmark = pytest.mark.django_db
CATALOG_DIR = os.environ.get("CATALOG_DIR", "")
needs_catalogs = pytest.mark.skipif(not CATALOG_DIR, reason="CATALOG_DIR is not set (CI sets it)")
HEADER = ["code", "name", "enabled", "version", "valid_from"]

# Rows of the official tables (../shared/data/README.md).
FULL_COUNTS = {
    "cie10": 12602,
    "cups": 9793,
    "dci": 9390,
    "enfermedades_huerfanas": 2198,
    "formas_farmaceuticas": 39,
    "vias_administracion": 119,
    "unidades_medida": 268,
    "unidades_medida_dosis": 26,
    "presentaciones": 76,
    "tipos_dispositivo_medico": 21,
    "tipos_producto_nutricional": 22,
    "formas_producto_nutricional": 12,
    "productos_nutricionales": 304,
    "servicios_complementarios": 24,
    "indicaciones_unirs": 160,
    "tipos_transporte": 3,
    "parentescos_acompanante": 8,
}


def write_csv(path: Path, rows, *, header=HEADER, delimiter=",", encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def rows_of(*rows, header=HEADER):
    return [dict(zip(header, row, strict=True)) for row in rows]


def _imports():
    return AuditEntry.objects.filter(action="prescriptions.catalog.imported")


# --- the import service ----------------------------------------------------------------


def test_import_creates_updates_and_reports_each_rejected_line_in_spanish():
    report = import_catalog(
        "cie10",
        rows_of(
            ("E119", "Diabetes mellitus no insulinodependiente", "1", "1", "2016-12-01"),
            ("i10x", "Hipertension esencial (primaria)", "", "", ""),
            ("E11.9", "Con punto", "1", "", ""),
            ("E1", "Corto", "1", "", ""),
            ("J449", "", "1", "", ""),
            ("J450", "Asma", "sí", "", ""),
            ("N185", "Enfermedad renal crónica, etapa 5", "1", "", "2017-13-05"),
            ("E119", "Repetido", "1", "", ""),
        ),
        actor=None,
    )
    assert (report.created, report.updated, report.unchanged, report.disabled) == (2, 0, 0, 0)
    reasons = dict(report.rejected)
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "código «E11.9» no válido: 4 caracteres sin punto" in reasons[4]
    assert "código «E1» no válido" in reasons[5]
    assert reasons[6] == "falta «name»"
    assert reasons[7] == "«enabled» debe ser 1, 0 o vacío, no «sí»"
    assert "fecha «2017-13-05» no válida" in reasons[8]
    assert reasons[9] == "repite el código E119 de la línea 2"
    diagnosis = m.Diagnosis.objects.get(code="I10X")  # codes are stored in upper case
    assert diagnosis.enabled and diagnosis.source == "official" and diagnosis.valid_from is None
    assert str(diagnosis) == "I10X – Hipertension esencial (primaria)"
    assert m.Diagnosis.objects.get(code="E119").valid_from.isoformat() == "2016-12-01"

    again = import_catalog(
        "cie10",
        rows_of(
            ("E119", "Diabetes mellitus no insulinodependiente", "1", "1", "2016-12-01"),
            ("I10X", "Hipertensión esencial (primaria)", "0", "2", ""),
        ),
        actor=None,
    )
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 1, 1, [])
    renamed = m.Diagnosis.objects.get(code="I10X")
    assert (renamed.name, renamed.enabled, renamed.version) == (
        "Hipertensión esencial (primaria)",
        False,
        "2",
    )
    assert renamed.search_name == "HIPERTENSION ESENCIAL (PRIMARIA)"


def test_dates_may_be_written_day_first():
    import_catalog("cie10", rows_of(("J189", "Neumonia", "1", "1", "1/12/2016")), actor=None)
    assert m.Diagnosis.objects.get().valid_from.isoformat() == "2016-12-01"


def test_each_import_writes_one_audit_entry_with_its_counts():
    import_catalog("cups", rows_of(("890201", "CONSULTA", "1", "", "")), actor=None)
    entry = _imports().get()
    assert entry.data["catalog"] == "cups"
    assert (entry.data["created"], entry.data["rejected"], entry.data["source"]) == (
        1,
        0,
        "official",
    )


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8"), (";", "latin-1")])
def test_files_in_utf8_or_latin1_with_comma_or_semicolon(tmp_path, delimiter, encoding):
    path = write_csv(
        tmp_path / "cups.csv",
        [("010101", "PUNCIÓN CISTERNAL, VÍA LATERAL", "1", "", "2016-12-08")],
        delimiter=delimiter,
        encoding=encoding,
    )
    report = import_catalog_file("cups", path, actor=None)
    assert report.created == 1 and not report.rejected
    assert m.CupsProcedure.objects.get().name == "PUNCIÓN CISTERNAL, VÍA LATERAL"
    assert _imports().get().data["origin"] == str(path)


def test_disable_missing_disables_the_rows_of_that_source_and_deletes_nothing():
    DiagnosisFactory(code="U001", source="starter")
    first = rows_of(*[(code, f"Diagnóstico {code}", "1", "", "") for code in ("A000", "A001")])
    import_catalog("cie10", first, actor=None)
    report = import_catalog("cie10", first[:1], actor=None, disable_missing=True)
    assert report.disabled == 1 and report.unchanged == 1
    states = dict(m.Diagnosis.objects.values_list("code", "enabled"))
    assert states == {"A000": True, "A001": False, "U001": True}  # the starter row stays
    # Without the flag nothing is disabled; a disabled row is not disabled twice.
    assert import_catalog("cie10", first[:1], actor=None, disable_missing=True).disabled == 0


def test_sources_rank_official_over_starter_over_demo():
    demo = rows_of(("E119", "Inventado", "1", "", ""))
    import_catalog("cie10", demo, actor=None, source="demo")
    assert m.Diagnosis.objects.get().is_demo

    starter = rows_of(("E119", "Diabetes (conjunto inicial)", "1", "", ""))
    assert import_catalog("cie10", starter, actor=None, source="starter").updated == 1
    # Demo data never replaces a verified row.
    assert import_catalog("cie10", demo, actor=None, source="demo").unchanged == 1

    official = rows_of(("E119", "Diabetes (oficial)", "1", "1", "2016-12-01"))
    assert import_catalog("cie10", official, actor=None).updated == 1
    # The starter set loaded again leaves the official row as it is.
    assert import_catalog("cie10", starter, actor=None, source="starter").unchanged == 1
    row = m.Diagnosis.objects.get()
    assert (row.name, row.source) == ("Diabetes (oficial)", "official")


def test_unknown_catalog_source_or_missing_columns_refuse_the_whole_file():
    with pytest.raises(CatalogError, match="Catálogo «cie11» desconocido"):
        import_catalog("cie10".replace("10", "11"), [], actor=None)
    with pytest.raises(CatalogError, match="Fuente «seed» desconocida"):
        import_catalog("cie10", [], actor=None, source="seed")
    with pytest.raises(CatalogError, match="faltan las columnas: name"):
        import_catalog("cie10", [{"code": "E119", "nombre": "x"}], actor=None)
    assert not m.Diagnosis.objects.exists() and not _imports().exists()


def test_extra_columns_units_and_nutritional_products():
    header = [*HEADER[:1], "symbol", *HEADER[1:]]
    report = import_catalog(
        "unidades_medida",
        rows_of(("0168", "mg", "miligramo(s)", "1", "1", ""), header=header),
        actor=None,
    )
    assert report.created == 1 and m.MeasurementUnit.objects.get().symbol == "mg"

    import_catalog(
        "tipos_producto_nutricional",
        rows_of(("1201", "Aminoácidos libres", "1", "", "")),
        actor=None,
    )
    header = [*HEADER, "product_type_code", "physical_state", "form_name", "form_code"]
    header += ["package_quantity", "package_unit"]
    report = import_catalog(
        "productos_nutricionales",
        rows_of(
            ("120102", "GLUTAMENT", "0", "1", "", "1201", "Polvo", "Sobre", "9", "10,3", "g"),
            ("990101", "Sin tipo", "1", "1", "", "9901", "Polvo", "Sobre", "9", "1", "g"),
            ("120103", "Cantidad rara", "1", "1", "", "1201", "Polvo", "Sobre", "9", "mucho", "g"),
            header=header,
        ),
        actor=None,
    )
    assert report.created == 1
    assert dict(report.rejected) == {
        3: "«product_type_code»: tipo de producto nutricional «9901» no existe",
        4: "«package_quantity» debe ser un número, no «mucho»",
    }
    product = m.NutritionalProduct.objects.get()
    assert product.product_type.code == "1201" and str(product.package_quantity) == "10.300"
    # Unchanged when loaded again (the decimal compares equal).
    again = import_catalog(
        "productos_nutricionales",
        rows_of(
            ("120102", "GLUTAMENT", "0", "1", "", "1201", "Polvo", "Sobre", "9", "10.3", "g"),
            header=header,
        ),
        actor=None,
    )
    assert again.unchanged == 1


# --- the starter set -------------------------------------------------------------------


def test_starter_catalogs_load_every_shipped_file_and_are_idempotent():
    reports = load_starter_catalogs()
    assert set(reports) == {path.stem for path in STARTER_DIR.glob("*.csv")}
    for name, report in reports.items():
        shipped = len(read_rows(STARTER_DIR / f"{name}.csv"))
        assert (report.created, report.rejected) == (shipped, []), name
        assert CATALOGS[name].model.objects.filter(source="starter").count() == shipped
    # The big catalogs ship a small subset.
    for name in ("cie10", "cups", "dci", "enfermedades_huerfanas", "vias_administracion"):
        assert reports[name].created <= 50
    entries = _imports().count()
    again = load_starter_catalogs()
    assert all(r.created == r.updated == 0 and not r.rejected for r in again.values())
    assert _imports().count() == 2 * entries


def test_non_delivery_causes_flag_technology_types_and_uses():
    load_starter_catalogs()
    causes = m.NonDeliveryCause.objects.all()
    assert [c.code for c in causes] == [str(n) for n in range(1, 20)]  # numeric order
    assert all(c.for_no_direccionamiento for c in causes)
    procedures = set(m.NonDeliveryCause.objects.for_technology("P").values_list("code", flat=True))
    assert "2" not in procedures and {"1", "12", "17"} <= procedures
    assert sorted(c.code for c in causes if c.needs_associated_prescription) == ["1", "15"]
    assert sorted(c.code for c in causes if c.for_partial_delivery) == ["11", "12", "13", "15", "4"]
    assert causes.get(code="17").applies_to("M") and not causes.get(code="17").applies_to("N")


def test_complementary_services_keep_both_code_sets_in_numeric_order():
    load_starter_catalogs()
    services = list(m.ComplementaryService.objects.values_list("code", flat=True))
    assert services[:3] == ["1", "2", "3"] and services[-1] == "156"
    diapers = m.ComplementaryService.objects.get(code="139")
    assert diapers.equivalent_code == "4" and diapers.code_period == "from_2019-10-01"


# --- search ----------------------------------------------------------------------------


def test_search_by_code_prefix_or_name_words_enabled_first():
    load_starter_catalogs()
    diabetes = list(m.Diagnosis.objects.search("diabetes").values_list("code", flat=True))
    assert set(diabetes) == {"E105", "E109", "E112", "E115", "E119"}
    assert list(m.Diagnosis.objects.search("E11").values_list("code", flat=True)) == [
        "E112",
        "E115",
        "E119",
    ]
    assert [d.code for d in m.Diagnosis.objects.search("e11.9")] == ["E119"]
    # Every word must appear, in any case, with or without accents.
    assert [d.code for d in m.Diagnosis.objects.search("renal CRÓNICA etapa")] == ["N185"]
    assert [p.code for p in m.CupsProcedure.objects.search("hemodialisis")] == ["399501"]
    # A disabled code is still found (old prescriptions show it), after the enabled ones.
    levothyroxine = [a.code for a in m.ActiveIngredient.objects.search("levotiroxina")]
    assert levothyroxine == ["50525", "00453"]
    assert list(m.ActiveIngredient.objects.search("levotiroxina").enabled()) == [
        m.ActiveIngredient.objects.get(code="50525")
    ]
    assert not m.Diagnosis.objects.search("   ").exists()


def test_rows_saved_one_by_one_are_searchable():
    NutritionalProductFactory(name="Fórmula Pediátrica")
    DiagnosisFactory(code="U071", name="COVID-19, virus identificado")
    assert [d.code for d in m.Diagnosis.objects.search("covid")] == ["U071"]
    assert m.NutritionalProduct.objects.search("formula pediatrica").count() == 1


def test_fold_drops_case_accents_and_extra_spaces():
    assert fold("  Enfermedad   renal  crónica ") == "ENFERMEDAD RENAL CRONICA"


# --- the command -----------------------------------------------------------------------


def test_import_catalog_command_loads_one_file_and_reports(tmp_path):
    path = write_csv(
        tmp_path / "x.csv", [("E119", "Diabetes", "1", "", ""), ("E1", "Mal", "1", "", "")]
    )
    out, err = StringIO(), StringIO()
    call_command("import_catalog", "cie10", str(path), stdout=out, stderr=err)
    assert "cie10: 1 creados, 0 actualizados, 0 sin cambios, 0 deshabilitados, 1 rechazados" in (
        out.getvalue()
    )
    assert "x.csv, línea 3: rechazada: código «E1» no válido" in err.getvalue()


def test_import_catalog_all_loads_every_known_file_of_a_folder(tmp_path):
    write_csv(tmp_path / "cie10.csv", [("E119", "Diabetes", "1", "", "")])
    write_csv(tmp_path / "tipos_transporte.csv", [("1", "Terrestre", "", "", "")])
    write_csv(tmp_path / "eps.csv", [("EPS001", "Una EPS", "1", "", "")])  # not a catalog here
    out = StringIO()
    call_command("import_catalog", "--all", str(tmp_path), "--source", "demo", stdout=out)
    assert out.getvalue().count("creados") == 2
    assert m.Diagnosis.objects.get().source == "demo"
    assert m.TransportType.objects.get().name == "Terrestre"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cie11", "x.csv"], "Catálogo «cie11» desconocido"),
        (["cie10"], "Indique NOMBRE ARCHIVO, o --all DIR"),
        (["cie10", "x.csv", "--all", "."], "no ambos"),
        (["--all", "/no/existe"], "No existe la carpeta"),
        (["cie10", "/no/existe.csv"], "No se pudo leer"),
    ],
)
def test_import_catalog_command_refusals(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_catalog", *args, stdout=StringIO())


# --- the admin -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, ministry_admin):
    ministry_admin.is_superuser = True
    ministry_admin.save()
    client.force_login(ministry_admin)
    return client


def test_admin_searches_and_filters_catalogs_and_only_enabled_is_editable(
    admin_client, ministry_admin
):
    load_starter_catalogs()
    url = reverse("admin:prescriptions_diagnosis_changelist")
    page = admin_client.get(url, {"q": "diabetes insulinodependiente"}).content.decode()
    assert "E119" in page and "I10X" not in page
    assert admin_client.get(url, {"enabled__exact": "0"}).content.decode().count("I48X") >= 1
    assert admin_client.get(reverse("admin:prescriptions_diagnosis_add")).status_code == 403

    diagnosis = m.Diagnosis.objects.get(code="E119")
    change = reverse("admin:prescriptions_diagnosis_change", args=[diagnosis.pk])
    response = admin_client.post(change, {"enabled": "", "name": "Cambiado", "code": "X000"})
    assert response.status_code == 302
    diagnosis.refresh_from_db()
    assert (diagnosis.code, diagnosis.enabled, diagnosis.name[:8]) == ("E119", False, "Diabetes")
    entry = AuditEntry.objects.get(action="prescriptions.diagnosis.changed")
    assert entry.actor == ministry_admin and entry.data["fields"] == ["enabled"]
    for model in m.CATALOG_MODELS:
        changelist = reverse(f"admin:prescriptions_{model._meta.model_name}_changelist")
        assert admin_client.get(changelist, {"q": "a"}).status_code == 200


# --- the official tables ---------------------------------------------------------------


@needs_catalogs
def test_enums_match_the_official_small_tables():
    tables = {
        "ambitos_atencion.csv": enums.CareSetting,
        "tipos_medicamento.csv": enums.MedicineType,
        "tipos_prestacion.csv": enums.SupplyType,
        "unidades_tiempo.csv": enums.TimeUnit,
        "indicaciones_especiales.csv": enums.SpecialIndication,
        "tipos_transcripcion.csv": enums.TranscriptionType,
        "estados_junta.csv": enums.JuntaStatus,
        "junta_modalidades.csv": enums.JuntaModality,
        "vias_producto_nutricional.csv": enums.NutritionalRoute,
    }
    for file_name, enum in tables.items():
        with (Path(CATALOG_DIR) / file_name).open(encoding="utf-8") as handle:
            codes = [int(row["code"]) for row in csv.DictReader(handle)]
        assert codes == list(enum.values), file_name


@needs_catalogs
def test_full_official_tables_import_fast_and_search_them():
    load_starter_catalogs()  # the official files then replace these rows
    started = time.perf_counter()
    out = StringIO()
    call_command("import_catalog", "--all", CATALOG_DIR, stdout=out)
    elapsed = time.perf_counter() - started
    for name, rows in FULL_COUNTS.items():
        model = CATALOGS[name].model
        assert model.objects.count() == rows, name
        assert not model.objects.exclude(source="official").exists(), name
    assert "rechazados" in out.getvalue() and " 0 rechazados" in out.getvalue()
    assert elapsed < 30, out.getvalue()

    # The 12,602-row CIE-10 again: everything unchanged, in seconds.
    started = time.perf_counter()
    report = import_catalog_file("cie10", Path(CATALOG_DIR) / "cie10.csv", actor=None)
    assert report.unchanged == 12602 and not report.rejected
    assert time.perf_counter() - started < 10
    assert m.Diagnosis.objects.filter(enabled=False).count() == 57

    e11 = list(m.Diagnosis.objects.search("E11").values_list("code", flat=True))
    assert e11 == [f"E11{n}" for n in range(10)]
    diabetes = m.Diagnosis.objects.search("diabetes")
    assert diabetes.count() == 63 and {"E119", "E109", "O244"} <= {d.code for d in diabetes}
    assert all("DIABETES" in d.search_name for d in diabetes)
    assert "890201" in {p.code for p in m.CupsProcedure.objects.search("consulta medicina general")}
    assert m.ActiveIngredient.objects.search("metformina").first().code == "00965"


@needs_catalogs
def test_name_search_uses_the_trigram_index_on_postgresql():
    call_command("import_catalog", "cie10", str(Path(CATALOG_DIR) / "cie10.csv"), stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prescriptions_diagnosis")
        cursor.execute("SET enable_seqscan = off")
        query = m.Diagnosis.objects.search("diabetes").query
        sql, params = query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "search_trgm" in plan, plan
