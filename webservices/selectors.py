"""What a web-service caller may see (STYLE R5): a payer code's token sees that code's
records only (an entidad territorial's, the records it pays without code); a proveedor's
or IPS's token sees what is directed to it and what it recorded."""

import datetime

from django.db.models import Q, QuerySet

from entities.permissions import PROVIDER_TYPES
from mipres.lib.days import day_bounds
from prescriptions.models import Prescription
from supply.models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Pendiente,
    Programacion,
    ReporteEntrega,
    Suministro,
)

from .services import Caller

_DELIVERABLE = ("deliverable__line", "deliverable__prescription__patient")
RELATED = {
    Direccionamiento: (
        *_DELIVERABLE,
        "deliverable__payer",
        "payer_code",
        "provider",
        "entity",
    ),
    NoDireccionamiento: ("line", "prescription__patient", "cause"),
    Programacion: (*_DELIVERABLE, "sede__entity"),
    Entrega: (*_DELIVERABLE, "cause"),
    ReporteEntrega: (*_DELIVERABLE, "entrega", "cause"),
    Facturacion: _DELIVERABLE,
    DatosFacturados: _DELIVERABLE,
    Suministro: (*_DELIVERABLE, "cause"),
    Pendiente: _DELIVERABLE,
}


def _payer_q(caller: Caller, prefix: str) -> Q:
    return Q(**{f"{prefix}payer": caller.entity, f"{prefix}payer_code": caller.payer_code})


def prescriptions_visible(caller: Caller) -> QuerySet:
    """The prescriptions a caller may name: a payer's under its code, an IPS's own."""
    if caller.is_payer:
        return Prescription.objects.filter(payer=caller.entity, payer_code=caller.payer_code)
    return Prescription.objects.filter(entity=caller.entity)


def records_visible(model, caller: Caller) -> QuerySet:
    """The records of `model` (a supply step) the caller may read."""
    queryset = model.objects.select_related(*RELATED[model])
    if caller.is_payer:
        if model in (Direccionamiento, NoDireccionamiento):  # both carry the payer code
            return queryset.filter(entity=caller.entity, payer_code=caller.payer_code)
        return queryset.filter(_payer_q(caller, "deliverable__prescription__"))
    if caller.entity.entity_type not in PROVIDER_TYPES:
        return queryset.none()
    if model is Direccionamiento:
        return queryset.filter(provider=caller.entity)
    if model is DatosFacturados:
        return queryset.filter(Q(entity=caller.entity) | Q(facturacion__entity=caller.entity))
    if model in (NoDireccionamiento, Suministro):
        return queryset.none()
    return queryset.filter(entity=caller.entity)


def by_date(queryset: QuerySet, date: datetime.date) -> QuerySet:
    start, end = day_bounds(date)
    return queryset.filter(created_at__gte=start, created_at__lt=end).order_by("id")


def by_prescription(queryset: QuerySet, model, number: str) -> QuerySet:
    field = (
        "prescription__number"
        if model is NoDireccionamiento
        else "deliverable__prescription__number"
    )
    return queryset.filter(**{field: number.strip()}).order_by("id")


def by_patient(queryset: QuerySet, model, date, document_type: str, document_number: str):
    prefix = (
        "prescription__patient__"
        if model is NoDireccionamiento
        else ("deliverable__prescription__patient__")
    )
    return by_date(queryset, date).filter(
        **{
            f"{prefix}document_type": document_type.strip().upper(),
            f"{prefix}document_number": document_number.strip(),
        }
    )


def deliverable_visible(caller: Caller, deliverable_id: int) -> Deliverable | None:
    """The deliverable `ID` if the caller may act on it (payer: its code's prescription;
    provider: directed to it, or recorded by it)."""
    queryset = Deliverable.objects.select_related("line", "prescription__patient")
    if caller.is_payer:
        return queryset.filter(
            pk=deliverable_id,
            **{"prescription__payer": caller.entity},
            prescription__payer_code=caller.payer_code,
        ).first()
    return (
        queryset.filter(pk=deliverable_id)
        .filter(Q(direccionamientos__provider=caller.entity) | Q(entregas__entity=caller.entity))
        .distinct()
        .first()
    )
