"""Annulment in reverse order (DESIGN §4, seed 004).

Only the newest active step of a chain is annulled (state 1 → 0, with date, actor and
reason); the step before it returns from procesado (2) to activo (1). A step in state 2 has
an active later step and is refused, naming it. The reporte de entrega and the facturación
both follow the entrega, in either order: the later one is annulled first, and the entrega
only after both. Once an entrega exists, the direccionamiento and the programación cannot
be annulled: the refusal says so in seed 004's words. Annulled records stay.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity
from entities.selectors import user_entity_perms
from mipres.lib.errors import DomainError

from ..models import (
    IN_FORCE,
    DatosFacturados,
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
from ..models.chain import Channel
from . import common as c

ERRORS = {
    "already": _("%(what)s %(id)s ya está anulado."),
    "after_entrega": _(
        "Una vez reportada la entrega efectiva (entrega %(entrega)s) no puede anularse el "
        "direccionamiento ni la programación. Si la entrega se registró por error, el "
        "proveedor la anula primero, con sus pasos posteriores."
    ),
    "not_newest": _(
        "%(what)s %(id)s no es el último paso activo de la cadena: anule primero %(next)s "
        "%(next_id)s."
    ),
    "suministro": _(
        "El pagador reportó el suministro de esta entrega (suministro %(id)s): debe anularlo "
        "antes de que se anule la entrega."
    ),
}

# model → (permissions that may annul it, its label, the previous step's field)
STEPS = {
    Direccionamiento: ((c.DIRECT,), _("El direccionamiento"), None),
    NoDireccionamiento: ((c.NO_DIRECT,), _("El no direccionamiento"), None),
    ProcedureSupply: ((c.DIRECT,), _("La inclusión en el procedimiento"), None),
    Programacion: ((c.PROGRAM,), _("La programación"), "direccionamiento"),
    Entrega: ((c.DISPENSE, c.PROGRAM), _("La entrega"), "programacion"),
    ReporteEntrega: ((c.REPORT,), _("El reporte de entrega"), "entrega"),
    Facturacion: ((c.INVOICE,), _("La facturación"), "reporte"),
    DatosFacturados: ((c.DATOS_FACTURADOS,), _("Los datos facturados"), "facturacion"),
    Suministro: ((c.SUMINISTRO,), _("El reporte de suministro"), None),
}

# What consumes each step: (model, foreign key to the step, article + label).
NEXT = {
    Direccionamiento: (Programacion, "direccionamiento", _("la programación")),
    Programacion: (Entrega, "programacion", _("la entrega")),
    Entrega: (ReporteEntrega, "entrega", _("el reporte de entrega")),
    ReporteEntrega: (Facturacion, "reporte", _("la facturación")),
    Facturacion: (DatosFacturados, "facturacion", _("los datos facturados")),
}


def _require_any(actor, entity: Entity, perms: tuple[str, ...]) -> None:
    if actor is None:
        return
    if not user_entity_perms(user=actor, entity=entity).intersection(perms):
        raise PermissionDenied


def _later_entrega(step) -> Entrega | None:
    if isinstance(step, Direccionamiento | Programacion):
        return step.deliverable.entregas.filter(status__in=IN_FORCE).first()
    return None


def _later_sibling(step):
    """(label, record) of a later step in force that hangs off the same entrega: the
    facturación and the reporte both follow the entrega, in either order, and are annulled
    in reverse order of creation; an entrega waits for both."""
    if isinstance(step, Entrega):
        factura = step.facturaciones.filter(status__in=IN_FORCE).first()
        return (_("la facturación"), factura) if factura else None
    if isinstance(step, Facturacion):
        reporte = (
            ReporteEntrega.objects.filter(
                entrega_id=step.entrega_id, status__in=IN_FORCE, created_at__gt=step.created_at
            )
            .order_by("-created_at")
            .first()
        )
        return (_("el reporte de entrega"), reporte) if reporte else None
    return None


def _check_newest(step, label) -> None:
    names = {"what": label, "id": step.pk}
    if step.status == StepStatus.ANULADO:
        raise DomainError(ERRORS["already"] % names, code="already_annulled")
    entrega = _later_entrega(step)
    if entrega is not None:
        raise DomainError(ERRORS["after_entrega"] % {"entrega": entrega.pk}, code="after_entrega")
    if step.status == StepStatus.PROCESADO:
        model, field, next_label = NEXT[type(step)]
        later = model.objects.filter(**{field: step, "status__in": IN_FORCE}).first()
        raise DomainError(
            ERRORS["not_newest"] % {**names, "next": next_label, "next_id": later.pk},
            code="not_newest",
        )
    sibling = _later_sibling(step)
    if sibling is not None:
        next_label, later = sibling
        raise DomainError(
            ERRORS["not_newest"] % {**names, "next": next_label, "next_id": later.pk},
            code="not_newest",
        )
    if isinstance(step, Entrega):
        suministro = step.suministros.filter(status__in=IN_FORCE).first()
        if suministro is not None:
            raise DomainError(ERRORS["suministro"] % {"id": suministro.pk}, code="suministro")


def step_annul(*, actor, entity: Entity, step, reason: str, channel=Channel.WEB):
    """Annul `step` (any supply record of `entity`) with a mandatory reason.

    Preconditions: `actor` holds the step's permission in `entity` (the entity that
    recorded it); the step is activo (1): the newest of its chain. Side effects in one
    transaction, the deliverable (or, for line records, the prescription and line) locked:
    the step to 0 with date, actor and reason; the previous step from 2 back to 1; the
    audit entry `supply.<step>.annulled`. Raises PermissionDenied or DomainError; nothing
    is written on refusal.
    """
    model = type(step)
    perms, label, previous_field = STEPS[model]
    _require_any(actor, entity, perms)
    reason = c.reason_required(reason)
    if step.entity_id != entity.pk:
        raise DomainError(_("Este registro no es de su entidad."), code="other_entity")

    def write():
        if hasattr(step, "deliverable_id"):
            locked = c.lock_step(model, step.pk)
        else:
            c.lock_line(step.line)
            locked = model.objects.select_for_update().get(pk=step.pk)
        _check_newest(locked, label)
        locked.status = StepStatus.ANULADO
        locked.annulled_at = timezone.now()
        locked.annulled_by = actor
        locked.annulment_reason = reason
        locked.save(update_fields=["status", "annulled_at", "annulled_by", "annulment_reason"])
        if previous_field and getattr(locked, f"{previous_field}_id"):
            previous = (
                type(locked)
                ._meta.get_field(previous_field)
                .related_model.objects.select_for_update()
                .get(pk=getattr(locked, f"{previous_field}_id"))
            )
            if previous.status == StepStatus.PROCESADO:
                previous.status = StepStatus.ACTIVO
                previous.save(update_fields=["status"])
        c.record(
            locked,
            actor=actor,
            action=f"supply.{model._meta.model_name}.annulled",
            entity=entity,
            data={"reason": reason, "channel": channel},
        )
        return locked

    return c.run_atomic(write, what=label)
