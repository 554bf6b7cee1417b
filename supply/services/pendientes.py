"""Pendientes (Circular 044 de 2025): the dispensador who cannot deliver a programación (no
stock) registers what it owes, the promised date and time (at most 48 hours later) and
where (its sede, or the patient's address); the entrega of that programación closes it."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity
from entities.services.common import require_perm
from mipres.lib.errors import DomainError
from patients import notifications

from ..models import Entrega, Pendiente, PendienteStatus, Programacion, StepStatus
from ..selectors.provider import dispensador_sedes
from . import common as c

MAX_HOURS = 48

ERRORS = {
    "not_yours": _("Esta programación no es de su entidad o de sus sedes."),
    "not_active": _("La programación %(id)s ya no está activa: no se registra un pendiente."),
    "quantity": _("Indique cuánto queda debiendo: más de cero."),
    "over": _(
        "El pendiente (%(quantity)s) supera lo programado (%(programmed)s): registre solo lo "
        "que se debe."
    ),
    "past": _("La fecha y hora prometidas deben ser posteriores a este momento."),
    "over_48h": _(
        "La Circular 044 de 2025 da 48 horas: prometa la entrega a más tardar el %(limit)s."
    ),
    "address": _("Indique la dirección del paciente para la entrega a domicilio."),
    "duplicate": _("Ya hay un pendiente abierto para esta programación."),
}


def pendiente_create(
    *,
    actor,
    entity: Entity,
    programacion: Programacion,
    quantity: Decimal,
    promised_at: datetime.datetime,
    home_delivery: bool = False,
    address: str = "",
) -> Pendiente:
    """Register what is owed on an active programación of `entity` at one of the
    dispensador's sedes: quantity ≤ programmed, promised within 48 hours, at the sede or
    (home delivery) at `address`."""
    require_perm(actor, entity, c.DISPENSE)
    sedes = dispensador_sedes(user=actor, entity=entity) if actor is not None else None
    if programacion.entity_id != entity.pk or (
        sedes is not None and programacion.sede_id not in sedes
    ):
        raise DomainError(ERRORS["not_yours"], code="other_entity")
    now = timezone.now()
    limit = now + datetime.timedelta(hours=MAX_HOURS)
    if quantity is None or quantity <= 0:
        raise DomainError(ERRORS["quantity"], field="quantity", code="quantity")
    if promised_at <= now:
        raise DomainError(ERRORS["past"], field="promised_at", code="past")
    if promised_at > limit:
        text = timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")
        raise DomainError(ERRORS["over_48h"] % {"limit": text}, field="promised_at", code="48h")
    address = (address or "").strip() if home_delivery else ""
    if home_delivery and not address:
        raise DomainError(ERRORS["address"], field="address", code="address")

    def write():
        step = c.lock_step(Programacion, programacion.pk)
        if step.status != StepStatus.ACTIVO:
            raise DomainError(ERRORS["not_active"] % {"id": step.pk}, code="not_active")
        if quantity > step.quantity:
            names = {
                "quantity": c.number_text(quantity),
                "programmed": c.number_text(step.quantity),
            }
            raise DomainError(ERRORS["over"] % names, field="quantity", code="over")
        pendiente = Pendiente.objects.create(
            deliverable=step.deliverable,
            programacion=step,
            entity=entity,
            quantity=quantity,
            promised_at=promised_at,
            sede_id=None if address else step.sede_id,
            address=address,
            created_by=actor,
        )
        c.record(
            pendiente,
            actor=actor,
            action="supply.pendiente.created",
            entity=entity,
            data={
                "quantity": str(quantity),
                "promised_at": promised_at.isoformat(),
                "home_delivery": bool(address),
            },
        )
        notifications.pendiente_changed(pendiente)
        return pendiente

    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        if "pendiente_one_open" in str(error):
            raise DomainError(ERRORS["duplicate"], code="duplicate") from None
        raise


def pendientes_close(programacion: Programacion, entrega: Entrega) -> None:
    """The entrega of a programación closes its open pendiente (inside the entrega's
    transaction)."""
    Pendiente.objects.filter(programacion=programacion, status=PendienteStatus.ABIERTO).update(
        status=PendienteStatus.CERRADO, closed_at=timezone.now(), entrega=entrega
    )
