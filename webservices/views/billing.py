"""WSFACMIPRESNOPBS: facturación (proveedor) and datos facturados (pagador), research §1.8.
Writes call supply.services.facturacion_create / datos_facturados_create."""

from decimal import Decimal

from django.utils.translation import gettext as _

from supply import services as supply
from supply.models import DatosFacturados, Entrega, Facturacion
from supply.models.chain import Channel

from .. import selectors
from ..errors import refusal
from ..parsing import DEC, INT, QTY, STR
from ..serializers import supply as rows
from ..services import Caller
from . import lookups as get
from .base import (
    FECHA_MODE,
    PRESCRIPTION_MODE,
    AnnulOperation,
    ListOperation,
    PutOperation,
    require_payer,
    require_provider,
)
from .supply import annul

FACTURACION = [
    ("NoPrescripcion", STR, True),
    ("TipoTec", STR, True),
    ("ConTec", INT, True),
    ("TipoIDPaciente", STR, False),
    ("NoIDPaciente", STR, False),
    ("NoEntrega", INT, True),
    ("NoSubEntrega", INT, False),
    ("NoFactura", STR, False),
    ("NoIDEPS", STR, False),
    ("CodEPS", STR, False),
    ("CodSerTecAEntregado", STR, False),
    ("CantUnMinDis", QTY, True),
    ("ValorUnitFacturado", DEC, True),
    ("ValorTotFacturado", DEC, False),
    ("CuotaModer", DEC, False),
    ("Copago", DEC, False),
]
DATOS_FACTURADOS = [
    ("ID", INT, True),
    ("CompAdm", INT, True),
    ("CodCompAdm", STR, False),
    ("CodHom", STR, False),
    ("UniCompAdm", QTY, False),
    ("UniDispHom", QTY, False),
    ("ValUnMiCon", DEC, False),
    ("CantTotEnt", QTY, True),
    ("ValTotCompAdm", DEC, False),
    ("ValTotHom", DEC, False),
]


def facturacion_put(caller: Caller, body: dict) -> dict:
    """The deliverable named by NoPrescripcion/TipoTec/ConTec/NoEntrega/NoSubEntrega; its
    in-force entrega recorded by the caller is what is invoiced, before or after its
    reporte de entrega. NoIDEPS, CodEPS and ValorTotFacturado are computed by the service,
    not taken from the body. A deliverable the caller sees without an entrega of its own
    is a refused rule (422), not an unknown record."""
    require_provider(caller)
    deliverable = get.deliverable_for_provider(caller, body)
    entrega = get.step_get(Entrega, caller, deliverable.pk, entity=caller.entity)
    if body["CantUnMinDis"] * body["ValorUnitFacturado"] >= Decimal("1e14"):
        raise refusal(
            _("El valor facturado (cantidad × valor unitario) está fuera de rango."),
            code="out_of_range",
        )
    record = supply.facturacion_create(
        actor=None,
        entity=caller.entity,
        entrega=entrega,
        invoice_number=body["NoFactura"] or "",
        units=body["CantUnMinDis"],
        unit_value=body["ValorUnitFacturado"],
        cuota_moderadora=body["CuotaModer"] or 0,
        copago=body["Copago"] or 0,
        technology_code=body["CodSerTecAEntregado"] or "",
        channel=Channel.WS,
    )
    return {"Id": record.deliverable_id, "IdFacturacion": record.pk}


def datos_facturados_put(caller: Caller, body: dict) -> dict:
    require_payer(caller)
    deliverable = get.deliverable_for_payer(caller, body["ID"])
    facturacion = get.step_get(Facturacion, caller, deliverable.pk)
    zero = 0
    record = supply.datos_facturados_create(
        actor=None,
        entity=caller.entity,
        facturacion=facturacion,
        comparator=body["CompAdm"],
        total_delivered=body["CantTotEnt"],
        comparator_code=body["CodCompAdm"] or "",
        homologous_code=body["CodHom"] or "",
        comparator_units=body["UniCompAdm"] or zero,
        homologous_units=body["UniDispHom"] or zero,
        min_unit_value=body["ValUnMiCon"] or zero,
        comparator_total=body["ValTotCompAdm"] or zero,
        homologous_total=body["ValTotHom"] or zero,
        channel=Channel.WS,
    )
    return {"Id": record.deliverable_id, "IDDatosFacturado": record.pk}


TAG = "Facturación (WSFACMIPRESNOPBS)"

PUTS = [
    PutOperation(
        "Facturacion",
        FACTURACION,
        facturacion_put,
        "IdFacturacion",
        "Facturar una entrega reportada (proveedor)",
        TAG,
        many=False,
    ),
    PutOperation(
        "DatosFacturados",
        DATOS_FACTURADOS,
        datos_facturados_put,
        "IDDatosFacturado",
        "Datos facturados de una facturación (pagador)",
        TAG,
        many=False,
    ),
]


def _queryset(model):
    def queryset(caller):
        return selectors.records_visible(model, caller)

    return queryset


LISTS = [
    ListOperation(
        "FacturacionXFecha",
        FECHA_MODE,
        _queryset(Facturacion),
        rows.FIELDS[Facturacion],
        "Facturacion",
        "Facturación por fecha",
        TAG,
    ),
    ListOperation(
        "FacturacionXPrescripcion",
        PRESCRIPTION_MODE,
        _queryset(Facturacion),
        rows.FIELDS[Facturacion],
        "Facturacion",
        "Facturación por prescripción",
        TAG,
    ),
    ListOperation(
        "DatosFacturadosxPrescripcion",
        PRESCRIPTION_MODE,
        _queryset(DatosFacturados),
        rows.FIELDS[DatosFacturados],
        "DatosFacturados",
        "Datos facturados por prescripción",
        TAG,
    ),
]


def _annul(model, key):
    def lookup(caller, pk):
        return get.own_record(model, caller, pk)

    def do(caller, record):
        return annul(caller, record, key)

    return lookup, do


ANNULS = [
    AnnulOperation(
        "FacturacionAnular",
        *_annul(Facturacion, "IdFacturacion"),
        "IdFacturacion",
        "Anular una facturación",
        TAG,
    ),
    AnnulOperation(
        "DatosFacturadosAnular",
        *_annul(DatosFacturados, "IDDatosFacturado"),
        "IDDatosFacturado",
        "Anular datos facturados",
        TAG,
    ),
]
