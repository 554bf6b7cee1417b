from .chain import (
    IN_FORCE,
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
from .pendientes import Pendiente, PendienteStatus
from .reads import DeliverableRow, TimelineName, TimelineStep

__all__ = [
    "IN_FORCE",
    "DatosFacturados",
    "Deliverable",
    "DeliverableRow",
    "Direccionamiento",
    "Entrega",
    "Facturacion",
    "NoDireccionamiento",
    "Pendiente",
    "PendienteStatus",
    "ProcedureSupply",
    "Programacion",
    "ReporteEntrega",
    "StepStatus",
    "Suministro",
    "TimelineName",
    "TimelineStep",
]
