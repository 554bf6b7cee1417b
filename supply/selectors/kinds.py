"""The supply records by URL slug: the annulment page and the timeline name them so."""

from django.utils.translation import gettext_lazy as _

from ..models import (
    DatosFacturados,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    Suministro,
)

MODEL_BY_KIND = {
    "direccionamiento": Direccionamiento,
    "no-direccionamiento": NoDireccionamiento,
    "inclusion": ProcedureSupply,
    "programacion": Programacion,
    "entrega": Entrega,
    "reporte": ReporteEntrega,
    "facturacion": Facturacion,
    "datos-facturados": DatosFacturados,
    "suministro": Suministro,
}
KIND_BY_MODEL = {model: kind for kind, model in MODEL_BY_KIND.items()}
KIND_LABELS = {
    "direccionamiento": _("Direccionamiento"),
    "no-direccionamiento": _("No direccionamiento"),
    "inclusion": _("Incluido en procedimiento"),
    "programacion": _("Programación"),
    "entrega": _("Entrega"),
    "reporte": _("Reporte de entrega"),
    "facturacion": _("Facturación"),
    "datos-facturados": _("Datos facturados"),
    "suministro": _("Reporte de suministro"),
}
