"""Turning body references (NoPrescripcion/TipoTec/ConTec, `ID`, codes) into rows the
caller may act on: an unknown or foreign reference is a 404, a wrong code a 422."""

from django.utils.translation import gettext as _

from entities.models import Entity, Municipality, Sede
from prescriptions.models import NonDeliveryCause, TechnologyLine
from supply.models import IN_FORCE, Deliverable

from .. import selectors
from ..errors import not_found, refusal
from ..services import Caller, normalise_nit

ANNUL_REASON = "Anulado por servicio web"


def line_get(caller: Caller, body: dict) -> TechnologyLine:
    number = body["NoPrescripcion"]
    prescription = (
        selectors.prescriptions_visible(caller)
        .select_related("patient")
        .filter(number=number)
        .first()
    )
    if prescription is None:
        raise not_found(_("No existe la prescripción %(n)s para este token.") % {"n": number})
    check_patient(prescription.patient, body)
    technology_type = (body.get("TipoTec") or "").upper()
    line = prescription.lines.filter(technology_type=technology_type, order=body["ConTec"]).first()
    if line is None:
        raise not_found(
            _("La prescripción %(n)s no tiene la tecnología %(t)s%(o)s.")
            % {"n": number, "t": technology_type, "o": body["ConTec"]}
        )
    line.prescription = prescription
    return line


def check_patient(patient, body: dict) -> None:
    """When the body names the patient, it is the prescription's (stricter than MIPRES
    where it matters: a client mixing two patients' rows is refused)."""
    document_type = (body.get("TipoIDPaciente") or "").strip().upper()
    document_number = (body.get("NoIDPaciente") or "").strip()
    if (document_type and document_type != patient.document_type) or (
        document_number and document_number != patient.document_number
    ):
        raise refusal(
            _("El paciente %(t)s %(n)s no es el de la prescripción.")
            % {"t": document_type, "n": document_number},
            code="patient_mismatch",
        )


def deliverable_by_key(line: TechnologyLine, body: dict) -> Deliverable:
    deliverable = Deliverable.objects.filter(
        line=line, delivery_number=body["NoEntrega"], sub_number=body.get("NoSubEntrega") or 0
    ).first()
    if deliverable is None:
        raise not_found(
            _("No existe la entrega %(e)s de %(t)s%(o)s.")
            % {"e": body["NoEntrega"], "t": line.technology_type, "o": line.order}
        )
    return deliverable


def deliverable_for_provider(caller: Caller, body: dict) -> Deliverable:
    """The deliverable named by NoPrescripcion/TipoTec/ConTec/NoEntrega/NoSubEntrega, when
    it is directed to the caller or delivered by it (404 otherwise)."""
    found = (
        Deliverable.objects.filter(
            prescription__number=body["NoPrescripcion"],
            line__technology_type=(body.get("TipoTec") or "").upper(),
            line__order=body["ConTec"],
            delivery_number=body["NoEntrega"],
            sub_number=body.get("NoSubEntrega") or 0,
        )
        .values_list("pk", flat=True)
        .first()
    )
    deliverable = selectors.deliverable_visible(caller, found) if found else None
    if deliverable is None:
        raise not_found(
            _("No existe la entrega %(e)s de %(n)s %(t)s%(o)s para este token.")
            % {
                "n": body["NoPrescripcion"],
                "t": body.get("TipoTec"),
                "o": body["ConTec"],
                "e": body["NoEntrega"],
            }
        )
    check_patient(deliverable.prescription.patient, body)
    return deliverable


def step_get(model, caller: Caller, deliverable_id: int, **filters):
    """The in-force `model` step of deliverable `ID` that the caller recorded (or, with
    filters, the ones given), newest first. When there is none: a 422 (the chain is not
    ready for this step) if the caller sees the deliverable, else a 404."""
    step = (
        model.objects.filter(deliverable_id=deliverable_id, status__in=IN_FORCE, **filters)
        .order_by("-id")
        .first()
    )
    if step is None and selectors.deliverable_visible(caller, deliverable_id) is not None:
        raise refusal(
            _(
                "El ID %(id)s aún no tiene %(what)s activo de su entidad: registre primero "
                "ese paso de la cadena."
            )
            % {"what": model._meta.verbose_name, "id": deliverable_id},
            code="chain_not_ready",
        )
    if step is None:
        raise not_found(
            _("No existe %(what)s activo para el ID %(id)s con este token.")
            % {"what": model._meta.verbose_name, "id": deliverable_id}
        )
    return step


def deliverable_for_payer(caller: Caller, deliverable_id: int) -> Deliverable:
    deliverable = selectors.deliverable_visible(caller, deliverable_id)
    if deliverable is None:
        raise not_found(_("No existe el ID %(id)s para este token.") % {"id": deliverable_id})
    return deliverable


def cause_get(code: int | None) -> NonDeliveryCause | None:
    if not code:
        return None
    cause = NonDeliveryCause.objects.filter(code=str(code)).first()
    if cause is None:
        raise refusal(
            _("La causa de no entrega %(c)s no existe.") % {"c": code}, code="cause_unknown"
        )
    return cause


def provider_get(nit: str) -> Entity:
    provider = Entity.objects.filter(nit=normalise_nit(nit)).first()
    if provider is None:
        raise refusal(
            _("No existe un proveedor con NIT %(nit)s.") % {"nit": nit}, code="provider_unknown"
        )
    return provider


def municipality_get(code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=(code or "").strip().zfill(5)).first()
    if municipality is None:
        raise refusal(
            _("El municipio %(code)s no existe en DIVIPOLA.") % {"code": code},
            code="municipality_unknown",
        )
    return municipality


def sede_get(caller: Caller, body: dict) -> Sede:
    nit = normalise_nit(body.get("NoIDSedeProv") or "")
    if nit and nit != caller.entity.nit:
        raise refusal(
            _("La sede %(nit)s no es de su entidad (NIT %(own)s).")
            % {"nit": nit, "own": caller.entity.nit},
            code="sede_other",
        )
    code = (body.get("CodSedeProv") or "").strip()
    sedes = Sede.objects.filter(entity=caller.entity)
    sede = sedes.filter(code=code).first()
    if sede is None:
        # Clients pad or prefix the code ("PROV000001"): compare its digits by value.
        digits = "".join(ch for ch in code if ch.isdigit()).lstrip("0")
        sede = next((s for s in sedes if s.code.lstrip("0") == digits and digits), None)
    if sede is None:
        raise refusal(
            _("Su entidad no tiene la sede %(code)s.") % {"code": code}, code="sede_unknown"
        )
    return sede


def own_record(model, caller: Caller, pk: int, **filters):
    """A record the caller recorded (for a payer code: under that code), or 404."""
    queryset = model.objects.filter(pk=pk, entity=caller.entity, **filters)
    if caller.is_payer:
        if hasattr(model, "payer_code"):
            queryset = queryset.filter(payer_code=caller.payer_code)
        else:
            queryset = queryset.filter(deliverable__prescription__payer_code=caller.payer_code)
    record = queryset.first()
    if record is None:
        raise not_found(
            _("No existe %(what)s %(id)s de su entidad.")
            % {"what": model._meta.verbose_name, "id": pk}
        )
    return record
