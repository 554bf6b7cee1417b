"""The tables a national volume writes carry the indexes their reads use and no more (issue
14 §7): each index costs every insert of millions of rows. No catalog foreign key leads an
index (catalog rows are disabled, never deleted, and nothing looks a record up by its
catalog entry); no index sits under a wider one that starts with the same column; and each
key a read follows still leads one."""

import pytest
from django.db import connection

from entities.models import AuditEntry
from prescriptions.models import (
    CATALOG_MODELS,
    LineActiveIngredient,
    Prescription,
    TechnologyLine,
)
from supply.models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Programacion,
    ReporteEntrega,
    Suministro,
)

pytestmark = pytest.mark.django_db

# Each supply step is read by the entity that recorded it (worklists, …XFecha services).
STEPS = (
    Direccionamiento,
    NoDireccionamiento,
    Programacion,
    Entrega,
    ReporteEntrega,
    Facturacion,
    DatosFacturados,
    Suministro,
)
WRITTEN_AT_VOLUME = (Prescription, TechnologyLine, LineActiveIngredient, AuditEntry, Deliverable)
WRITTEN_AT_VOLUME += STEPS


def indexes(model) -> list[tuple[str, str, int, bool]]:
    """(name, first column, number of columns, partial) of each index on the model's table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, a.attname, i.indnatts, i.indpred IS NOT NULL "
            "FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE i.indrelid = %s::regclass",
            [model._meta.db_table],
        )
        return cursor.fetchall()


def leading(model) -> list[str]:
    """The first column of each index that serves every row (partial ones left out)."""
    return [column for _name, column, _n, partial in indexes(model) if not partial]


def by_name(model):
    return model.__name__


@pytest.mark.parametrize("model", WRITTEN_AT_VOLUME, ids=by_name)
def test_no_catalog_foreign_key_leads_an_index(model):
    catalog_keys = {
        field.column
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in CATALOG_MODELS
    }
    assert not catalog_keys & {column for _name, column, _n, _p in indexes(model)}


@pytest.mark.parametrize("model", WRITTEN_AT_VOLUME, ids=by_name)
def test_no_index_sits_under_a_wider_one(model):
    found = indexes(model)
    # The first columns of the indexes of more than one column that serve every row.
    wider = {column for _name, column, n, partial in found if n > 1 and not partial}
    under = [name for name, column, n, _p in found if n == 1 and column in wider]
    assert under == []


@pytest.mark.parametrize(
    ("model", "column"),
    [
        (TechnologyLine, "prescription_id"),  # the detail page, the supply chain
        (TechnologyLine, "tutela_id"),
        (LineActiveIngredient, "line_id"),
        (AuditEntry, "content_type_id"),  # a prescription's history
        (Deliverable, "line_id"),
        (Direccionamiento, "provider_id"),  # the proveedor's worklists
        (Programacion, "sede_id"),  # «Por entregar» of a dispensador's sede
        *((step, "entity_id") for step in STEPS),
    ],
    ids=str,
)
def test_a_key_the_reads_follow_leads_an_index(model, column):
    assert column in leading(model)
