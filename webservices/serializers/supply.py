"""Supply records on the wire (research §1.2–§1.8, §3.1): one function per record type
turning a plain row (QuerySet.values with ROWS' columns) into MIPRES's dict, with the contract's own
names and inconsistencies (`NoIDPaciente`, `CodTecEntregado` in reporte lists…). `FIELDS`
gives each type's keys and JSON types, in order, for the OpenAPI schema."""

from decimal import Decimal

from django.utils import timezone

from mipres.lib.decimals import plain
from supply.models import (
    DatosFacturados,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Pendiente,
    Programacion,
    ReporteEntrega,
    Suministro,
)

INTEGER, STRING, NUMBER, NULLABLE = "integer", "string", "number-or-string", "string-or-null"


def timestamp(moment) -> str | None:
    """ "AAAA-MM-DD HH:mm" in Bogotá time (MJG's DTO pattern): settings.TIME_ZONE, which
    the web services never change per request (the default zone is cached; the current
    one is looked up in a context variable at every call, twice a record)."""
    if moment is None:
        return None
    local = moment.astimezone(timezone.get_default_timezone())
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def day(date) -> str | None:
    return date.isoformat() if date else None


def number(value: Decimal | None) -> str | None:
    """Quantities and money as strings without trailing zeros ("2", "1.5", "12500")."""
    return None if value is None else plain(value)


def cause_code(code) -> int:
    """CausaNoEntrega: the cause's code as a number, 0 without one."""
    return int(code) if code is not None and str(code).isdigit() else 0


# Records are read as plain rows (QuerySet.values) with these columns and turned into the
# contract's dicts here: no model instances (issue 12.3, docs/benchmarks.md).
_HEAD_COLUMNS = (
    "id",
    "deliverable_id",
    "deliverable__prescription__number",
    "deliverable__line__technology_type",
    "deliverable__line__order",
    "deliverable__prescription__patient__document_type",
    "deliverable__prescription__patient__document_number",
    "deliverable__delivery_number",
)
_TAIL_COLUMNS = ("created_at", "status", "annulled_at")


def _head(r: dict, key: str) -> dict:
    """ID, the record's own id, NoPrescripcion, TipoTec, ConTec, TipoIDPaciente,
    NoIDPaciente, NoEntrega (clients list them in this order)."""
    return {
        "ID": r["deliverable_id"],
        key: r["id"],
        "NoPrescripcion": r["deliverable__prescription__number"],
        "TipoTec": r["deliverable__line__technology_type"],
        "ConTec": r["deliverable__line__order"],
        "TipoIDPaciente": r["deliverable__prescription__patient__document_type"],
        "NoIDPaciente": r["deliverable__prescription__patient__document_number"],
        "NoEntrega": r["deliverable__delivery_number"],
    }


HEAD = [
    ("NoPrescripcion", STRING),
    ("TipoTec", STRING),
    ("ConTec", INTEGER),
    ("TipoIDPaciente", STRING),
    ("NoIDPaciente", STRING),
    ("NoEntrega", INTEGER),
]


def direccionamiento(r: dict) -> dict:
    row = _head(r, "IDDireccionamiento")
    row.update(
        NoSubEntrega=r["deliverable__sub_number"],
        TipoIDProv="NI",
        NoIDProv=r["provider__nit"],
        CodMunEnt=r["municipality_id"],
        FecMaxEnt=day(r["max_delivery_date"]),
        CantTotAEntregar=number(r["quantity"]),
        DirPaciente=r["patient_address"],
        CodSerTecAEntregar=r["technology_code"],
        NoIDEPS=r["entity__nit"],
        CodEPS=r["payer_code__code"] or "",
        FecDireccionamiento=timestamp(r["created_at"]),
        EstDireccionamiento=r["status"],
        FecAnulacion=timestamp(r["annulled_at"]),
    )
    return row


def no_direccionamiento(r: dict) -> dict:
    return {
        "ID": r["id"],
        "IDNODireccionamiento": r["id"],
        "NoPrescripcion": r["prescription__number"],
        "TipoTec": r["line__technology_type"],
        "ConTec": r["line__order"],
        "TipoIDPaciente": r["prescription__patient__document_type"],
        "NoIDPaciente": r["prescription__patient__document_number"],
        "NoPrescripcionAsociada": r["associated_number"] or None,
        "ConTecAsociada": r["associated_order"],
        "CausaNoEntrega": cause_code(r["cause__code"]),
        "FecNODireccionamiento": timestamp(r["created_at"]),
        "EstNODireccionamiento": r["status"],
        "FecAnulacion": timestamp(r["annulled_at"]),
    }


def programacion(r: dict) -> dict:
    row = _head(r, "IDProgramacion")
    row.update(
        FecMaxEnt=day(r["max_delivery_date"]),
        TipoIDSedeProv="NI",
        NoIDSedeProv=r["sede__entity__nit"],
        CodSedeProv=r["sede__code"],
        CodSerTecAEntregar=r["technology_code"],
        CantTotAEntregar=number(r["quantity"]),
        FecProgramacion=timestamp(r["created_at"]),
        EstProgramacion=r["status"],
        FecAnulacion=timestamp(r["annulled_at"]),
    )
    return row


def entrega(r: dict) -> dict:
    row = _head(r, "IDEntrega")
    row.update(
        CodSerTecEntregado=r["technology_code"],
        CantTotEntregada=number(r["quantity"]),
        EntTotal=int(r["total"]),
        CausaNoEntrega=cause_code(r["cause__code"]),
        FecEntrega=day(r["delivered_on"]),
        NoLote=r["batch"],
        TipoIDRecibe=r["receiver_document_type"],
        NoIDRecibe=r["receiver_document_number"],
        EstEntrega=r["status"],
        FecAnulacion=timestamp(r["annulled_at"]),
        CodigosEntrega=[],
    )
    return row


def reporte_entrega(r: dict) -> dict:
    row = _head(r, "IDReporteEntrega")
    row.update(
        EstadoEntrega=int(r["delivered"]),
        CausaNoEntrega=cause_code(r["cause__code"]),
        ValorEntregado=number(r["value"]),
        CodTecEntregado=r["entrega__technology_code"],
        CantTotEntregada=number(r["entrega__quantity"]),
        NoLote=r["entrega__batch"],
        FecEntrega=day(r["entrega__delivered_on"]),
        FecRepEntrega=timestamp(r["created_at"]),
        EstRepEntrega=r["status"],
        FecAnulacion=timestamp(r["annulled_at"]),
    )
    return row


def suministro(r: dict) -> dict:
    row = _head(r, "IDSuministro")
    row.update(
        UltEntrega=int(r["last_delivery"]),
        EntregaCompleta=int(r["complete"]),
        CausaNoEntrega=cause_code(r["cause__code"]),
        NoPrescripcionAsociada=r["associated_number"] or None,
        ConTecAsociada=r["associated_order"],
        CantTotEntregada=number(r["quantity"]),
        NoLote=r["batch"],
        ValorEntregado=number(r["value"]),
        FecSuministro=timestamp(r["created_at"]),
        EstSuministro=r["status"],
        FecAnulacion=timestamp(r["annulled_at"]),
    )
    return row


def facturacion(r: dict) -> dict:
    row = _head(r, "IDFacturacion")
    row.update(
        NoSubEntrega=r["deliverable__sub_number"],
        NoFactura=r["invoice_number"],
        NoIDEPS=r["payer_nit"],
        CodEPS=r["payer_code"],
        CodSerTecAEntregado=r["technology_code"],
        CantUnMinDis=number(r["units"]),
        ValorUnitFacturado=number(r["unit_value"]),
        ValorTotFacturado=number(r["total_value"]),
        CuotaModer=number(r["cuota_moderadora"]),
        Copago=number(r["copago"]),
        FecFacturacion=timestamp(r["created_at"]),
        EstFacturacion=r["status"],
        FecAnulacion=timestamp(r["annulled_at"]),
        CodigosFacturacion=[],
    )
    return row


def datos_facturados(r: dict) -> dict:
    row = _head(r, "IDDatosFacturado")
    row.update(
        CompAdm=r["comparator"],
        CodCompAdm=r["comparator_code"],
        CodHom=r["homologous_code"],
        UniCompAdm=number(r["comparator_units"]),
        UniDispHom=number(r["homologous_units"]),
        ValUnMiCon=number(r["min_unit_value"]),
        CantTotEnt=number(r["total_delivered"]),
        ValTotCompAdm=number(r["comparator_total"]),
        ValTotHom=number(r["homologous_total"]),
        FecDatosFacturado=timestamp(r["created_at"]),
        EstDatosFacturado=r["status"],
        FecAnulacion=timestamp(r["annulled_at"]),
    )
    return row


def pendiente(r: dict) -> dict:
    """An extension of the contract (Circular 044 de 2025; docs/webservices.md): what a
    dispensador owes on a programación, until when and where; EstPendiente 1 abierto,
    2 cerrado (by the entrega IDEntrega)."""
    row = _head(r, "IDPendiente")
    row.update(
        IDProgramacion=r["programacion_id"],
        CantPendiente=number(r["quantity"]),
        FecPromesaEntrega=timestamp(r["promised_at"]),
        CodSedeProv=r["sede__code"],
        DirPaciente=r["address"] or None,
        FecPendiente=timestamp(r["created_at"]),
        EstPendiente=r["status"],
        IDEntrega=r["entrega_id"],
        FecCierre=timestamp(r["closed_at"]),
    )
    return row


# model → (its row function, the columns it reads)
ROWS = {
    Direccionamiento: (
        direccionamiento,
        (
            *_HEAD_COLUMNS,
            "deliverable__sub_number",
            "provider__nit",
            "municipality_id",
            "max_delivery_date",
            "quantity",
            "patient_address",
            "technology_code",
            "entity__nit",
            "payer_code__code",
            *_TAIL_COLUMNS,
        ),
    ),
    NoDireccionamiento: (
        no_direccionamiento,
        (
            "id",
            "prescription__number",
            "line__technology_type",
            "line__order",
            "prescription__patient__document_type",
            "prescription__patient__document_number",
            "associated_number",
            "associated_order",
            "cause__code",
            *_TAIL_COLUMNS,
        ),
    ),
    Programacion: (
        programacion,
        (
            *_HEAD_COLUMNS,
            "max_delivery_date",
            "sede__entity__nit",
            "sede__code",
            "technology_code",
            "quantity",
            *_TAIL_COLUMNS,
        ),
    ),
    Entrega: (
        entrega,
        (
            *_HEAD_COLUMNS,
            "technology_code",
            "quantity",
            "total",
            "cause__code",
            "delivered_on",
            "batch",
            "receiver_document_type",
            "receiver_document_number",
            *_TAIL_COLUMNS,
        ),
    ),
    ReporteEntrega: (
        reporte_entrega,
        (
            *_HEAD_COLUMNS,
            "delivered",
            "cause__code",
            "value",
            "entrega__technology_code",
            "entrega__quantity",
            "entrega__batch",
            "entrega__delivered_on",
            *_TAIL_COLUMNS,
        ),
    ),
    Suministro: (
        suministro,
        (
            *_HEAD_COLUMNS,
            "last_delivery",
            "complete",
            "cause__code",
            "associated_number",
            "associated_order",
            "quantity",
            "batch",
            "value",
            *_TAIL_COLUMNS,
        ),
    ),
    Facturacion: (
        facturacion,
        (
            *_HEAD_COLUMNS,
            "deliverable__sub_number",
            "invoice_number",
            "payer_nit",
            "payer_code",
            "technology_code",
            "units",
            "unit_value",
            "total_value",
            "cuota_moderadora",
            "copago",
            *_TAIL_COLUMNS,
        ),
    ),
    DatosFacturados: (
        datos_facturados,
        (
            *_HEAD_COLUMNS,
            "comparator",
            "comparator_code",
            "homologous_code",
            "comparator_units",
            "homologous_units",
            "min_unit_value",
            "total_delivered",
            "comparator_total",
            "homologous_total",
            *_TAIL_COLUMNS,
        ),
    ),
    Pendiente: (
        pendiente,
        (
            *_HEAD_COLUMNS,
            "programacion_id",
            "quantity",
            "promised_at",
            "sede__code",
            "address",
            "created_at",
            "status",
            "entrega_id",
            "closed_at",
        ),
    ),
}

_ANNUL = [("FecAnulacion", NULLABLE)]
FIELDS = {
    Direccionamiento: [
        ("ID", INTEGER),
        ("IDDireccionamiento", INTEGER),
        *HEAD,
        ("NoSubEntrega", INTEGER),
        ("TipoIDProv", STRING),
        ("NoIDProv", STRING),
        ("CodMunEnt", STRING),
        ("FecMaxEnt", STRING),
        ("CantTotAEntregar", NUMBER),
        ("DirPaciente", STRING),
        ("CodSerTecAEntregar", STRING),
        ("NoIDEPS", STRING),
        ("CodEPS", STRING),
        ("FecDireccionamiento", STRING),
        ("EstDireccionamiento", INTEGER),
        *_ANNUL,
    ],
    NoDireccionamiento: [
        ("ID", INTEGER),
        ("IDNODireccionamiento", INTEGER),
        *HEAD[:5],
        ("NoPrescripcionAsociada", NULLABLE),
        ("ConTecAsociada", "integer-or-null"),
        ("CausaNoEntrega", INTEGER),
        ("FecNODireccionamiento", STRING),
        ("EstNODireccionamiento", INTEGER),
        *_ANNUL,
    ],
    Programacion: [
        ("ID", INTEGER),
        ("IDProgramacion", INTEGER),
        *HEAD,
        ("FecMaxEnt", STRING),
        ("TipoIDSedeProv", STRING),
        ("NoIDSedeProv", STRING),
        ("CodSedeProv", STRING),
        ("CodSerTecAEntregar", STRING),
        ("CantTotAEntregar", NUMBER),
        ("FecProgramacion", STRING),
        ("EstProgramacion", INTEGER),
        *_ANNUL,
    ],
    Entrega: [
        ("ID", INTEGER),
        ("IDEntrega", INTEGER),
        *HEAD,
        ("CodSerTecEntregado", STRING),
        ("CantTotEntregada", NUMBER),
        ("EntTotal", INTEGER),
        ("CausaNoEntrega", INTEGER),
        ("FecEntrega", STRING),
        ("NoLote", STRING),
        ("TipoIDRecibe", STRING),
        ("NoIDRecibe", STRING),
        ("EstEntrega", INTEGER),
        *_ANNUL,
        ("CodigosEntrega", "array"),
    ],
    ReporteEntrega: [
        ("ID", INTEGER),
        ("IDReporteEntrega", INTEGER),
        *HEAD,
        ("EstadoEntrega", INTEGER),
        ("CausaNoEntrega", INTEGER),
        ("ValorEntregado", NUMBER),
        ("CodTecEntregado", STRING),
        ("CantTotEntregada", NUMBER),
        ("NoLote", STRING),
        ("FecEntrega", STRING),
        ("FecRepEntrega", STRING),
        ("EstRepEntrega", INTEGER),
        *_ANNUL,
    ],
    Suministro: [
        ("ID", INTEGER),
        ("IDSuministro", INTEGER),
        *HEAD,
        ("UltEntrega", INTEGER),
        ("EntregaCompleta", INTEGER),
        ("CausaNoEntrega", INTEGER),
        ("NoPrescripcionAsociada", NULLABLE),
        ("ConTecAsociada", "integer-or-null"),
        ("CantTotEntregada", NUMBER),
        ("NoLote", STRING),
        ("ValorEntregado", NUMBER),
        ("FecSuministro", STRING),
        ("EstSuministro", INTEGER),
        *_ANNUL,
    ],
    Facturacion: [
        ("ID", INTEGER),
        ("IDFacturacion", INTEGER),
        *HEAD,
        ("NoSubEntrega", INTEGER),
        ("NoFactura", STRING),
        ("NoIDEPS", STRING),
        ("CodEPS", STRING),
        ("CodSerTecAEntregado", STRING),
        ("CantUnMinDis", NUMBER),
        ("ValorUnitFacturado", NUMBER),
        ("ValorTotFacturado", NUMBER),
        ("CuotaModer", NUMBER),
        ("Copago", NUMBER),
        ("FecFacturacion", STRING),
        ("EstFacturacion", INTEGER),
        *_ANNUL,
        ("CodigosFacturacion", "array"),
    ],
    DatosFacturados: [
        ("ID", INTEGER),
        ("IDDatosFacturado", INTEGER),
        *HEAD,
        ("CompAdm", INTEGER),
        ("CodCompAdm", STRING),
        ("CodHom", STRING),
        ("UniCompAdm", NUMBER),
        ("UniDispHom", NUMBER),
        ("ValUnMiCon", NUMBER),
        ("CantTotEnt", NUMBER),
        ("ValTotCompAdm", NUMBER),
        ("ValTotHom", NUMBER),
        ("FecDatosFacturado", STRING),
        ("EstDatosFacturado", INTEGER),
        *_ANNUL,
    ],
    Pendiente: [
        ("ID", INTEGER),
        ("IDPendiente", INTEGER),
        *HEAD,
        ("IDProgramacion", INTEGER),
        ("CantPendiente", NUMBER),
        ("FecPromesaEntrega", STRING),
        ("CodSedeProv", NULLABLE),
        ("DirPaciente", NULLABLE),
        ("FecPendiente", STRING),
        ("EstPendiente", INTEGER),
        ("IDEntrega", "integer-or-null"),
        ("FecCierre", NULLABLE),
    ],
}
