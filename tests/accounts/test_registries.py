import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import registries
from accounts.models import Profession, ProfessionalRecord, ProviderRegistryRecord
from entities.models import AuditEntry
from entities.permissions import ROLES_BY_ENTITY_TYPE, Role
from mipres.lib import ratelimit
from mipres.lib.csvfiles import read_rows

from .factories import ProfessionalRecordFactory, ProviderRegistryRecordFactory

pytestmark = pytest.mark.django_db

RETHUS_HEADER = (
    "tipo_documento,numero_documento,primer_nombre,segundo_nombre,primer_apellido,"
    "segundo_apellido,profesion,registro_profesional,activo\n"
)
REPS_HEADER = (
    "codigo_habilitacion,nit,nombre,municipio,profesional_independiente,tipo_documento,"
    "numero_documento,activo\n"
)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate-limit counters live in the process-wide cache; start every test from zero.
    cache.clear()
    yield
    cache.clear()


def _csv(tmp_path, text: str, *, name="registro.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(tmp_path, text: str):
    return read_rows(_csv(tmp_path, text))


# --- RETHUS import ---------------------------------------------------------------------


def test_rethus_import_creates_records_and_audits(tmp_path):
    rows = _rows(
        tmp_path,
        RETHUS_HEADER
        + "CC,80111222,Luis,Alberto,Pérez,Gómez,medicina,RM-1,1\n"
        + "CC,80111222,Luis,Alberto,Pérez,Gómez,Odontología,RO-7,si\n"
        + "ce,x123456,Ana,,Ruiz,,NUTRICIÓN Y DIETÉTICA,RN-2,N\n",
    )
    report = registries.import_professional_records(rows, actor=None, source="rethus_csv")
    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, [])
    luis = ProfessionalRecord.objects.filter(document_number="80111222")
    assert {r.profession for r in luis} == {"medicina", "odontologia"}
    ana = ProfessionalRecord.objects.get(document_type="CE", document_number="X123456")
    assert ana.profession == Profession.NUTRICION_DIETETICA and ana.active is False
    assert ana.source == "rethus_csv" and ana.full_name == "Ana Ruiz"
    entry = AuditEntry.objects.get(action="accounts.rethus.imported")
    assert entry.actor is None
    assert entry.data == {
        "source": "rethus_csv",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


@pytest.mark.parametrize(
    "text",
    ["medicina", "Medicina", "MEDICINA", " medicína ", "Médico", "médico"],
)
def test_rethus_profession_names_are_case_and_accent_insensitive(text):
    assert registries.imports.parse_profession(text) == "medicina"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("XX,123456,Ana,,Ruiz,,medicina,R1,1", "tipo de documento «XX» desconocido"),
        ("CC,12.345.678,Ana,,Ruiz,,medicina,R1,1", "número de documento «12.345.678» no válido"),
        ("CC,123456,,,Ruiz,,medicina,R1,1", "falta «primer_nombre»"),
        ("CC,123456,Ana,,Ruiz,,astrología,R1,1", "profesión «astrología» desconocida"),
        ("CC,123456,Ana,,Ruiz,,medicina,,1", "falta «registro_profesional»"),
        ("CC,123456,Ana,,Ruiz,,medicina,R1,quizás", "«activo» debe ser 1/0"),
        ("CC,123456,Ana,,Ruiz,,medicina," + "9" * 31 + ",1", "más de 30 caracteres"),
    ],
)
def test_rethus_import_rejects_bad_rows_with_a_reason(tmp_path, line, reason):
    rows = _rows(tmp_path, RETHUS_HEADER + "CC,555666,Eva,,Díaz,,medicina,R0,1\n" + line + "\n")
    report = registries.import_professional_records(rows, actor=None, source="rethus_csv")
    assert report.created == 1
    assert len(report.rejected) == 1
    number, message = report.rejected[0]
    assert number == 3 and reason in message
    assert ProfessionalRecord.objects.count() == 1


def test_rethus_import_rejects_a_repeated_key(tmp_path):
    rows = _rows(
        tmp_path,
        RETHUS_HEADER
        + "CC,555666,Eva,,Díaz,,medicina,R0,1\n"
        + "CC,555666,Eva,,Díaz,,Medicina,R9,0\n",
    )
    report = registries.import_professional_records(rows, actor=None, source="x")
    assert report.rejected == [(3, "repite el registro de la línea 2")]
    assert ProfessionalRecord.objects.get().registration_number == "R0"


def test_rethus_reimport_updates_changed_rows_and_never_deletes(tmp_path):
    first = RETHUS_HEADER + "CC,100,Eva,,Díaz,,medicina,R0,1\nCC,200,Leo,,Mora,,psicologia,P1,1\n"
    registries.import_professional_records(_rows(tmp_path, first), actor=None, source="a")
    again = registries.import_professional_records(_rows(tmp_path, first), actor=None, source="a")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    second = RETHUS_HEADER + "CC,100,Eva,,Díaz,,medicina,R0,0\n"  # inactivated; 200 absent
    report = registries.import_professional_records(_rows(tmp_path, second), actor=None, source="a")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert ProfessionalRecord.objects.get(document_number="100").active is False
    assert ProfessionalRecord.objects.filter(document_number="200").exists()
    assert AuditEntry.objects.filter(action="accounts.rethus.imported").count() == 3


def test_import_rethus_command_reads_latin1_semicolon_files(tmp_path):
    text = (
        "Tipo_Documento;Número_Documento;Primer_Nombre;Segundo_Nombre;Primer_Apellido;"
        "Segundo_Apellido;Profesión;Registro_Profesional;Activo\n"
        "CC;52333444;Íngrid;;Muñoz;Peña;Nutrición y Dietética;RN-55;S\n"
        "CC;52333445;José;;Ñáñez;;Enfermería;RE-1;Sí\n"
        "TX;1;X;;Y;;medicina;R;1\n"
    )
    path = _csv(tmp_path, text, encoding="latin-1")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_rethus", str(path), "--source", "rethus_2026", stdout=out, stderr=err)
    assert "RETHUS: 2 creados, 0 actualizados, 0 sin cambios, 1 rechazados" in out.getvalue()
    assert "línea 4: rechazada: tipo de documento «TX» desconocido" in err.getvalue()
    ingrid = ProfessionalRecord.objects.get(document_number="52333444")
    assert ingrid.first_name == "Íngrid" and ingrid.first_surname == "Muñoz"
    assert ingrid.profession == "nutricion_dietetica" and ingrid.source == "rethus_2026"


def test_import_rethus_command_refuses_a_file_without_the_columns(tmp_path):
    path = _csv(tmp_path, "documento,nombre\n1,Ana\n")
    with pytest.raises(CommandError, match="faltan las columnas: tipo_documento"):
        call_command("import_rethus", str(path))
    assert not AuditEntry.objects.filter(action="accounts.rethus.imported").exists()


def test_rethus_import_of_many_rows_uses_a_few_queries(tmp_path, django_assert_max_num_queries):
    lines = [f"CC,{60_000_000 + i},Nombre,,Apellido,,medicina,R{i},1\n" for i in range(5000)]
    rows = _rows(tmp_path, RETHUS_HEADER + "".join(lines))
    with django_assert_max_num_queries(20):
        report = registries.import_professional_records(rows, actor=None, source="bulk")
    assert report.created == 5000
    changed = [line.replace(",1\n", ",0\n") for line in lines[:3000]] + lines[3000:]
    rows = _rows(tmp_path, RETHUS_HEADER + "".join(changed))
    with django_assert_max_num_queries(20):
        report = registries.import_professional_records(rows, actor=None, source="bulk")
    assert (report.updated, report.unchanged) == (3000, 2000)


def test_demo_rows_never_replace_another_sources_record(tmp_path):
    ProfessionalRecordFactory(document_number="777888", source="rethus_csv", first_name="Real")
    rows = _rows(tmp_path, RETHUS_HEADER + "CC,777888,Demo,,Demo,,medicina,D-1,1\n")
    report = registries.import_professional_records(rows, actor=None, source="demo")
    assert report.updated == 0
    assert "los datos de demostración no lo reemplazan" in report.rejected[0][1]
    assert ProfessionalRecord.objects.get().first_name == "Real"
    # The official registry does replace demo data.
    official = registries.import_professional_records(
        _rows(tmp_path, RETHUS_HEADER + "CC,777888,Oficial,,Real,,medicina,R-1,1\n"),
        actor=None,
        source="rethus_csv",
    )
    assert official.updated == 1


def test_import_refuses_an_empty_source():
    with pytest.raises(ValueError, match="fuente"):
        registries.import_professional_records([], actor=None, source="")


# --- REPS import -----------------------------------------------------------------------


def test_reps_import_creates_and_updates(tmp_path):
    text = (
        REPS_HEADER
        + "050010123401,900123456-8,IPS Uno,05001,0,,,1\n"
        + "1100154321,900.654.321,IPS Dos,11001,no,,,\n"
        + "05001777701,71777777,Laura Gil (independiente),05001,1,cc,71777777,1\n"
    )
    report = registries.import_provider_records(_rows(tmp_path, text), actor=None, source="reps")
    assert (report.created, report.rejected) == (3, [])
    uno = ProviderRegistryRecord.objects.get(habilitation_code="050010123401")
    assert uno.nit == "900123456" and uno.municipality_id == "05001"
    assert uno.independent_professional is False and uno.document_number == ""
    assert ProviderRegistryRecord.objects.get(nit="900654321").active is True
    laura = ProviderRegistryRecord.objects.get(habilitation_code="05001777701")
    assert laura.independent_professional and (laura.document_type, laura.document_number) == (
        "CC",
        "71777777",
    )
    assert AuditEntry.objects.get(action="accounts.reps.imported").data["created"] == 3

    renamed = text.replace("IPS Dos", "IPS Dos Renombrada")
    again = registries.import_provider_records(_rows(tmp_path, renamed), actor=None, source="reps")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert ProviderRegistryRecord.objects.get(nit="900654321").name == "IPS Dos Renombrada"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("050010123,900123456,IPS,05001,0,,,1", "código de habilitación «050010123» no tiene"),
        ("05001012340A,900123456,IPS,05001,0,,,1", "no tiene de 10 a 12 dígitos"),
        ("050010123401,900123456-1,IPS,05001,0,,,1", "el dígito de verificación de «900123456-1»"),
        ("050010123401,NIT900,IPS,05001,0,,,1", "NIT «NIT900» no válido"),
        ("050010123401,900123456,IPS,99999,0,,,1", "municipio «99999» no existe en DIVIPOLA"),
        ("050010123401,900123456,,05001,0,,,1", "falta «nombre»"),
        ("050010123401,71777777,Laura,05001,1,,,1", "falta «tipo_documento»"),
        ("050010123401,900123456,IPS,05001,0,CC,123456,1", "solo un profesional independiente"),
        ("050010123401,900123456,IPS,05001,tal vez,,,1", "«profesional_independiente» debe"),
    ],
)
def test_reps_import_rejects_bad_rows_with_a_reason(tmp_path, line, reason):
    report = registries.import_provider_records(
        _rows(tmp_path, REPS_HEADER + line + "\n"), actor=None, source="reps"
    )
    assert report.created == 0
    assert len(report.rejected) == 1 and report.rejected[0][0] == 2
    assert reason in report.rejected[0][1]
    assert not ProviderRegistryRecord.objects.exists()


def test_import_reps_command_reports_counts_and_rejections(tmp_path):
    text = REPS_HEADER + "050010123401,900123456-8,IPS Uno,05001,0,,,1\n1,2,X,05001,0,,,1\n"
    out, err = io.StringIO(), io.StringIO()
    call_command("import_reps", str(_csv(tmp_path, text)), stdout=out, stderr=err)
    assert "REPS: 1 creados, 0 actualizados, 0 sin cambios, 1 rechazados" in out.getvalue()
    assert err.getvalue().startswith("línea 3: rechazada: código de habilitación «1»")
    assert ProviderRegistryRecord.objects.get().source == "reps_csv"


# --- Profession rules and adapters -------------------------------------------------------


@pytest.mark.parametrize(
    ("professions", "roles", "types"),
    [
        ({"medicina"}, {"prescriptor"}, set("MPDNS")),
        ({"odontologia"}, {"prescriptor"}, set("MPDS")),
        ({"optometria"}, {"prescriptor"}, set("MPDS")),
        ({"nutricion_dietetica"}, {"ordenador"}, {"N"}),
        ({"enfermeria", "psicologia"}, set(), set()),
        ({"odontologia", "nutricion_dietetica"}, {"prescriptor", "ordenador"}, set("MPDNS")),
        (set(), set(), set()),
    ],
)
def test_profession_rules(professions, roles, types):
    assert registries.roles_allowed_for(professions) == roles
    assert registries.technology_types_for(professions) == types


def test_active_professions_ignore_inactive_records():
    ProfessionalRecordFactory(document_number="4455", profession="medicina", active=False)
    ProfessionalRecordFactory(document_number="4455", profession="nutricion_dietetica")
    assert registries.active_professions("CC", " 4455 ") == {"nutricion_dietetica"}
    assert registries.roles_allowed_for(registries.active_professions("CC", "4455")) == {
        Role.ORDENADOR
    }


def test_default_adapters_read_the_mirrors():
    record = ProfessionalRecordFactory(document_type="CE", document_number="AB123")
    assert isinstance(registries.rethus(), registries.MirrorRethusAdapter)
    assert registries.rethus().records_for("CE", "ab123") == [record]
    assert registries.rethus().records_for("CC", "AB123") == []
    ips = ProviderRegistryRecordFactory(nit="900777111")
    other_sede = ProviderRegistryRecordFactory(nit="900777111")
    assert registries.reps().by_code(ips.habilitation_code) == ips
    assert registries.reps().by_code("0000000000") is None
    assert registries.reps().by_nit("900777111") == [ips, other_sede]


class FakeRethus:
    """A stand-in for a real RETHUS service (a deployment's adapter)."""

    def records_for(self, document_type, document_number):
        return [
            ProfessionalRecord(
                document_type=document_type,
                document_number=document_number,
                first_name="Servicio",
                first_surname="Externo",
                profession="optometria",
                registration_number="WS-1",
                active=True,
                source="rethus_ws",
            )
        ]


class FakeReps:
    def by_code(self, code):
        return None

    def by_nit(self, nit):
        return []


def test_settings_choose_the_adapters(settings, client):
    settings.RETHUS_ADAPTER = "tests.accounts.test_registries.FakeRethus"
    settings.REPS_ADAPTER = "tests.accounts.test_registries.FakeReps"
    assert isinstance(registries.rethus(), FakeRethus)
    assert isinstance(registries.reps(), FakeReps)
    assert registries.active_professions("CC", "1") == {"optometria"}
    page = client.get(
        reverse("accounts:rethus_lookup"), {"document_type": "CC", "document_number": "9999"}
    )
    assert "Servicio Externo" in page.content.decode()


# --- The public page --------------------------------------------------------------------


def _lookup(client, number, document_type="CC", **extra):
    return client.get(
        reverse("accounts:rethus_lookup"),
        {"document_type": document_type, "document_number": number},
        **extra,
    )


def test_rethus_page_is_public_and_starts_empty(client):
    response = client.get(reverse("accounts:rethus_lookup"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Consultar RETHUS" in page and 'name="document_number"' in page
    assert "No se encontró" not in page


def test_rethus_page_shows_each_profession_and_what_it_may_do_in_mipres(client):
    person = {
        "document_number": "3344556",
        "first_name": "Marta",
        "middle_name": "Lucía",
        "first_surname": "Salas",
    }
    ProfessionalRecordFactory(**person, profession="medicina", registration_number="RM-3344")
    ProfessionalRecordFactory(
        **person, profession="nutricion_dietetica", registration_number="RN-9"
    )
    ProfessionalRecordFactory(**person, profession="enfermeria", active=False)
    response = _lookup(client, " 3344556 ")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Marta Lucía Salas" in page and "CC 3344556" in page
    assert "Medicina" in page and "RM-3344" in page and "Prescriptor" in page
    assert "Nutrición y dietética" in page and "Ordenador" in page
    assert "Enfermería" in page and "No prescribe" in page and "Inactivo" in page
    assert "puede solicitar usuario y contraseña" in page
    assert "Datos de demostración" not in page


def test_rethus_page_explains_an_inactive_prescriber(client):
    ProfessionalRecordFactory(document_number="9911", active=False)
    page = _lookup(client, "9911").content.decode()
    assert "Su registro figura inactivo" in page


def test_rethus_page_not_found_says_what_to_do(client):
    ProfessionalRecordFactory(document_type="CE", document_number="123456")
    page = _lookup(client, "123456").content.decode()
    assert "No se encontró a la persona en RETHUS con el documento CC 123456." in page
    assert "colegio profesional" in page and "secretaría de salud" in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"document_type": "CC", "document_number": "12.345"}, "document_number", "sin puntos"),
        ({"document_type": "CC", "document_number": ""}, "document_number", "Escriba el número"),
        ({"document_type": "ZZ", "document_number": "12345"}, "document_type", "Elija un tipo"),
    ],
)
def test_rethus_page_bad_input_is_reported_beside_the_field(client, params, field, message):
    response = client.get(reverse("accounts:rethus_lookup"), params)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field])
    page = response.content.decode()
    assert f'id="error_1_id_{field}"' in page and message in page
    assert "No se encontró" not in page


def test_rethus_page_flags_demo_data(client):
    ProfessionalRecordFactory(document_number="1000009002", source="demo", profession="odontologia")
    page = _lookup(client, "1000009002").content.decode()
    assert "Datos de demostración" in page and "Prescriptor" in page


def test_rethus_page_limits_lookups_per_client_ip(client, settings):
    settings.RETHUS_LOOKUPS_PER_MINUTE = 3
    with time_machine.travel("2026-03-02 10:00:10 -0500", tick=False) as clock:
        for number in ("111", "222", "333"):
            assert _lookup(client, number).status_code == 200
        response = _lookup(client, "444")
        assert response.status_code == 429
        assert "demasiadas consultas" in response.content.decode()
        # Another client is not affected; the same client may look up again next minute.
        assert _lookup(client, "444", REMOTE_ADDR="198.51.100.9").status_code == 200
        clock.shift(60)
        assert _lookup(client, "444").status_code == 200


def test_ratelimit_hit_counts_per_key_and_window():
    with time_machine.travel("2026-03-02 10:00:00 -0500", tick=False) as clock:
        assert [ratelimit.hit("k a", 2, 60) for _ in range(3)] == [True, True, False]
        assert ratelimit.hit("other", 2, 60) is True
        clock.shift(59)
        assert ratelimit.hit("k a", 2, 60) is False
        clock.shift(1)
        assert ratelimit.hit("k a", 2, 60) is True


# --- Admin and demo ------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, ministry_admin):
    ministry_admin.is_superuser = True
    ministry_admin.save()
    client.force_login(ministry_admin)
    return client


def test_registry_admin_changelists_search_and_filter(admin_client):
    record = ProfessionalRecordFactory(first_surname="Buscable", registration_number="RM-777")
    provider = ProviderRegistryRecordFactory(name="Clínica Encontrable")
    url = reverse("admin:accounts_professionalrecord_changelist")
    for params in ({"q": "RM-777"}, {"q": "Buscable"}, {"profession": "medicina", "active": "1"}):
        page = admin_client.get(url, params)
        assert page.status_code == 200 and record.document_number in page.content.decode()
    url = reverse("admin:accounts_providerregistryrecord_changelist")
    for params in (
        {"q": provider.nit},
        {"q": "Encontrable"},
        {"municipality__department__code__exact": "05", "independent_professional": "0"},
    ):
        page = admin_client.get(url, params)
        assert page.status_code == 200 and provider.habilitation_code in page.content.decode()
    add = admin_client.get(reverse("admin:accounts_professionalrecord_add"))
    assert add.status_code == 403


def test_registry_admin_may_only_switch_active_and_audits_it(admin_client, ministry_admin):
    record = ProfessionalRecordFactory(first_name="Original")
    url = reverse("admin:accounts_professionalrecord_change", args=[record.pk])
    response = admin_client.post(url, {"active": "", "first_name": "Cambiado"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.active is False and record.first_name == "Original"
    entry = AuditEntry.objects.get(action="accounts.professionalrecord.changed")
    assert entry.actor == ministry_admin and entry.data["fields"] == ["active"]


def _demo_number(index: int, entity_type: str, role: str) -> str:
    return f"{1_000_000_000 + index * 100 + ROLES_BY_ENTITY_TYPE[entity_type].index(role) + 1}"


def test_demo_registries_seed_idempotently():
    registries.seed_demo_registries()
    registries.seed_demo_registries()
    assert not ProfessionalRecord.objects.exclude(source="demo").exists()
    assert ProfessionalRecord.objects.count() == 23
    assert ProviderRegistryRecord.objects.count() == 4
    last_two = AuditEntry.objects.order_by("-pk")[:2]
    assert all(e.data["created"] == e.data["rejected"] == e.data["updated"] == 0 for e in last_two)

    expected = {"prescriptor": "medicina", "ordenador": "nutricion_dietetica"}
    expected |= {"junta": "medicina", "anulador": "medicina"}
    for index, entity_type in ((2, "EPS"), (3, "EOC"), (4, "IPS"), (5, "IPS")):
        for role, profession in expected.items():
            number = _demo_number(index, entity_type, role)
            assert registries.active_professions("CC", number) == {profession}, number
    assert _demo_number(4, "IPS", "prescriptor") == "1000000404"
    assert _demo_number(2, "EPS", "prescriptor") == "1000000206"

    journeys = {
        "1000009001": ("medicina", True),
        "1000009002": ("odontologia", True),
        "1000009003": ("optometria", True),
        "1000009004": ("nutricion_dietetica", True),
        "1000009005": ("enfermeria", True),
        "1000009006": ("medicina", False),
        "1000009007": ("medicina", True),
    }
    for number, (profession, active) in journeys.items():
        record = ProfessionalRecord.objects.get(document_number=number)
        assert (record.profession, record.active) == (profession, active)

    reps = registries.reps()
    assert reps.by_code("050010000101").nit == "900200401"
    assert reps.by_code("110010000201").municipality_id == "11001"
    pacifico = reps.by_code("760010000301")
    assert (pacifico.nit, pacifico.name) == ("900400301", "Clínica Demo del Pacífico (demo)")
    independent = reps.by_code("050010009007")
    assert independent.independent_professional and independent.document_number == "1000009007"
    assert all(r.is_demo for r in ProviderRegistryRecord.objects.all())
