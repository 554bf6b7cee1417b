"""The small catalogs of the prescription form (`CatalogOptions`) live in Django's cache,
keyed by each catalog's stamp: read from the database once, then from the cache, and read
again as soon as the importer or the admin changes the catalog, in every process alike."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prescriptions import models as m
from prescriptions.forms import prescribing_lines
from prescriptions.forms.prescribing_lines import CatalogOptions

from .factories import PharmaceuticalFormFactory

pytestmark = pytest.mark.django_db
CATALOG = "formas_farmaceuticas"
TABLE = m.PharmaceuticalForm._meta.db_table


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def reads_of_the_catalog(queries) -> list[str]:
    """The queries that read the catalog's rows (not the one stamp query of every catalog)."""
    return [q["sql"] for q in queries if TABLE in q["sql"] and "UNION ALL" not in q["sql"]]


def entries_with_queries(catalog: str = CATALOG):
    """A new request's entries of `catalog` (code → row), and the queries reading them."""
    with CaptureQueriesContext(connection) as queries:
        entries = CatalogOptions().entries(catalog)
    return entries, queries.captured_queries


def first_field(entries, code: str):
    return entries[code][0]  # the primary key, the model's first column


def test_a_catalog_is_read_once_then_served_from_djangos_cache():
    tablet = PharmaceuticalFormFactory(code="COLFF901", name="Tableta")

    first, queries = entries_with_queries()
    assert first_field(first, "COLFF901") == tablet.pk
    assert len(reads_of_the_catalog(queries)) == 1

    again, queries = entries_with_queries()  # another request
    assert first_field(again, "COLFF901") == tablet.pk
    assert reads_of_the_catalog(queries) == []
    assert len(queries) == 1  # the stamps of every small catalog, in one query


def test_a_code_is_given_as_the_catalogs_model_instance():
    tablet = PharmaceuticalFormFactory(code="COLFF901", name="Tableta")
    options = CatalogOptions()
    options.entries(CATALOG)  # cached as plain values

    entry = CatalogOptions().get(CATALOG, "COLFF901")
    assert isinstance(entry, m.PharmaceuticalForm)
    assert (entry.pk, entry.code, entry.name, entry.enabled) == (
        tablet.pk,
        "COLFF901",
        "Tableta",
        True,
    )
    assert entry.updated_at == tablet.updated_at
    assert not entry._state.adding  # as loaded from the database: a valid foreign key
    assert CatalogOptions().get(CATALOG, "COLFF999") is None


def test_one_request_reads_the_stamps_once_for_every_catalog():
    PharmaceuticalFormFactory(code="COLFF901")
    options = CatalogOptions()
    with CaptureQueriesContext(connection) as queries:
        options.entries(CATALOG)
        options.get(CATALOG, "COLFF901")
        options.choices(CATALOG)
        options.version()
    stamps = [q for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert len(stamps) == 1


def test_a_code_disabled_in_the_admin_leaves_the_list_at_the_next_request():
    tablet = PharmaceuticalFormFactory(code="COLFF901", name="Tableta")
    PharmaceuticalFormFactory(code="COLFF902", name="Cápsula")
    assert "COLFF901" in CatalogOptions().entries(CATALOG)

    tablet.enabled = False
    tablet.save()  # as the admin and the importer do: updated_at moves

    entries, queries = entries_with_queries()
    assert "COLFF901" not in entries
    assert "COLFF902" in entries
    assert len(reads_of_the_catalog(queries)) == 1


def test_a_new_code_appears_and_a_renamed_one_shows_its_new_name():
    tablet = PharmaceuticalFormFactory(code="COLFF901", name="Tableta")
    CatalogOptions().entries(CATALOG)

    PharmaceuticalFormFactory(code="COLFF903", name="Jarabe")
    tablet.name = "Tableta recubierta"
    tablet.save()

    choices = dict(CatalogOptions().choices(CATALOG))
    assert choices["COLFF903"] == "Jarabe (COLFF903)"
    assert choices["COLFF901"] == "Tableta recubierta (COLFF901)"


def test_the_list_starts_with_the_empty_choice():
    PharmaceuticalFormFactory(code="COLFF901", name="Tableta")
    choices = CatalogOptions().choices(CATALOG)
    assert choices[0] == ("", "—")
    assert ("COLFF901", "Tableta (COLFF901)") in choices


def test_a_cleared_cache_is_refilled_from_the_database():
    PharmaceuticalFormFactory(code="COLFF901")
    CatalogOptions().entries(CATALOG)
    cache.clear()  # a restarted Redis, or another process's empty memory

    entries, queries = entries_with_queries()
    assert "COLFF901" in entries
    assert len(reads_of_the_catalog(queries)) == 1


def test_the_version_changes_with_any_small_catalog():
    PharmaceuticalFormFactory(code="COLFF901")
    before = CatalogOptions().version()
    assert CatalogOptions().version() == before

    PharmaceuticalFormFactory(code="COLFF904")
    assert CatalogOptions().version() != before


def test_a_release_with_other_columns_does_not_read_an_older_releases_rows(monkeypatch):
    PharmaceuticalFormFactory(code="COLFF901", name="Tableta")
    CatalogOptions().entries(CATALOG)  # cached by this release, under the same stamp

    # Another release whose catalog has one column less (or more): same stamp, other key.
    full = prescribing_lines._fields(m.PharmaceuticalForm)
    monkeypatch.setattr(
        prescribing_lines, "_fields", lambda model: [f for f in full if f != "updated_at"]
    )
    entries, queries = entries_with_queries()
    assert len(reads_of_the_catalog(queries)) == 1
    assert len(entries["COLFF901"]) == len(full) - 1
    assert CatalogOptions().get(CATALOG, "COLFF901").name == "Tableta"
