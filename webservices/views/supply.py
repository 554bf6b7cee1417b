"""WSSUMMIPRESNOPBS: the supply chain (research §1.2–§1.7). Every write calls the supply
service the browser calls, with `actor=None` and `channel="ws"` (DESIGN §5): no rule is
repeated here; this module only maps the wire to the service's arguments."""

from django.utils.translation import gettext as _

from supply import services as supply
from supply.models import (
    IN_FORCE,
    Direccionamiento,
    Entrega,
    NoDireccionamiento,
    Pendiente,
    Programacion,
    ReporteEntrega,
    Suministro,
)
from supply.models.chain import Channel

from .. import selectors
from ..parsing import DATE, DEC, FLAG, INT, QTY, STR
from ..serializers import supply as rows
from ..services import Caller
from . import lookups as get
from .base import (
    FECHA_MODE,
    PATIENT_MODE,
    PRESCRIPTION_MODE,
    AnnulOperation,
    ListOperation,
    PutOperation,
    require_payer,
    require_provider,
)

WS = Channel.WS

_LINE = [
    ("NoPrescripcion", STR, True),
    ("TipoTec", STR, True),
    ("ConTec", INT, True),
    ("TipoIDPaciente", STR, False),
    ("NoIDPaciente", STR, False),
]
DIRECCIONAMIENTO = [
    *_LINE,
    ("NoEntrega", INT, True),
    ("NoSubEntrega", INT, False),
    ("TipoIDProv", STR, False),
    ("NoIDProv", STR, True),
    ("CodMunEnt", STR, True),
    ("FecMaxEnt", DATE, True),
    ("CantTotAEntregar", QTY, True),
    ("DirPaciente", STR, False),
    ("CodSerTecAEntregar", STR, False),
]
NO_DIRECCIONAMIENTO = [
    *_LINE,
    ("CausaNoEntrega", INT, True),
    ("NoPrescripcionAsociada", STR, False),
    ("ConTecAsociada", INT, False),
]
PROGRAMACION = [
    ("ID", INT, True),
    ("FecMaxEnt", DATE, False),
    ("TipoIDSedeProv", STR, False),
    ("NoIDSedeProv", STR, False),
    ("CodSedeProv", STR, True),
    ("CodSerTecAEntregar", STR, False),
    ("CantTotAEntregar", QTY, False),
]
_DELIVERY = [
    ("CodSerTecEntregado", STR, False),
    ("CantTotEntregada", QTY, True),
    ("EntTotal", FLAG, True),
    ("CausaNoEntrega", INT, False),
    ("FecEntrega", DATE, True),
    ("NoLote", STR, False),
    ("TipoIDRecibe", STR, False),
    ("NoIDRecibe", STR, False),
]
ENTREGA = [("ID", INT, True), *_DELIVERY, ("CantPenEntregar", QTY, False)]
ENTREGA_AMBITO = [*_LINE, ("NoEntrega", INT, True), ("NoSubEntrega", INT, False), *_DELIVERY]
ENTREGA_CODIGOS = [
    ("IDEntrega", INT, True),
    ("CodSerTecEntregado", STR, False),
    ("CantTotEntregada", QTY, False),
    ("FecEntrega", DATE, False),
]
REPORTE_ENTREGA = [
    ("ID", INT, True),
    ("EstadoEntrega", FLAG, True),
    ("CausaNoEntrega", INT, False),
    ("ValorEntregado", DEC, True),
]
SUMINISTRO = [
    ("ID", INT, True),
    ("UltEntrega", FLAG, True),
    ("EntregaCompleta", FLAG, True),
    ("CausaNoEntrega", INT, False),
    ("NoPrescripcionAsociada", STR, False),
    ("ConTecAsociada", INT, False),
    ("CantTotEntregada", QTY, True),
    ("NoLote", STR, False),
    ("ValorEntregado", DEC, True),
]


# Writes -------------------------------------------------------------------------------


def direccionamiento_put(caller: Caller, body: dict) -> dict:
    require_payer(caller)
    line = get.line_get(caller, body)
    provider = get.provider_get(body["NoIDProv"])
    municipality = get.municipality_get(body["CodMunEnt"])
    plan = supply.DeliveryPlan(
        delivery_number=body["NoEntrega"],
        sub_number=body["NoSubEntrega"] or 0,
        quantity=body["CantTotAEntregar"],
        max_delivery_date=body["FecMaxEnt"],
    )
    (record,) = supply.direccionamiento_create(
        actor=None,
        entity=caller.entity,
        line=line,
        provider=provider,
        deliveries=[plan],
        municipality=municipality,
        patient_address=body["DirPaciente"] or "",
        technology_code=body["CodSerTecAEntregar"] or "",
        channel=WS,
    )
    return {"Id": record.deliverable_id, "IdDireccionamiento": record.pk}


def no_direccionamiento_put(caller: Caller, body: dict) -> dict:
    require_payer(caller)
    line = get.line_get(caller, body)
    record = supply.no_direccionamiento_create(
        actor=None,
        entity=caller.entity,
        line=line,
        cause=get.cause_get(body["CausaNoEntrega"]),
        associated_number=body["NoPrescripcionAsociada"] or "",
        associated_order=body["ConTecAsociada"],
        channel=WS,
    )
    return {"Id": record.pk, "IdNoDireccionamiento": record.pk}


def programacion_put(caller: Caller, body: dict) -> dict:
    require_provider(caller)
    direccionamiento = get.step_get(Direccionamiento, caller, body["ID"], provider=caller.entity)
    record = supply.programacion_create(
        actor=None,
        entity=caller.entity,
        direccionamiento=direccionamiento,
        sede=get.sede_get(caller, body),
        channel=WS,
    )
    return {"Id": record.deliverable_id, "IdProgramacion": record.pk}


def _receiver(body: dict, patient) -> tuple[str, str]:
    """Who received: the body's, or the patient when a client omits it (entregas en
    ámbito are given to the patient being cared for)."""
    document_type = (body.get("TipoIDRecibe") or "").strip().upper()
    document_number = (body.get("NoIDRecibe") or "").strip()
    if not document_type and not document_number:
        return patient.document_type, patient.document_number
    return document_type, document_number


def entrega_put(caller: Caller, body: dict) -> dict:
    require_provider(caller)
    programacion = get.step_get(Programacion, caller, body["ID"], entity=caller.entity)
    document_type = (body.get("TipoIDRecibe") or "").strip().upper()
    record = supply.entrega_create(
        actor=None,
        entity=caller.entity,
        programacion=programacion,
        technology_code=body["CodSerTecEntregado"] or "",
        quantity=body["CantTotEntregada"],
        total=bool(body["EntTotal"]),
        delivered_on=body["FecEntrega"],
        receiver_document_type=document_type,
        receiver_document_number=body["NoIDRecibe"] or "",
        batch=body["NoLote"] or "",
        cause=get.cause_get(body["CausaNoEntrega"]),
        channel=WS,
    )
    return {"Id": record.deliverable_id, "IdEntrega": record.pk}


def entrega_ambito_put(caller: Caller, body: dict) -> dict:
    require_provider(caller)
    line = get.line_get(caller, body)
    document_type, document_number = _receiver(body, line.prescription.patient)
    record = supply.entrega_ambito_create(
        actor=None,
        entity=caller.entity,
        line=line,
        delivery_number=body["NoEntrega"],
        sub_number=body["NoSubEntrega"] or 0,
        technology_code=body["CodSerTecEntregado"] or "",
        quantity=body["CantTotEntregada"],
        total=bool(body["EntTotal"]),
        delivered_on=body["FecEntrega"],
        receiver_document_type=document_type,
        receiver_document_number=document_number,
        batch=body["NoLote"] or "",
        cause=get.cause_get(body["CausaNoEntrega"]),
        channel=WS,
    )
    return {"Id": record.deliverable_id, "IdEntrega": record.pk}


def entrega_codigos_put(caller: Caller, body: dict) -> dict:
    """EntregaCodigos: accepted and validated, not stored. The supply module has no model
    for the codes of an entrega (the codes delivered are the entrega's own
    CodSerTecEntregado); the IDEntrega must be an in-force entrega of the caller."""
    require_provider(caller)
    entrega = (
        Entrega.objects.filter(pk=body["IDEntrega"], entity=caller.entity, status__in=IN_FORCE)
        .only("pk", "deliverable_id")
        .first()
    )
    if entrega is None:
        raise get.not_found(
            _("No existe la entrega %(id)s activa de su entidad.") % {"id": body["IDEntrega"]}
        )
    return {"Id": entrega.deliverable_id, "IdEntrega": entrega.pk}


def reporte_entrega_put(caller: Caller, body: dict) -> dict:
    require_provider(caller)
    entrega = get.step_get(Entrega, caller, body["ID"], entity=caller.entity)
    record = supply.reporte_entrega_create(
        actor=None,
        entity=caller.entity,
        entrega=entrega,
        delivered=bool(body["EstadoEntrega"]),
        value=body["ValorEntregado"],
        cause=get.cause_get(body["CausaNoEntrega"]),
        channel=WS,
    )
    return {"Id": record.deliverable_id, "IdReporteEntrega": record.pk}


def suministro_put(caller: Caller, body: dict) -> dict:
    require_payer(caller)
    deliverable = get.deliverable_for_payer(caller, body["ID"])
    record = supply.suministro_create(
        actor=None,
        entity=caller.entity,
        deliverable=deliverable,
        last_delivery=bool(body["UltEntrega"]),
        complete=bool(body["EntregaCompleta"]),
        quantity=body["CantTotEntregada"],
        value=body["ValorEntregado"],
        batch=body["NoLote"] or "",
        cause=get.cause_get(body["CausaNoEntrega"]),
        associated_number=body["NoPrescripcionAsociada"] or "",
        associated_order=body["ConTecAsociada"],
        channel=WS,
    )
    return {"Id": record.deliverable_id, "IdSuministro": record.pk}


def annul(caller: Caller, record, id_key: str) -> dict:
    supply.step_annul(
        actor=None, entity=caller.entity, step=record, reason=get.ANNUL_REASON, channel=WS
    )
    return {"Id": getattr(record, "deliverable_id", record.pk), id_key: record.pk}


TAG = "Suministro (WSSUMMIPRESNOPBS)"

PUTS = [
    PutOperation(
        "Direccionamiento",
        DIRECCIONAMIENTO,
        direccionamiento_put,
        "IdDireccionamiento",
        "Direccionar una entrega (pagador)",
        TAG,
    ),
    PutOperation(
        "NODireccionamiento",
        NO_DIRECCIONAMIENTO,
        no_direccionamiento_put,
        "IdNoDireccionamiento",
        "No direccionar una tecnología (pagador)",
        TAG,
    ),
    PutOperation(
        "Programacion",
        PROGRAMACION,
        programacion_put,
        "IdProgramacion",
        "Programar un direccionamiento (proveedor)",
        TAG,
    ),
    PutOperation(
        "Entrega",
        ENTREGA,
        entrega_put,
        "IdEntrega",
        "Registrar la entrega de una programación (proveedor)",
        TAG,
    ),
    PutOperation(
        "EntregaAmbito",
        ENTREGA_AMBITO,
        entrega_ambito_put,
        "IdEntrega",
        "Entrega en el ámbito de atención, sin direccionamiento (IPS)",
        TAG,
    ),
    PutOperation(
        "EntregaCodigos",
        ENTREGA_CODIGOS,
        entrega_codigos_put,
        "IdEntrega",
        "Códigos de una entrega (validado, no almacenado)",
        TAG,
    ),
    PutOperation(
        "ReporteEntrega",
        REPORTE_ENTREGA,
        reporte_entrega_put,
        "IdReporteEntrega",
        "Reportar una entrega (proveedor)",
        TAG,
    ),
    PutOperation(
        "Suministro",
        SUMINISTRO,
        suministro_put,
        "IdSuministro",
        "Reporte de suministro (pagador)",
        TAG,
    ),
]

_STEPS = {
    # name: (model, list queryset filter, row, annul id key, extra lookup filters)
    "Direccionamiento": (Direccionamiento, {}, "IdDireccionamiento"),
    "NODireccionamiento": (NoDireccionamiento, {}, "IdNoDireccionamiento"),
    "Programacion": (Programacion, {}, "IdProgramacion"),
    "Entrega": (Entrega, {}, "IdEntrega"),
    "EntregaAmbito": (Entrega, {"in_ambito": True}, "IdEntrega"),
    "ReporteEntrega": (ReporteEntrega, {}, "IdReporteEntrega"),
    "Suministro": (Suministro, {}, "IdSuministro"),
}
_RECORD_NAMES = {"EntregaAmbito": "Entrega"}
# Reads beyond the contract, documented as extensions (docs/webservices.md): new paths,
# read-only, never a change to an existing operation or field.
_EXTENSIONS = {"Pendiente": (Pendiente, {}, None)}


def _lists():
    modes = [
        ("XFecha", FECHA_MODE, "por fecha"),
        ("XPrescripcion", PRESCRIPTION_MODE, "por prescripción"),
        ("XPacienteFecha", PATIENT_MODE, "por paciente y fecha"),
    ]
    operations = []
    for name, (model, filters, _key) in {**_STEPS, **_EXTENSIONS}.items():
        extension = " (extensión: Circular 044 de 2025)" if name in _EXTENSIONS else ""
        for suffix, mode, label in modes:

            def queryset(caller, model=model, filters=filters):
                return selectors.records_visible(model, caller).filter(**filters)

            operations.append(
                ListOperation(
                    name=f"{name}{suffix}",
                    mode=mode,
                    queryset=queryset,
                    fields=rows.FIELDS[model],
                    record_name=_RECORD_NAMES.get(name, name),
                    summary=f"{name} {label}{extension}",
                    tag=TAG,
                )
            )
    return operations


def _annuls():
    operations = []
    for name, (model, filters, key) in _STEPS.items():

        def lookup(caller, pk, model=model, filters=filters):
            return get.own_record(model, caller, pk, **filters)

        def do(caller, record, key=key):
            return annul(caller, record, key)

        operations.append(
            AnnulOperation(
                name=f"Anular{name}",
                lookup=lookup,
                annul=do,
                id_key=key,
                summary=f"Anular {name} (en orden inverso)",
                tag=TAG,
            )
        )
    return operations


LISTS = _lists()
ANNULS = _annuls()
