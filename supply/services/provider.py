"""The proveedor's steps: programación, entrega (and entrega en ámbito), reporte de entrega
and facturación. Each takes the previous step from activo to procesado."""

import datetime
import re
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from entities.models import Entity, Sede
from entities.services.common import require_perm
from mipres.lib.errors import DomainError
from patients import notifications
from prescriptions.enums import CareSetting, TechnologyType
from prescriptions.models import NonDeliveryCause, TechnologyLine

from ..models import (
    IN_FORCE,
    Direccionamiento,
    Entrega,
    Facturacion,
    Programacion,
    ReporteEntrega,
    StepStatus,
)
from ..models.chain import AMBITO_SETTINGS, Channel
from ..selectors.provider import dispensador_sedes
from . import common as c
from .payer import DeliveryPlan, check_delivery_free
from .pendientes import pendientes_close

RECEIVER_NUMBER = re.compile(r"^[A-Z0-9]{3,15}$")

ERRORS = {
    "not_yours": _("Este registro no es de su entidad."),
    "sede_other": _("La sede no es de su entidad."),
    "sede_inactive": _("La sede %(code)s está inactiva."),
    "sede_not_assigned": _("Usted no entrega en la sede %(code)s."),
    "over_programmed": _(
        "La cantidad entregada (%(quantity)s) supera la programada (%(programmed)s)."
    ),
    "total_not_all": _(
        "Una entrega total entrega toda la cantidad programada (%(programmed)s); si entrega "
        "menos, márquela como parcial y elija la causa."
    ),
    "partial_all": _("Entregó toda la cantidad programada: marque la entrega como total."),
    "quantity_negative": _("La cantidad no puede ser negativa."),
    "date_future": _("La fecha de entrega no puede ser posterior a hoy."),
    "date_before": _("La fecha de entrega no puede ser anterior a la prescripción (%(date)s)."),
    "batch": _("Indique el número de lote: es obligatorio para un medicamento."),
    "receiver_type": _("Elija el tipo de documento de quien recibe."),
    "receiver_number": _(
        "El documento de quien recibe tiene de 3 a 15 letras mayúsculas o dígitos."
    ),
    "code": _("Indique el código de la tecnología entregada."),
    "not_ambito": _(
        "La prescripción %(number)s es del ámbito «%(setting)s»: solo las prescripciones "
        "hospitalarias y de urgencias se entregan en ámbito; las demás se direccionan."
    ),
    "not_prescriber": _("Solo la IPS que prescribió entrega en ámbito la prescripción %(number)s."),
    "nothing_delivered": _(
        "La entrega ID %(id)s no entregó nada (cantidad 0): repórtela como no entregada."
    ),
    "not_delivered_invoice": _(
        "El reporte ID %(id)s dice que no se entregó: no hay nada que facturar."
    ),
    "nothing_to_invoice": _(
        "La entrega ID %(id)s no entregó nada (cantidad 0): no hay nada que facturar."
    ),
    "over_delivered": _(
        "Las unidades facturadas (%(units)s) superan las entregadas (%(delivered)s)."
    ),
    "invoiced_not_delivered": _(
        "La entrega ya está facturada (facturación %(id)s): no puede reportarse como no "
        "entregada sin anular antes la facturación."
    ),
    "invoice_number": _("Indique el número de la factura."),
    "units": _("Las unidades mínimas de dispensación deben ser mayores que cero."),
    "unit_value": _("El valor unitario no puede ser negativo."),
    "cuota_and_copago": _(
        "La cuota moderadora y el copago son excluyentes: registre solo uno de los dos."
    ),
    "negative_total": _("La cuota moderadora o el copago superan el valor facturado (%(gross)s)."),
    "value": _("El valor entregado no puede ser negativo."),
}


def _own(step, entity: Entity) -> None:
    if step.entity_id != entity.pk:
        raise DomainError(ERRORS["not_yours"], code="other_entity")


def check_sede(sede: Sede, entity: Entity) -> None:
    if sede.entity_id != entity.pk:
        raise DomainError(ERRORS["sede_other"], field="sede", code="sede_other")
    if not sede.active:
        raise DomainError(ERRORS["sede_inactive"] % {"code": sede.code}, field="sede", code="sede")


def dispensador_sede_ids(actor, entity: Entity) -> set[int] | None:
    """The sedes a dispensador delivers at (None: all of the entity's, or the system)."""
    if actor is None:
        return None
    return dispensador_sedes(user=actor, entity=entity)


def programacion_create(
    *, actor, entity: Entity, direccionamiento: Direccionamiento, sede: Sede, channel=Channel.WEB
) -> Programacion:
    """Program an active direccionamiento directed to `entity` at one of its active sedes;
    FecMaxEnt, code and quantity are copied from the direccionamiento, which becomes
    procesado."""
    require_perm(actor, entity, c.PROGRAM)
    if direccionamiento.provider_id != entity.pk:
        raise DomainError(ERRORS["not_yours"], code="other_entity")
    check_sede(sede, entity)

    def write():
        previous = c.lock_step(Direccionamiento, direccionamiento.pk)
        deliverable = previous.deliverable
        c.check_prescription_active(deliverable.prescription)
        c.take(previous, what=_("El direccionamiento"), next_label=_("programación"))
        programacion = Programacion.objects.create(
            deliverable=deliverable,
            direccionamiento=previous,
            entity=entity,
            created_by=actor,
            channel=channel,
            sede=sede,
            max_delivery_date=previous.max_delivery_date,
            technology_code=previous.technology_code,
            quantity=previous.quantity,
        )
        c.record(
            programacion,
            actor=actor,
            action="supply.programacion.created",
            entity=entity,
            data={"sede": sede.code},
        )
        notifications.programacion_changed(programacion)
        return programacion

    return c.run_atomic(write, what=_("una programación"))


@dataclass(frozen=True)
class Handover:
    """What an entrega hands over and to whom: the fields both kinds of entrega share."""

    technology_code: str
    quantity: Decimal
    total: bool
    delivered_on: datetime.date
    receiver_document_type: str
    receiver_document_number: str
    batch: str = ""
    cause: NonDeliveryCause | None = None

    @classmethod
    def of(cls, **fields) -> "Handover":
        fields["technology_code"] = (fields.get("technology_code") or "").strip()
        fields["batch"] = (fields.get("batch") or "").strip()
        number = fields.get("receiver_document_number") or ""
        fields["receiver_document_number"] = number.strip().upper()
        return cls(**fields)

    def check(self, line: TechnologyLine, prescribed_at: datetime.datetime) -> None:
        prescribed_on = timezone.localdate(prescribed_at)
        if not self.technology_code:
            raise DomainError(ERRORS["code"], field="technology_code", code="code")
        if self.quantity is None or self.quantity < 0:
            raise DomainError(ERRORS["quantity_negative"], field="quantity", code="quantity")
        if self.delivered_on > timezone.localdate():
            raise DomainError(ERRORS["date_future"], field="delivered_on", code="date_future")
        if self.delivered_on < prescribed_on:
            raise DomainError(
                ERRORS["date_before"] % {"date": prescribed_on.isoformat()},
                field="delivered_on",
                code="date_before",
            )
        if line.technology_type == TechnologyType.MEDICAMENTO and not self.batch:
            raise DomainError(ERRORS["batch"], field="batch", code="batch_required")
        if self.receiver_document_type not in DocumentType.values:
            raise DomainError(ERRORS["receiver_type"], field="receiver_document_type", code="doc")
        if not RECEIVER_NUMBER.match(self.receiver_document_number):
            raise DomainError(
                ERRORS["receiver_number"], field="receiver_document_number", code="doc_number"
            )

    def create(self, *, actor, entity: Entity, channel, **extra) -> Entrega:
        """The Entrega row and its audit entry."""
        fields = asdict(self)
        fields["cause"] = None if self.total else self.cause
        entrega = Entrega.objects.create(
            entity=entity, created_by=actor, channel=channel, **fields, **extra
        )
        action = "supply.entrega_ambito.created" if entrega.in_ambito else "supply.entrega.created"
        c.record(
            entrega,
            actor=actor,
            action=action,
            entity=entity,
            data={"quantity": str(self.quantity), "total": self.total},
        )
        return entrega


def _check_completeness(
    line: TechnologyLine, *, quantity: Decimal, expected: Decimal, total: bool, cause
) -> None:
    """Total ⇔ everything expected delivered; a partial entrega (something) needs a cause
    valid for partial deliveries, a failed one (nothing) any cause of the line's type."""
    names = {"programmed": c.number_text(expected), "quantity": c.number_text(quantity)}
    if quantity > expected:
        raise DomainError(ERRORS["over_programmed"] % names, field="quantity", code="over")
    if total and quantity < expected:
        raise DomainError(ERRORS["total_not_all"] % names, field="total", code="total_not_all")
    if not total:
        if quantity == expected:
            raise DomainError(ERRORS["partial_all"], field="total", code="partial_all")
        c.check_cause(cause, line.technology_type, use="partial" if quantity > 0 else "any")


def entrega_create(
    *,
    actor,
    entity: Entity,
    programacion: Programacion,
    technology_code: str,
    quantity: Decimal,
    total: bool,
    delivered_on: datetime.date,
    receiver_document_type: str,
    receiver_document_number: str,
    batch: str = "",
    cause: NonDeliveryCause | None = None,
    channel=Channel.WEB,
) -> Entrega:
    """Record the delivery of an active programación of `entity` (at one of the
    dispensador's sedes): quantity ≤ programmed, total or partial with a cause, batch for
    medicines, receiver's document. The programación becomes procesado."""
    require_perm(actor, entity, c.DISPENSE)
    _own(programacion, entity)
    sedes = dispensador_sede_ids(actor, entity)
    if sedes is not None and programacion.sede_id not in sedes:
        code = Sede.objects.get(pk=programacion.sede_id).code
        raise DomainError(ERRORS["sede_not_assigned"] % {"code": code}, code="sede")
    handover = Handover.of(
        technology_code=technology_code,
        quantity=quantity,
        total=total,
        delivered_on=delivered_on,
        receiver_document_type=receiver_document_type,
        receiver_document_number=receiver_document_number,
        batch=batch,
        cause=cause,
    )

    def write():
        previous = c.lock_step(Programacion, programacion.pk)
        deliverable = previous.deliverable
        line = deliverable.line
        handover.check(line, deliverable.prescription.prescribed_at)
        _check_completeness(
            line, quantity=quantity, expected=previous.quantity, total=total, cause=cause
        )
        c.take(previous, what=_("La programación"), next_label=_("entrega"))
        entrega = handover.create(
            actor=actor,
            entity=entity,
            channel=channel,
            deliverable=deliverable,
            programacion=previous,
            sede_id=previous.sede_id,
            pending_quantity=previous.quantity - handover.quantity,
        )
        pendientes_close(previous, entrega)  # delivering a pendiente closes it
        notifications.entrega_changed(entrega)
        return entrega

    return c.run_atomic(write, what=_("una entrega"))


def entrega_ambito_create(
    *,
    actor,
    entity: Entity,
    line: TechnologyLine,
    delivery_number: int,
    technology_code: str,
    quantity: Decimal,
    total: bool,
    delivered_on: datetime.date,
    receiver_document_type: str,
    receiver_document_number: str,
    sub_number: int = 0,
    sede: Sede | None = None,
    batch: str = "",
    cause: NonDeliveryCause | None = None,
    channel=Channel.WEB,
) -> Entrega:
    """An entrega en ámbito: the prescribing IPS delivers a line of a hospital or urgencias
    prescription where the patient is cared for, with no direccionamiento; it creates the
    deliverable (`ID`). The quantity counts against the prescribed total."""
    require_perm(actor, entity, c.DISPENSE)
    if sede is not None:
        check_sede(sede, entity)
    handover = Handover.of(
        technology_code=technology_code,
        quantity=quantity,
        total=total,
        delivered_on=delivered_on,
        receiver_document_type=receiver_document_type,
        receiver_document_number=receiver_document_number,
        batch=batch,
        cause=cause,
    )
    plan = DeliveryPlan(
        delivery_number=delivery_number,
        sub_number=sub_number,
        quantity=quantity,
        max_delivery_date=delivered_on,
    )

    def write():
        prescription, locked = c.lock_line(line)
        names = {"number": prescription.number}
        if prescription.entity_id != entity.pk:
            raise DomainError(ERRORS["not_prescriber"] % names, code="not_prescriber")
        c.check_prescription_active(prescription)
        if prescription.care_setting not in AMBITO_SETTINGS:
            names["setting"] = CareSetting(prescription.care_setting).label
            raise DomainError(ERRORS["not_ambito"] % names, code="not_ambito")
        c.check_junta(locked)
        c.check_not_covered(locked)
        handover.check(locked, prescription.prescribed_at)
        if not total:
            c.check_cause(cause, locked.technology_type, use="partial" if quantity else "any")
        c.check_quantity(locked, quantity)
        deliverable = check_delivery_free(locked, plan)
        return handover.create(
            actor=actor,
            entity=entity,
            channel=channel,
            deliverable=deliverable,
            in_ambito=True,
            sede=sede,
        )

    return c.run_atomic(write, what=_("una entrega"))


def reporte_entrega_create(
    *,
    actor,
    entity: Entity,
    entrega: Entrega,
    delivered: bool,
    value: Decimal,
    cause: NonDeliveryCause | None = None,
    channel=Channel.WEB,
) -> ReporteEntrega:
    """Report an active entrega of `entity`: delivered (cause forced empty) or not (a cause
    of the line's type), with the value delivered. The entrega becomes procesado."""
    require_perm(actor, entity, c.REPORT)
    _own(entrega, entity)
    if value is None or value < 0:
        raise DomainError(ERRORS["value"], field="value", code="value")

    def write():
        previous = c.lock_step(Entrega, entrega.pk)
        deliverable = previous.deliverable
        if delivered and previous.quantity == 0:
            raise DomainError(
                ERRORS["nothing_delivered"] % {"id": deliverable.pk},
                field="delivered",
                code="nothing_delivered",
            )
        if not delivered:
            c.check_cause(cause, deliverable.line.technology_type, use="any")
            factura = Facturacion.objects.filter(entrega=previous, status__in=IN_FORCE).first()
            if factura is not None:
                raise DomainError(
                    ERRORS["invoiced_not_delivered"] % {"id": factura.pk},
                    field="delivered",
                    code="invoiced",
                )
        c.take(previous, what=_("La entrega"), next_label=_("reporte de entrega"))
        reporte = ReporteEntrega.objects.create(
            deliverable=deliverable,
            entrega=previous,
            entity=entity,
            created_by=actor,
            channel=channel,
            delivered=delivered,
            cause=None if delivered else cause,
            value=value,
        )
        c.record(
            reporte,
            actor=actor,
            action="supply.reporte_entrega.created",
            entity=entity,
            data={"delivered": delivered, "value": str(value)},
        )
        return reporte

    return c.run_atomic(write, what=_("un reporte de entrega"))


def invoice_total(
    units: Decimal, unit_value: Decimal, cuota_moderadora: Decimal, copago: Decimal
) -> Decimal:
    """ValorTotFacturado = CantUnMinDis × ValorUnitFacturado − cuota moderadora or copago."""
    gross = (units * unit_value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return gross - (cuota_moderadora or 0) - (copago or 0)


def facturacion_create(
    *,
    actor,
    entity: Entity,
    invoice_number: str,
    units: Decimal,
    unit_value: Decimal,
    entrega: Entrega | None = None,
    reporte: ReporteEntrega | None = None,
    cuota_moderadora: Decimal = Decimal(0),
    copago: Decimal = Decimal(0),
    technology_code: str = "",
    channel=Channel.WEB,
) -> Facturacion:
    """Invoice an active (or procesado) entrega of `entity`, named by itself or by its
    reporte, before or after the reporte de entrega (one facturación in force per entrega).
    Never more minimum dispensing units than the entrega delivered; an entrega that
    delivered nothing, or whose reporte says not delivered, has nothing to invoice. The
    total is computed (units × unit value − cuota moderadora or copago, never both);
    NoIDEPS and CodEPS come from the direccionamiento (the prescription's payer for an
    entrega en ámbito). An active reporte it follows becomes procesado."""
    require_perm(actor, entity, c.INVOICE)
    if entrega is None:
        entrega = reporte.entrega
    _own(entrega, entity)
    invoice_number = (invoice_number or "").strip()
    cuota_moderadora = cuota_moderadora or Decimal(0)
    copago = copago or Decimal(0)
    if not invoice_number:
        raise DomainError(ERRORS["invoice_number"], field="invoice_number", code="invoice")
    if units is None or units <= 0:
        raise DomainError(ERRORS["units"], field="units", code="units")
    if unit_value is None or unit_value < 0:
        raise DomainError(ERRORS["unit_value"], field="unit_value", code="unit_value")
    if cuota_moderadora < 0 or copago < 0:
        raise DomainError(ERRORS["value"], field="cuota_moderadora", code="value")
    if cuota_moderadora > 0 and copago > 0:
        raise DomainError(ERRORS["cuota_and_copago"], field="copago", code="cuota_and_copago")
    total = invoice_total(units, unit_value, cuota_moderadora, copago)
    if total < 0:
        gross = c.number_text(total + cuota_moderadora + copago)
        raise DomainError(ERRORS["negative_total"] % {"gross": gross}, field="copago", code="neg")

    def write():
        locked = c.lock_step(Entrega, entrega.pk)
        deliverable = locked.deliverable
        names = {"what": _("La entrega"), "id": locked.pk, "next": _("facturación")}
        if locked.status == StepStatus.ANULADO:
            raise DomainError(c.ERRORS["step_annulled"] % names, code="previous_annulled")
        if Facturacion.objects.filter(entrega=locked, status__in=IN_FORCE).exists():
            raise DomainError(c.ERRORS["step_processed"] % names, code="duplicate")
        if locked.quantity == 0:
            raise DomainError(
                ERRORS["nothing_to_invoice"] % {"id": deliverable.pk}, code="not_delivered"
            )
        if units > locked.quantity:
            raise DomainError(
                ERRORS["over_delivered"]
                % {"units": c.number_text(units), "delivered": c.number_text(locked.quantity)},
                field="units",
                code="over_delivered",
            )
        previous = (
            ReporteEntrega.objects.select_for_update()
            .filter(entrega=locked, status__in=IN_FORCE)
            .first()
        )
        if previous is not None and not previous.delivered:
            raise DomainError(
                ERRORS["not_delivered_invoice"] % {"id": deliverable.pk}, code="not_delivered"
            )
        if previous is not None:
            c.take(previous, what=_("El reporte de entrega"), next_label=_("facturación"))
        direccionamiento = (
            Direccionamiento.objects.filter(deliverable=deliverable, status__in=IN_FORCE)
            .select_related("payer_code")
            .first()
        )
        payer = deliverable.prescription.payer
        code = direccionamiento.payer_code if direccionamiento else None
        code = code or deliverable.prescription.payer_code
        factura = Facturacion.objects.create(
            deliverable=deliverable,
            entrega=locked,
            reporte=previous,
            entity=entity,
            created_by=actor,
            channel=channel,
            invoice_number=invoice_number,
            payer_nit=payer.nit,
            payer_code=code.code if code else "",
            technology_code=(technology_code or "").strip() or locked.technology_code,
            units=units,
            unit_value=unit_value,
            total_value=total,
            cuota_moderadora=cuota_moderadora,
            copago=copago,
        )
        c.record(
            factura,
            actor=actor,
            action="supply.facturacion.created",
            entity=entity,
            data={"invoice_number": invoice_number, "total_value": str(total)},
        )
        return factura

    return c.run_atomic(write, what=_("una facturación"))
