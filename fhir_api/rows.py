"""The hot reads as flat rows: a search page is one `values_list` query (prescription lines
from the RequestLine view, supply steps from their tables with the few related fields their
mappers name), each row a dict keyed as the mapper names its fields. Fifty lines read as
model instances, with their ten related rows each and the ingredients prefetched, cost
about four times the CPU of the whole page read this way (docs/fhir.md, "Velocidad")."""

from django.db.models import QuerySet

from mipres.lib.choices import choice_labels

from .mapping.common import full_name
from .mapping.requests import ALL_TYPE_FIELDS, LABELS, LINE_FIELDS, TYPE_FIELDS


def values(queryset: QuerySet, fields: dict) -> list[dict]:
    """`queryset`'s rows as dicts of `fields` (name → path; a tuple of paths is a person's
    name: its parts joined)."""
    paths, names, joined = [], [], []
    for name, path in fields.items():
        if isinstance(path, tuple):
            keys = [f"{name}.{index}" for index in range(len(path))]
            joined.append((name, keys))
            names += keys
            paths += path
        else:
            names.append(name)
            paths.append(path)
    rows = []
    for row in queryset.values_list(*paths):
        row = dict(zip(names, row, strict=True))
        for name, keys in joined:
            row[name] = full_name(*(row.pop(key) for key in keys))
        rows.append(row)
    return rows


def add_labels(rows: list[dict], fields: dict) -> None:
    """Add "<field>_label", the label of each choice field in `fields` (field → choices),
    translated once per language (mipres.lib.choices) rather than once per resource."""
    texts = {name: choice_labels(choices) for name, choices in fields.items()}
    for row in rows:
        for name, labels in texts.items():
            if name in row:
                row[f"{name}_label"] = labels.get(row[name], "")


def line_rows(queryset: QuerySet, resource_type: str | None = None) -> list[dict]:
    """The RequestLine rows of `queryset` (already scoped, ordered and sliced) as the
    request mappers read them: the fields of `resource_type`, or of every type."""
    extra = TYPE_FIELDS[resource_type] if resource_type else ALL_TYPE_FIELDS
    rows = values(queryset, {**LINE_FIELDS, **extra})
    add_labels(rows, LABELS)
    return rows
