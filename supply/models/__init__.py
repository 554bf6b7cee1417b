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

__all__ = [
    "IN_FORCE",
    "DatosFacturados",
    "Deliverable",
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
]
