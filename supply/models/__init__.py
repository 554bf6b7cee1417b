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

__all__ = [
    "IN_FORCE",
    "DatosFacturados",
    "Deliverable",
    "Direccionamiento",
    "Entrega",
    "Facturacion",
    "NoDireccionamiento",
    "ProcedureSupply",
    "Programacion",
    "ReporteEntrega",
    "StepStatus",
    "Suministro",
]
