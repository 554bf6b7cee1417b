"""A prescription as a supply actor sees it, with its supply timeline: per line and
delivery, every step with its state, dates, actor and annulment (issue 5 §8; STYLE R5).

Three queries whatever the size of the chains:

1. the prescription with its patient, lines and deliverables, each deliverable flagged
   visible or not to the viewer;
2. every step of the visible deliverables (and the line records) in one UNION ALL over
   the step tables, each branch reading the same columns (its own details in generic
   slots);
3. the names those rows cite (entities, users, sedes, causes, payer codes), in one more.

They are SQL written once from the models' tables, which psycopg prepares once per
connection (`prepare_threshold`): composed through the ORM, the nine branches cost ~10 ms
of Python per request; joining the names into every branch cost the planner ~15 ms, and
the prescription with five select_related ~5 ms of both.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db import connection
from django.http import Http404

from accounts.models import User
from entities.models import Entity, PayerCode, Sede
from prescriptions.models import NonDeliveryCause, Patient, Prescription, TechnologyLine

from ..models import (
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
from ..models.chain import delivery_label
from ..services.annulment import STEPS
from .kinds import KIND_BY_MODEL

# The generic slots every step row has beyond the Record columns, with their SQL types.
# `ref` is the id of a row the step names: its provider (direccionamiento), sede
# (programación), cause (entrega, no direccionamiento) or procedure line (inclusión).
SLOTS = {
    "text1": "varchar",
    "text2": "varchar",
    "number": "numeric",
    "date": "date",
    "flag1": "boolean",
    "flag2": "boolean",
    "ref": "bigint",
}
# Which field of each model fills each slot: what the timeline shows of it.
DETAILS = {
    Direccionamiento: {"ref": "provider", "number": "quantity", "date": "max_delivery_date"},
    Programacion: {"ref": "sede", "number": "quantity"},
    Entrega: {
        "ref": "cause",
        "text2": "batch",
        "number": "quantity",
        "date": "delivered_on",
        "flag1": "in_ambito",
        "flag2": "total",
    },
    ReporteEntrega: {"number": "value", "flag1": "delivered"},
    Facturacion: {"text1": "invoice_number", "number": "total_value"},
    DatosFacturados: {},
    Suministro: {"number": "quantity"},
    NoDireccionamiento: {"ref": "cause"},
    ProcedureSupply: {"ref": "procedure_line"},
}
# The chain's steps (keyed by deliverable) and the line's records (keyed by line).
DELIVERY_STEPS = (
    Direccionamiento,
    Programacion,
    Entrega,
    ReporteEntrega,
    Facturacion,
    DatosFacturados,
    Suministro,
)
LINE_RECORDS = (NoDireccionamiento, ProcedureSupply)
RECORD_COLUMNS = (
    "id",
    "status",
    "created_at",
    "entity",
    "created_by",
    "annulled_at",
    "annulled_by",
    "annulment_reason",
)
# What the page reads of the prescription, its patient and its lines (as attnames).
PRESCRIPTION_FIELDS = (
    "id",
    "number",
    "prescribed_at",
    "status",
    "care_setting",
    "entity_id",
    "payer_id",
    "payer_code_id",
)
PATIENT_FIELDS = (
    "id",
    "document_type",
    "document_number",
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
    "newborn_order",
    "mother_document_type",
    "mother_document_number",
)
LINE_FIELDS = ("id", "technology_type", "order", "total_quantity", "supply_type")


@dataclass(slots=True)
class Step:
    """One supply record as the timeline shows it (the step query's columns, in order, then
    the names resolved afterwards). `text1`… hold its kind's details (see DETAILS)."""

    kind: str
    parent_id: int  # the deliverable's, or the line's for a line record
    pk: int
    status: int
    created_at: datetime.datetime
    entity_id: int
    created_by_id: int | None
    annulled_at: datetime.datetime | None
    annulled_by_id: int | None
    annulment_reason: str
    text1: str | None
    text2: str | None
    number: Decimal | None
    date: datetime.date | None
    flag1: bool | None
    flag2: bool | None
    ref: int | None
    entity_name: str = ""
    created_by_name: str = ""
    annulled_by_name: str = ""
    ref_code: str = ""  # the provider's name, the sede's or cause's code, the line's key
    ref_name: str = ""  # the sede's or cause's name
    can_annul: bool = False

    @property
    def annulled(self) -> bool:
        return self.status == StepStatus.ANULADO


@dataclass(slots=True)
class DeliveryChain:
    deliverable_id: int
    delivery_label: str
    steps: list[Step] = field(default_factory=list)
    # What a partial entrega left undelivered of the direccionamiento in force (issue 17 §23).
    remainder: Decimal | None = None


@dataclass(slots=True)
class LineSupply:
    line: TechnologyLine
    deliveries: list[DeliveryChain] = field(default_factory=list)
    no_direccionamientos: list[Step] = field(default_factory=list)
    procedure_supplies: list[Step] = field(default_factory=list)


def _table(model) -> str:
    return f'"{model._meta.db_table}"'


def _column(model, name: str, alias: str | None = None) -> str:
    return f'{alias or _table(model)}."{model._meta.get_field(name).column}"'


def _attname(model, name: str) -> str:
    return model._meta.get_field(name).attname


def _visible(viewer: str, deliverable: str) -> str:
    """SQL: the viewer pays for or prescribed the prescription `p`, or was directed or
    delivered `deliverable` (payer and prescriber see every chain, a provider only its own)."""
    return (
        f"({_column(Prescription, 'payer', 'p')} = {viewer} "
        f"OR {_column(Prescription, 'entity', 'p')} = {viewer} "
        f"OR EXISTS (SELECT 1 FROM {_table(Direccionamiento)} x "
        f"WHERE {_column(Direccionamiento, 'deliverable', 'x')} = {deliverable} "
        f"AND {_column(Direccionamiento, 'provider', 'x')} = {viewer}) "
        f"OR EXISTS (SELECT 1 FROM {_table(Entrega)} x "
        f"WHERE {_column(Entrega, 'deliverable', 'x')} = {deliverable} "
        f"AND {_column(Entrega, 'entity', 'x')} = {viewer}))"
    )


@cache
def prescription_sql(by: str) -> str:
    """The prescription whose `by` ("number" or "id") is %(key)s, once per line and
    deliverable: its PRESCRIPTION_FIELDS, PATIENT_FIELDS, LINE_FIELDS, the deliverable's id,
    NoEntrega and NoSubEntrega, and whether the entity %(viewer)s may see it."""
    key_type = "bigint" if by == "id" else "varchar"
    columns = [
        *(_column(Prescription, name.removesuffix("_id"), "p") for name in PRESCRIPTION_FIELDS),
        *(_column(Patient, name, "pa") for name in PATIENT_FIELDS),
        *(_column(TechnologyLine, name, "l") for name in LINE_FIELDS),
        *(_column(Deliverable, name, "d") for name in ("id", "delivery_number", "sub_number")),
        _visible("%(viewer)s::bigint", _column(Deliverable, "id", "d")),
    ]
    return (
        f"SELECT {', '.join(columns)} FROM {_table(Prescription)} p "
        f"JOIN {_table(Patient)} pa ON {_column(Patient, 'id', 'pa')} = "
        f"{_column(Prescription, 'patient', 'p')} "
        f"LEFT JOIN {_table(TechnologyLine)} l ON {_column(TechnologyLine, 'prescription', 'l')}"
        f" = {_column(Prescription, 'id', 'p')} "
        f"LEFT JOIN {_table(Deliverable)} d ON {_column(Deliverable, 'line', 'd')} = "
        f"{_column(TechnologyLine, 'id', 'l')} "
        f"WHERE {_column(Prescription, by, 'p')} = %(key)s::{key_type}"
    )


def _branch(model, parent: str) -> str:
    details = DETAILS[model]
    slots = [
        _column(model, details[slot]) if slot in details else f"NULL::{sql_type}"
        for slot, sql_type in SLOTS.items()
    ]
    columns = ", ".join(
        [
            f"'{KIND_BY_MODEL[model]}'::varchar",
            _column(model, parent),
            *(_column(model, name) for name in RECORD_COLUMNS),
            *slots,
        ]
    )
    ids = "%(lines)s" if parent == "line" else "%(deliverables)s"
    where = f"{_column(model, parent)} = ANY({ids}::bigint[])"
    return f"SELECT {columns} FROM {_table(model)} WHERE {where}"


@cache
def steps_sql(with_line_records: bool) -> str:
    """The steps of the deliverables %(deliverables)s (and the records of the lines
    %(lines)s), one row per step in Step's column order."""
    branches = [_branch(model, "deliverable") for model in DELIVERY_STEPS]
    if with_line_records:
        branches += [_branch(model, "line") for model in LINE_RECORDS]
    return " UNION ALL ".join(branches)


# (key, model, fields): the names the timeline cites, up to four text columns each.
NAME_SOURCES = (
    ("entities", Entity, ("name",)),
    ("users", User, ("first_name", "middle_name", "first_surname", "second_surname")),
    ("sedes", Sede, ("code", "name")),
    ("causes", NonDeliveryCause, ("code", "name")),
    ("payer_codes", PayerCode, ("code",)),
)


@cache
def names_sql() -> str:
    """(key, id, up to four texts) of the rows of NAME_SOURCES named in the parameter of
    their key (a list of ids)."""
    branches = []
    for key, model, fields in NAME_SOURCES:
        texts = [f"{_column(model, name)}::text" for name in fields]
        texts += ["NULL::text"] * (4 - len(fields))
        branches.append(
            f"SELECT '{key}'::varchar, {_column(model, 'id')}, {', '.join(texts)} "
            f"FROM {_table(model)} WHERE {_column(model, 'id')} = ANY(%({key})s::bigint[])"
        )
    return " UNION ALL ".join(branches)


def _rows(sql: str, params: dict) -> list[tuple]:
    """The rows of `sql`; psycopg prepares it once it runs often (`prepare_threshold`)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _build(model, names, values):
    """A model instance from a row's values, the other fields deferred (Model.from_db, as a
    queryset builds them; it takes the values in the model's field order)."""
    given = dict(zip(names, values, strict=True))
    ordered = [given[f.attname] for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(connection.alias, names, ordered)


def _read(by: str, key, viewer: Entity):
    """(prescription with its patient, whether the viewer sees every chain, lines in order,
    visible deliverables in order) or None when `viewer` may see nothing of it."""
    rows = _rows(prescription_sql(by), {"key": key, "viewer": viewer.pk})
    if not rows:
        return None
    first = rows[0]
    n_prescription, n_patient, n_line = (
        len(PRESCRIPTION_FIELDS),
        len(PATIENT_FIELDS),
        len(LINE_FIELDS),
    )
    prescription = _build(Prescription, PRESCRIPTION_FIELDS, first[:n_prescription])
    prescription.patient = _build(
        Patient, PATIENT_FIELDS, first[n_prescription : n_prescription + n_patient]
    )
    whole = viewer.pk in (prescription.payer_id, prescription.entity_id)
    lines, deliverables = {}, []
    for row in rows:
        line_values = row[n_prescription + n_patient : n_prescription + n_patient + n_line]
        deliverable_id, delivery_number, sub_number, visible = row[-4:]
        if line_values[0] is None or not (whole or visible):
            continue
        if line_values[0] not in lines:
            lines[line_values[0]] = _build(TechnologyLine, LINE_FIELDS, line_values)
        if deliverable_id is not None:
            deliverables.append((line_values[0], delivery_number, sub_number, deliverable_id))
    if not (whole or deliverables):
        return None
    lines = sorted(lines.values(), key=lambda line: (line.technology_type, line.order))
    return prescription, whole, lines, sorted(deliverables)


def _name(steps: list[Step], prescription: Prescription) -> None:
    """Fill in the names the steps and the prescription cite, with one query."""
    wanted = {
        "entities": {prescription.entity_id, prescription.payer_id},
        "users": set(),
        "sedes": set(),
        "causes": set(),
        "payer_codes": {prescription.payer_code_id} - {None},
    }
    ref_kinds = {"direccionamiento": "entities", "programacion": "sedes"}
    for step in steps:
        wanted["entities"].add(step.entity_id)
        wanted["users"].update((step.created_by_id, step.annulled_by_id))
        if step.ref is not None and step.kind != "inclusion":
            wanted[ref_kinds.get(step.kind, "causes")].add(step.ref)
    wanted["users"].discard(None)
    rows = _rows(names_sql(), {key: list(ids) for key, ids in wanted.items()})
    names = {}
    for key, pk, *texts in rows:
        # A user's full name as User.get_full_name() writes it.
        names[key, pk] = (" ".join(t for t in texts if t), "") if key == "users" else texts
    for step in steps:
        step.entity_name = names["entities", step.entity_id][0]
        step.created_by_name = names.get(("users", step.created_by_id), ("",))[0]
        step.annulled_by_name = names.get(("users", step.annulled_by_id), ("",))[0]
        if step.kind == "direccionamiento":
            step.ref_code = names["entities", step.ref][0]
        elif step.kind == "programacion":
            step.ref_code, step.ref_name = names["sedes", step.ref][:2]
        elif step.ref is not None and step.kind != "inclusion":
            step.ref_code, step.ref_name = names["causes", step.ref][:2]
    # The page's header names them through the prescription, as a queryset's instances.
    for attribute in ("entity", "payer"):
        pk = getattr(prescription, f"{attribute}_id")
        entity = _build(Entity, ("id", "name"), (pk, names["entities", pk][0]))
        setattr(prescription, attribute, entity)
    if prescription.payer_code_id is not None:
        code = names["payer_codes", prescription.payer_code_id][0]
        prescription.payer_code = _build(
            PayerCode, ("id", "code"), (prescription.payer_code_id, code)
        )


def _timeline(read, viewer: Entity, perms) -> list[LineSupply]:
    prescription, whole, lines, deliverables = read
    by_line = {line.pk: LineSupply(line=line) for line in lines}
    chains = {}
    for line_id, delivery_number, sub_number, deliverable_id in deliverables:
        chain = DeliveryChain(deliverable_id, delivery_label(delivery_number, sub_number))
        chains[deliverable_id] = chain
        by_line[line_id].deliveries.append(chain)
    ids, lines = list(chains), list(by_line) if whole else []
    params = {"deliverables": ids, "lines": lines} if whole else {"deliverables": ids}
    rows = _rows(steps_sql(whole), params)
    steps = [Step(*row) for row in rows]
    _name(steps, prescription)
    annuls = {KIND_BY_MODEL[model]: bool(perms.intersection(STEPS[model][0])) for model in DETAILS}
    for step in sorted(steps, key=lambda step: (step.created_at, step.pk)):
        step.can_annul = (
            step.status == StepStatus.ACTIVO and step.entity_id == viewer.pk and annuls[step.kind]
        )
        if step.kind == "no-direccionamiento":
            by_line[step.parent_id].no_direccionamientos.append(step)
        elif step.kind == "inclusion":
            step.ref_code = by_line[step.ref].line.key if step.ref in by_line else ""
            # Newest first, as the line's records are ordered.
            by_line[step.parent_id].procedure_supplies.insert(0, step)
        else:
            chains[step.parent_id].steps.append(step)
    for chain in chains.values():
        chain.remainder = partial_remainder(chain.steps)
    return list(by_line.values())


def partial_remainder(steps: list[Step]) -> Decimal | None:
    """The quantity directed and not delivered when the chain's entrega in force is partial
    (None otherwise): what the payer may direct again."""
    directed = [s.number for s in steps if s.kind == "direccionamiento" and not s.annulled]
    entregas = [s for s in steps if s.kind == "entrega" and not s.annulled]
    if not directed or not entregas or any(s.flag2 for s in entregas):
        return None
    left = directed[-1] - sum(s.number for s in entregas)
    return left if left > 0 else None


def prescription_supply_get(
    *, number: str, viewer: Entity, perms
) -> tuple[Prescription, list[LineSupply]]:
    """The prescription `number` (with its patient, entity, payer and payer code) and its
    timeline (see `supply_timeline`) when `viewer` pays for it, prescribed it, was
    directed a delivery of it or delivered it; 404 otherwise."""
    read = _read("number", number, viewer)
    if read is None:
        raise Http404
    return read[0], _timeline(read, viewer, perms)


def supply_timeline(*, prescription: Prescription, viewer: Entity, perms) -> list[LineSupply]:
    """Per line of `prescription`: its deliveries (NoEntrega.NoSubEntrega) with their steps
    in the order they happened, its no direccionamientos and procedure inclusions.

    The payer and the prescribing entity see every line and chain; a provider only the
    deliverables it was directed or delivered, and their lines. A step offers "Anular"
    (`can_annul`) when it is the newest of its chain (state activo), the viewer recorded it
    and holds a permission that annuls its kind."""
    read = _read("id", prescription.pk, viewer)
    return [] if read is None else _timeline(read, viewer, perms)
