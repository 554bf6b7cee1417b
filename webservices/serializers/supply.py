"""Supply records on the wire (research §1.2–§1.8, §3.1): one function per record type
turning a row (fetched with selectors.RELATED) into MIPRES's dict, with the contract's own
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
    Programacion,
    ReporteEntrega,
    Suministro,
)

INTEGER, STRING, NUMBER, NULLABLE = "integer", "string", "number-or-string", "string-or-null"


def timestamp(moment) -> str | None:
    """ "AAAA-MM-DD HH:mm" in Bogotá time (MJG's DTO pattern)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def day(date) -> str | None:
    return date.isoformat() if date else None


def number(value: Decimal | None) -> str | None:
    """Quantities and money as strings without trailing zeros ("2", "1.5", "12500")."""
    return None if value is None else plain(value)


def cause_code(cause) -> int:
    return int(cause.code) if cause is not None and str(cause.code).isdigit() else 0


def _head(deliverable) -> dict:
    """ID, NoPrescripcion, TipoTec, ConTec, TipoIDPaciente, NoIDPaciente, NoEntrega."""
    prescription, line = deliverable.prescription, deliverable.line
    return {
        "ID": deliverable.pk,
        "NoPrescripcion": prescription.number,
        "TipoTec": line.technology_type,
        "ConTec": line.order,
        "TipoIDPaciente": prescription.patient.document_type,
        "NoIDPaciente": prescription.patient.document_number,
        "NoEntrega": deliverable.delivery_number,
    }


def _with_id(head: dict, key: str, value: int) -> dict:
    """`head` with the record's own id right after `ID`, as clients list them."""
    result = {"ID": head.pop("ID"), key: value}
    result.update(head)
    return result


HEAD = [
    ("NoPrescripcion", STRING),
    ("TipoTec", STRING),
    ("ConTec", INTEGER),
    ("TipoIDPaciente", STRING),
    ("NoIDPaciente", STRING),
    ("NoEntrega", INTEGER),
]


def direccionamiento(record: Direccionamiento) -> dict:
    deliverable = record.deliverable
    row = _with_id(_head(deliverable), "IDDireccionamiento", record.pk)
    row.update(
        NoSubEntrega=deliverable.sub_number,
        TipoIDProv="NI",
        NoIDProv=record.provider.nit,
        CodMunEnt=record.municipality_id,
        FecMaxEnt=day(record.max_delivery_date),
        CantTotAEntregar=number(record.quantity),
        DirPaciente=record.patient_address,
        CodSerTecAEntregar=record.technology_code,
        NoIDEPS=record.entity.nit,
        CodEPS=record.payer_code.code if record.payer_code_id else "",
        FecDireccionamiento=timestamp(record.created_at),
        EstDireccionamiento=record.status,
        FecAnulacion=timestamp(record.annulled_at),
    )
    return row


def no_direccionamiento(record: NoDireccionamiento) -> dict:
    prescription, line = record.prescription, record.line
    return {
        "ID": record.pk,
        "IDNODireccionamiento": record.pk,
        "NoPrescripcion": prescription.number,
        "TipoTec": line.technology_type,
        "ConTec": line.order,
        "TipoIDPaciente": prescription.patient.document_type,
        "NoIDPaciente": prescription.patient.document_number,
        "NoPrescripcionAsociada": record.associated_number or None,
        "ConTecAsociada": record.associated_order,
        "CausaNoEntrega": cause_code(record.cause),
        "FecNODireccionamiento": timestamp(record.created_at),
        "EstNODireccionamiento": record.status,
        "FecAnulacion": timestamp(record.annulled_at),
    }


def programacion(record: Programacion) -> dict:
    row = _with_id(_head(record.deliverable), "IDProgramacion", record.pk)
    row.update(
        FecMaxEnt=day(record.max_delivery_date),
        TipoIDSedeProv="NI",
        NoIDSedeProv=record.sede.entity.nit,
        CodSedeProv=record.sede.code,
        CodSerTecAEntregar=record.technology_code,
        CantTotAEntregar=number(record.quantity),
        FecProgramacion=timestamp(record.created_at),
        EstProgramacion=record.status,
        FecAnulacion=timestamp(record.annulled_at),
    )
    return row


def entrega(record: Entrega) -> dict:
    row = _with_id(_head(record.deliverable), "IDEntrega", record.pk)
    row.update(
        CodSerTecEntregado=record.technology_code,
        CantTotEntregada=number(record.quantity),
        EntTotal=int(record.total),
        CausaNoEntrega=cause_code(record.cause),
        FecEntrega=day(record.delivered_on),
        NoLote=record.batch,
        TipoIDRecibe=record.receiver_document_type,
        NoIDRecibe=record.receiver_document_number,
        EstEntrega=record.status,
        FecAnulacion=timestamp(record.annulled_at),
        CodigosEntrega=[],
    )
    return row


def reporte_entrega(record: ReporteEntrega) -> dict:
    row = _with_id(_head(record.deliverable), "IDReporteEntrega", record.pk)
    delivered = record.entrega
    row.update(
        EstadoEntrega=int(record.delivered),
        CausaNoEntrega=cause_code(record.cause),
        ValorEntregado=number(record.value),
        CodTecEntregado=delivered.technology_code,
        CantTotEntregada=number(delivered.quantity),
        NoLote=delivered.batch,
        FecEntrega=day(delivered.delivered_on),
        FecRepEntrega=timestamp(record.created_at),
        EstRepEntrega=record.status,
        FecAnulacion=timestamp(record.annulled_at),
    )
    return row


def suministro(record: Suministro) -> dict:
    row = _with_id(_head(record.deliverable), "IDSuministro", record.pk)
    row.update(
        UltEntrega=int(record.last_delivery),
        EntregaCompleta=int(record.complete),
        CausaNoEntrega=cause_code(record.cause),
        NoPrescripcionAsociada=record.associated_number or None,
        ConTecAsociada=record.associated_order,
        CantTotEntregada=number(record.quantity),
        NoLote=record.batch,
        ValorEntregado=number(record.value),
        FecSuministro=timestamp(record.created_at),
        EstSuministro=record.status,
        FecAnulacion=timestamp(record.annulled_at),
    )
    return row


def facturacion(record: Facturacion) -> dict:
    row = _with_id(_head(record.deliverable), "IDFacturacion", record.pk)
    row.update(
        NoSubEntrega=record.deliverable.sub_number,
        NoFactura=record.invoice_number,
        NoIDEPS=record.payer_nit,
        CodEPS=record.payer_code,
        CodSerTecAEntregado=record.technology_code,
        CantUnMinDis=number(record.units),
        ValorUnitFacturado=number(record.unit_value),
        ValorTotFacturado=number(record.total_value),
        CuotaModer=number(record.cuota_moderadora),
        Copago=number(record.copago),
        FecFacturacion=timestamp(record.created_at),
        EstFacturacion=record.status,
        FecAnulacion=timestamp(record.annulled_at),
        CodigosFacturacion=[],
    )
    return row


def datos_facturados(record: DatosFacturados) -> dict:
    row = _with_id(_head(record.deliverable), "IDDatosFacturado", record.pk)
    row.update(
        CompAdm=record.comparator,
        CodCompAdm=record.comparator_code,
        CodHom=record.homologous_code,
        UniCompAdm=number(record.comparator_units),
        UniDispHom=number(record.homologous_units),
        ValUnMiCon=number(record.min_unit_value),
        CantTotEnt=number(record.total_delivered),
        ValTotCompAdm=number(record.comparator_total),
        ValTotHom=number(record.homologous_total),
        FecDatosFacturado=timestamp(record.created_at),
        EstDatosFacturado=record.status,
        FecAnulacion=timestamp(record.annulled_at),
    )
    return row


ROWS = {
    Direccionamiento: direccionamiento,
    NoDireccionamiento: no_direccionamiento,
    Programacion: programacion,
    Entrega: entrega,
    ReporteEntrega: reporte_entrega,
    Suministro: suministro,
    Facturacion: facturacion,
    DatosFacturados: datos_facturados,
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
}
