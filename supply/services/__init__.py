"""Every supply operation, shared by the browser views and the web services (STYLE R9):
each checks the actor's permission, validates, locks, writes and audits in one transaction,
and raises DomainError with a Spanish message (and a stable code) on refusal.

`actor=None` is the system or a web-service call authenticated by the entity's token.
"""

from .annulment import step_annul
from .payer import (
    DeliveryPlan,
    datos_facturados_create,
    direccionamiento_create,
    no_direccionamiento_create,
    procedure_supply_create,
    suministro_create,
)
from .provider import (
    entrega_ambito_create,
    entrega_create,
    facturacion_create,
    invoice_total,
    programacion_create,
    reporte_entrega_create,
)

__all__ = [
    "DeliveryPlan",
    "datos_facturados_create",
    "direccionamiento_create",
    "entrega_ambito_create",
    "entrega_create",
    "facturacion_create",
    "invoice_total",
    "no_direccionamiento_create",
    "procedure_supply_create",
    "programacion_create",
    "reporte_entrega_create",
    "step_annul",
    "suministro_create",
]
