"""Entity registration by its legal representative ("aportante persona jurídica", seed 000)
and the later change of delegate. Both are public forms whose identity proof is a signed
link sent to the legal representative's email registered in PASO 1."""

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entities import audit
from entities import services as entity_services
from entities.models import Entity
from entities.permissions import CODE_HOLDER_TYPES, EntityType
from mipres.lib.errors import DomainError
from mipres.lib.mail import absolute_url, send_on_commit

from ..models import User
from ..registries import reps
from .people import find_person

LINK_MAX_AGE = 60 * 60 * 24 * 3  # three days
REGISTRATION_SALT = "accounts.entity_registration"
DELEGATE_SALT = "accounts.delegate_change"

ERRORS = {
    "bad_link": _("El enlace no es válido o ya venció. Repita la solicitud."),
    "reps_unknown": _("El código de habilitación %(code)s no está en REPS."),
    "reps_other_nit": _("En REPS, el código de habilitación %(code)s pertenece a otro NIT."),
    "nit_not_in_reps": _("El NIT no aparece en REPS como prestador habilitado."),
    "codes_required": _("Una EPS o EOC registra al menos un código EPS."),
    "not_legal_representative": _(
        "El documento no corresponde al representante legal registrado de la entidad."
    ),
}


def _person(document_type: str, document_number: str, field: str) -> User:
    try:
        return find_person(document_type, document_number)
    except DomainError as error:
        raise DomainError(error.message, field=field, code=error.code) from None


def _check_reps(entity_type: str, nit: str, reps_code: str) -> None:
    if entity_type != EntityType.IPS:
        return
    if not reps().by_nit(nit):
        raise DomainError(ERRORS["nit_not_in_reps"], field="nit", code="nit_not_in_reps")
    record = reps().by_code(reps_code) if reps_code else None
    if reps_code and record is None:
        raise DomainError(
            ERRORS["reps_unknown"] % {"code": reps_code}, field="reps_code", code="reps_unknown"
        )
    if record is not None and record.nit != nit:
        raise DomainError(
            ERRORS["reps_other_nit"] % {"code": reps_code}, field="reps_code", code="reps_nit"
        )


def entity_registration_submit(
    *,
    legal_document_type: str,
    legal_document_number: str,
    delegate_document_type: str,
    delegate_document_number: str,
    entity_type: str,
    nit: str,
    payer_codes: list[tuple[str, str]] = (),
    **fields,
) -> Entity:
    """Register an entity on behalf of its legal representative and email them the link
    that confirms it. The entity waits, pending, for the confirmation and then for the
    Ministry. The legal representative and the delegate must be registered persons (PASO 1);
    an IPS must be in REPS. Raises DomainError, ValidationError (per-field messages).
    """
    legal = _person(legal_document_type, legal_document_number, "legal_document_number")
    delegate = _person(delegate_document_type, delegate_document_number, "delegate_document_number")
    _check_reps(entity_type, nit, fields.get("reps_code", ""))
    if entity_type in CODE_HOLDER_TYPES and not payer_codes:
        raise DomainError(ERRORS["codes_required"], field="payer_code", code="codes_required")
    with transaction.atomic():
        entity = entity_services.entity_register(
            actor=legal,
            entity_type=entity_type,
            nit=nit,
            payer_codes=payer_codes,
            legal_representative=legal,
            pending_delegate=delegate,
            **fields,
        )
        token = signing.dumps({"entity": entity.pk, "user": legal.pk}, salt=REGISTRATION_SALT)
        send_on_commit(
            to=[legal.email],
            template="accounts/email/entity_registration",
            context={
                "user": legal,
                "entity": entity,
                "delegate": delegate,
                "link": absolute_url(reverse("accounts:entity_confirm", args=[token])),
            },
        )
    return entity


def _load(token: str, salt: str) -> dict:
    try:
        return signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        raise DomainError(ERRORS["bad_link"], code="bad_link") from None


def entity_registration_confirm(*, token: str) -> Entity:
    """The legal representative opened the confirmation link. Raises DomainError."""
    data = _load(token, REGISTRATION_SALT)
    entity = Entity.objects.filter(pk=data["entity"]).first()
    legal = User.objects.filter(pk=data["user"]).first()
    if entity is None or legal is None or entity.legal_representative_id != legal.pk:
        raise DomainError(ERRORS["bad_link"], code="bad_link")
    return entity_services.entity_confirm_registration(actor=legal, entity=entity)


def delegate_change_request(
    *,
    entity_type: str,
    nit: str,
    legal_document_type: str,
    legal_document_number: str,
    delegate_document_type: str,
    delegate_document_number: str,
) -> Entity:
    """The legal representative asks to designate another delegate; the change happens
    when they open the link emailed to them. Raises DomainError."""
    entity = Entity.objects.filter(entity_type=entity_type, nit=nit).first()
    if entity is None:
        raise DomainError(_("No hay una entidad de ese tipo registrada con ese NIT."), field="nit")
    legal = _person(legal_document_type, legal_document_number, "legal_document_number")
    if entity.legal_representative_id != legal.pk:
        raise DomainError(
            ERRORS["not_legal_representative"], field="legal_document_number", code="not_legal"
        )
    delegate = _person(delegate_document_type, delegate_document_number, "delegate_document_number")
    token = signing.dumps(
        {"entity": entity.pk, "user": legal.pk, "delegate": delegate.pk}, salt=DELEGATE_SALT
    )
    with transaction.atomic():
        audit.log(
            actor=legal,
            action="entities.entity.delegate_change_requested",
            entity=entity,
            target=entity,
            data={"delegate": delegate.username},
        )
        send_on_commit(
            to=[legal.email],
            template="accounts/email/delegate_change",
            context={
                "user": legal,
                "entity": entity,
                "delegate": delegate,
                "link": absolute_url(reverse("accounts:delegate_confirm", args=[token])),
            },
        )
    return entity


def delegate_change_confirm(*, token: str) -> Entity:
    """The legal representative opened the link: the new delegate takes the role."""
    data = _load(token, DELEGATE_SALT)
    entity = Entity.objects.filter(pk=data["entity"]).first()
    legal = User.objects.filter(pk=data["user"]).first()
    delegate = User.objects.filter(pk=data["delegate"]).first()
    if None in (entity, legal, delegate) or entity.legal_representative_id != legal.pk:
        raise DomainError(ERRORS["bad_link"], code="bad_link")
    return entity_services.delegate_designate(actor=legal, entity=entity, user=delegate)
