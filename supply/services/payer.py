"""The payer's steps: direccionamiento (one delivery or a schedule), no direccionamiento,
supplies carried by a procedure (seed 004), and the payer's suministro and datos facturados.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, Municipality
from entities.services.common import require_perm
from mipres.lib.errors import DomainError
from patients import notifications
from prescriptions.enums import TechnologyType
from prescriptions.models import NonDeliveryCause, TechnologyLine

from ..models import (
    IN_FORCE,
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Facturacion,
    NoDireccionamiento,
    ProcedureSupply,
    Suministro,
)
from ..models.chain import Channel, ComparatorKind, delivery_label
from ..selectors.network import network_providers
from . import common as c

ERRORS = {
    "no_deliveries": _("Indique al menos una entrega."),
    "delivery_number": _("El número de entrega va de 1 a 999 y la subentrega de 0 a 99."),
    "delivery_repeated": _("La entrega %(delivery)s está repetida en el plan."),
    "delivery_taken": _(
        "La entrega %(delivery)s de la tecnología %(line)s ya tiene un direccionamiento o una "
        "entrega activos (ID %(id)s)."
    ),
    "date_past": _("La fecha máxima de entrega no puede ser anterior a hoy."),
    "provider_not_in_network": _(
        "%(provider)s no está en la red activa de su entidad para el código %(code)s."
    ),
    "provider_not_in_territory": _(
        "%(provider)s no está en la red del código %(code)s en el territorio del paciente "
        "(%(municipality)s)."
    ),
    "technology_code": _("Indique el código de la tecnología a entregar (CUM, CUPS u otro)."),
    "address": _("Indique la dirección del paciente."),
    "fully_assigned": _(
        "La tecnología %(line)s ya está asignada en su totalidad: no queda nada por no direccionar."
    ),
    "not_device": _(
        "Solo un dispositivo médico se entrega con un procedimiento; %(line)s es %(type)s."
    ),
    "not_procedure": _("Elija un procedimiento de la misma prescripción."),
    "already_assigned": _(
        "La tecnología %(line)s ya tiene direccionamientos o entregas activos: anúlelos antes "
        "de incluirla en el procedimiento."
    ),
    "no_entrega": _("La entrega ID %(id)s aún no tiene una entrega activa."),
    "incomplete_cause": _("Una entrega incompleta necesita la causa."),
    "not_negative": _("El valor no puede ser negativo."),
    "comparator_code": _("Indique el código del comparador administrativo."),
    "homologous_code": _("Indique el código del homólogo."),
}


@dataclass(frozen=True)
class DeliveryPlan:
    """One delivery of a direccionamiento: NoEntrega, NoSubEntrega, quantity, FecMaxEnt."""

    delivery_number: int
    quantity: Decimal
    max_delivery_date: datetime.date
    sub_number: int = 0

    @property
    def label(self) -> str:
        return delivery_label(self.delivery_number, self.sub_number)


def check_provider_in_network(prescription, provider: Entity) -> None:
    """The provider is in the payer's active network for the prescription's payer code and,
    for a subsidiado code, in the patient's territory (DESIGN §4)."""
    if network_providers(prescription).filter(pk=provider.pk).exists():
        return
    code = prescription.payer_code.code if prescription.payer_code_id else prescription.payer.name
    names = {"provider": provider.name, "code": code}
    if (
        prescription.payer_code_id
        and network_providers(prescription, anywhere=True).filter(pk=provider.pk).exists()
    ):
        names["municipality"] = prescription.patient.municipality.name
        raise DomainError(
            ERRORS["provider_not_in_territory"] % names, field="provider", code="territory"
        )
    raise DomainError(ERRORS["provider_not_in_network"] % names, field="provider", code="network")


def _check_plan(deliveries: list[DeliveryPlan]) -> Decimal:
    if not deliveries:
        raise DomainError(ERRORS["no_deliveries"], field="deliveries", code="no_deliveries")
    seen = set()
    today = timezone.localdate()
    for plan in deliveries:
        if not (1 <= plan.delivery_number <= 999 and 0 <= plan.sub_number <= 99):
            raise DomainError(ERRORS["delivery_number"], field="delivery_number", code="number")
        key = (plan.delivery_number, plan.sub_number)
        if key in seen:
            raise DomainError(
                ERRORS["delivery_repeated"] % {"delivery": plan.label},
                field="delivery_number",
                code="repeated",
            )
        seen.add(key)
        if plan.quantity is None or plan.quantity <= 0:
            raise DomainError(c.ERRORS["quantity_positive"], field="quantity", code="quantity")
        if plan.max_delivery_date < today:
            raise DomainError(ERRORS["date_past"], field="max_delivery_date", code="date_past")
    return sum((plan.quantity for plan in deliveries), Decimal(0))


def check_delivery_free(line: TechnologyLine, plan: DeliveryPlan) -> Deliverable:
    """The deliverable of `plan` (created if new, locked), with nothing in force on it."""
    deliverable, _created = Deliverable.objects.get_or_create(
        line=line,
        delivery_number=plan.delivery_number,
        sub_number=plan.sub_number,
        defaults={"prescription": line.prescription, "payer_id": line.prescription.payer_id},
    )
    deliverable = c.lock_deliverable(deliverable.pk)
    taken = (
        deliverable.direccionamientos.filter(status__in=IN_FORCE).exists()
        or deliverable.entregas.filter(status__in=IN_FORCE).exists()
    )
    if taken:
        raise DomainError(
            ERRORS["delivery_taken"]
            % {"delivery": plan.label, "line": line.key, "id": deliverable.pk},
            field="delivery_number",
            code="duplicate",
        )
    return deliverable


def direccionamiento_create(
    *,
    actor,
    entity: Entity,
    line: TechnologyLine,
    provider: Entity,
    deliveries: list[DeliveryPlan],
    municipality: Municipality,
    patient_address: str,
    technology_code: str,
    channel: str = Channel.WEB,
) -> list[Direccionamiento]:
    """Direct one or more deliveries of `line` to `provider` (one Direccionamiento each).

    Preconditions: `actor` holds supply.direct in `entity`, the line's payer; the
    prescription is active; the line is not pending or rejected by the Junta, not covered by
    a procedure, not no-direccionada; the provider is in the network (and territory); the
    deliveries are distinct, each free (no direccionamiento or entrega in force), with a
    positive quantity and a FecMaxEnt from today; with what is already assigned they do not
    exceed the prescribed total. All or nothing: one transaction with the prescription, the
    line and each deliverable locked; one audit entry per direccionamiento.
    """
    require_perm(actor, entity, c.DIRECT)
    technology_code = (technology_code or "").strip()
    patient_address = (patient_address or "").strip()
    requested = _check_plan(deliveries)
    if not technology_code:
        raise DomainError(ERRORS["technology_code"], field="technology_code", code="code")
    if not patient_address:
        raise DomainError(ERRORS["address"], field="patient_address", code="address")

    def write():
        prescription, locked = c.lock_line(line)
        c.check_payer(prescription, entity)
        c.check_prescription_active(prescription)
        c.check_junta(locked)
        c.check_not_covered(locked)
        _check_not_no_direccionada(locked)
        check_provider_in_network(prescription, provider)
        c.check_quantity(locked, requested)
        created = []
        for plan in sorted(deliveries, key=lambda p: (p.delivery_number, p.sub_number)):
            deliverable = check_delivery_free(locked, plan)
            direccionamiento = Direccionamiento.objects.create(
                deliverable=deliverable,
                entity=entity,
                created_by=actor,
                channel=channel,
                payer_code_id=prescription.payer_code_id,
                provider=provider,
                municipality=municipality,
                max_delivery_date=plan.max_delivery_date,
                quantity=plan.quantity,
                patient_address=patient_address,
                technology_code=technology_code,
            )
            c.record(
                direccionamiento,
                actor=actor,
                action="supply.direccionamiento.created",
                entity=entity,
                data={
                    "provider": provider.nit,
                    "quantity": str(plan.quantity),
                    "max_delivery_date": plan.max_delivery_date.isoformat(),
                },
            )
            created.append(direccionamiento)
            notifications.direccionamiento_changed(direccionamiento)
        return created

    return c.run_atomic(write, what=_("un direccionamiento"))


def _check_not_no_direccionada(line: TechnologyLine) -> None:
    existing = line.no_direccionamientos.filter(status__in=IN_FORCE).select_related("cause").first()
    if existing is not None:
        raise DomainError(
            c.ERRORS["no_direccionada"] % {"line": line.key, "cause": existing.cause.code},
            code="no_direccionada",
        )


def no_direccionamiento_create(
    *,
    actor,
    entity: Entity,
    line: TechnologyLine,
    cause: NonDeliveryCause | None,
    associated_number: str = "",
    associated_order: int | None = None,
    channel: str = Channel.WEB,
) -> NoDireccionamiento:
    """The payer will not direct what is left of `line`, for a cause valid for
    no-direccionamiento and for the line's type (causes 1 and 15 name the associated
    prescription and line of the same patient). Refused while one is in force, or when
    the whole line is already assigned. Later direccionamientos of the line are refused
    until it is annulled."""
    require_perm(actor, entity, c.NO_DIRECT)

    def write():
        prescription, locked = c.lock_line(line)
        c.check_payer(prescription, entity)
        c.check_prescription_active(prescription)
        c.check_cause(cause, locked.technology_type, use="no_direccionamiento")
        c.check_associated(
            cause, prescription, locked.technology_type, associated_number, associated_order
        )
        _check_not_no_direccionada(locked)
        if c.assigned_quantity(locked) >= locked.total_quantity:
            raise DomainError(
                ERRORS["fully_assigned"] % {"line": locked.key}, code="fully_assigned"
            )
        record = NoDireccionamiento.objects.create(
            line=locked,
            prescription=prescription,
            entity=entity,
            created_by=actor,
            channel=channel,
            payer_code_id=prescription.payer_code_id,
            cause=cause,
            associated_number=(associated_number or "").strip()
            if cause.needs_associated_prescription
            else "",
            associated_order=associated_order if cause.needs_associated_prescription else None,
        )
        c.record(
            record,
            actor=actor,
            action="supply.no_direccionamiento.created",
            entity=entity,
            data={"number": prescription.number, "line": locked.key, "cause": cause.code},
        )
        return record

    return c.run_atomic(write, what=_("un no direccionamiento"))


def procedure_supply_create(
    *, actor, entity: Entity, line: TechnologyLine, procedure_line: TechnologyLine
) -> ProcedureSupply:
    """Mark a device line as delivered with a procedure of the same prescription (seed
    004): it leaves the direccionamiento worklist; only the procedure is directed and
    reported. Refused when the device line already has direccionamientos or entregas."""
    require_perm(actor, entity, c.DIRECT)

    def write():
        prescription, locked = c.lock_line(line)
        c.check_payer(prescription, entity)
        c.check_prescription_active(prescription)
        if locked.technology_type != TechnologyType.DISPOSITIVO:
            raise DomainError(
                ERRORS["not_device"]
                % {
                    "line": locked.key,
                    "type": TechnologyType(locked.technology_type).label.lower(),
                },
                code="not_device",
            )
        if (
            procedure_line.prescription_id != prescription.pk
            or procedure_line.technology_type != TechnologyType.PROCEDIMIENTO
        ):
            raise DomainError(ERRORS["not_procedure"], field="procedure_line", code="procedure")
        c.check_not_covered(locked)
        if c.assigned_quantity(locked) > 0:
            raise DomainError(
                ERRORS["already_assigned"] % {"line": locked.key}, code="already_assigned"
            )
        record = ProcedureSupply.objects.create(
            line=locked, procedure_line=procedure_line, entity=entity, created_by=actor
        )
        c.record(
            record,
            actor=actor,
            action="supply.procedure_supply.created",
            entity=entity,
            data={
                "number": prescription.number,
                "line": locked.key,
                "procedure": procedure_line.key,
            },
        )
        return record

    return c.run_atomic(write, what=_("una inclusión en procedimiento"))


def _non_negative(**values: Decimal) -> None:
    for field, value in values.items():
        if value is None or value < 0:
            raise DomainError(ERRORS["not_negative"], field=field, code="negative")


def suministro_create(
    *,
    actor,
    entity: Entity,
    deliverable: Deliverable,
    last_delivery: bool,
    complete: bool,
    quantity: Decimal,
    value: Decimal,
    batch: str = "",
    cause: NonDeliveryCause | None = None,
    associated_number: str = "",
    associated_order: int | None = None,
    channel: str = Channel.WEB,
) -> Suministro:
    """The payer reports the supply of a deliverable that has an entrega in force. An
    incomplete supply needs a cause valid for the line's type. One in force per
    deliverable; the entrega cannot be annulled while it is."""
    require_perm(actor, entity, c.SUMINISTRO)
    _non_negative(quantity=quantity, value=value)

    def write():
        locked = c.lock_deliverable(deliverable.pk)
        c.check_payer(locked.prescription, entity)
        entrega = locked.entregas.filter(status__in=IN_FORCE).first()
        if entrega is None:
            raise DomainError(ERRORS["no_entrega"] % {"id": locked.pk}, code="no_entrega")
        if not complete:
            c.check_cause(cause, locked.line.technology_type, use="any")
            c.check_associated(
                cause,
                locked.prescription,
                locked.line.technology_type,
                associated_number,
                associated_order,
            )
        keeps_associated = not complete and cause.needs_associated_prescription
        record = Suministro.objects.create(
            deliverable=locked,
            entrega=entrega,
            entity=entity,
            created_by=actor,
            channel=channel,
            last_delivery=last_delivery,
            complete=complete,
            cause=None if complete else cause,
            associated_number=(associated_number or "").strip() if keeps_associated else "",
            associated_order=associated_order if keeps_associated else None,
            quantity=quantity,
            batch=(batch or "").strip(),
            value=value,
        )
        c.record(record, actor=actor, action="supply.suministro.created", entity=entity)
        return record

    return c.run_atomic(write, what=_("un reporte de suministro"))


def datos_facturados_create(
    *,
    actor,
    entity: Entity,
    facturacion: Facturacion,
    comparator: int,
    total_delivered: Decimal,
    comparator_code: str = "",
    homologous_code: str = "",
    comparator_units: Decimal = Decimal(0),
    homologous_units: Decimal = Decimal(0),
    min_unit_value: Decimal = Decimal(0),
    comparator_total: Decimal = Decimal(0),
    homologous_total: Decimal = Decimal(0),
    channel: str = Channel.WEB,
) -> DatosFacturados:
    """The payer's datos facturados on an active facturación, which becomes procesado."""
    require_perm(actor, entity, c.DATOS_FACTURADOS)
    comparator_code = (comparator_code or "").strip()
    homologous_code = (homologous_code or "").strip()
    if comparator not in ComparatorKind.values:
        raise DomainError(_("Elija el tipo de comparador."), field="comparator", code="comparator")
    if comparator == ComparatorKind.COMPARADOR and not comparator_code:
        raise DomainError(ERRORS["comparator_code"], field="comparator_code", code="code")
    if comparator == ComparatorKind.HOMOLOGO and not homologous_code:
        raise DomainError(ERRORS["homologous_code"], field="homologous_code", code="code")
    _non_negative(
        total_delivered=total_delivered,
        comparator_units=comparator_units,
        homologous_units=homologous_units,
        min_unit_value=min_unit_value,
        comparator_total=comparator_total,
        homologous_total=homologous_total,
    )

    def write():
        factura = c.lock_step(Facturacion, facturacion.pk)
        locked = factura.deliverable
        c.check_payer(locked.prescription, entity)
        c.take(factura, what=_("La facturación"), next_label=_("datos facturados"))
        record = DatosFacturados.objects.create(
            deliverable=locked,
            facturacion=factura,
            entity=entity,
            created_by=actor,
            channel=channel,
            comparator=comparator,
            comparator_code=comparator_code,
            homologous_code=homologous_code,
            comparator_units=comparator_units,
            homologous_units=homologous_units,
            min_unit_value=min_unit_value,
            total_delivered=total_delivered,
            comparator_total=comparator_total,
            homologous_total=homologous_total,
        )
        c.record(record, actor=actor, action="supply.datos_facturados.created", entity=entity)
        return record

    return c.run_atomic(write, what=_("un registro de datos facturados"))
