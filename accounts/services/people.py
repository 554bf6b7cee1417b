"""People: PASO 1 (registration as persona natural) and PASO 2 (credentials by emailed
link), as seeds 000–002 describe them."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from entities import audit
from entities.models import Entity, Membership
from entities.permissions import Role
from mipres.lib.errors import DomainError
from mipres.lib.mail import absolute_url, send_on_commit
from mipres.lib.nit import normalize_nit

from ..models import User
from ..registries import rethus
from ..registries.names import check_name

PERSON_FIELDS = (
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
    "birth_date",
    "email",
    "phone",
)

ERRORS = {
    "no_person": _(
        "No hay ninguna persona registrada con este tipo y número de documento. Primero "
        "regístrese como persona natural (PASO 1)."
    ),
    "inactive_person": _(
        "La persona está inactiva en el sistema. Comuníquese con la mesa de ayuda."
    ),
    "not_in_rethus": _(
        "Este documento no aparece en RETHUS como profesional de la salud. Verifique su "
        "información en «Consultar RETHUS» o use la opción «Otro usuario»."
    ),
    "inactive_in_rethus": _(
        "Su registro en RETHUS está inactivo. Solicite su actualización ante la entidad que "
        "lo inscribió (colegio profesional o secretaría de salud)."
    ),
    "no_entity": _("No hay una entidad de ese tipo registrada con ese NIT."),
    "entity_not_verified": _(
        "La entidad aún no ha sido verificada por el Ministerio. Cuando lo sea, el delegado "
        "recibirá un correo."
    ),
    "not_the_delegate": _("El documento no corresponde al delegado designado por esa entidad."),
    "rethus_name": _(
        "Los nombres y apellidos no coinciden con los que RETHUS tiene para este documento. "
        "Si el documento es suyo, comuníquese con la mesa de ayuda."
    ),
}


class CredentialKind:
    PROFESSIONAL = "profesional"
    DELEGATE = "delegado"
    OTHER = "otro"
    CHOICES = [
        (PROFESSIONAL, _("Profesional de la salud")),
        (DELEGATE, _("Delegado administrativo")),
        (OTHER, _("Otro usuario")),
    ]


@transaction.atomic
def person_register(
    *,
    actor,
    document_type: str,
    document_number: str,
    password: str | None = None,
    password_hash: str | None = None,
    **fields,
) -> User:
    """Register a person (PASO 1). Without `password` the person has no usable password
    until they set one through an emailed link (PASO 2). `password_hash` takes an already
    hashed password instead (bulk loads: hashing is deliberately slow).

    Raises ValidationError (duplicate document, bad fields) with per-field messages.
    """
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    user = User(document_type=document_type, document_number=document_number.strip(), **fields)
    user.full_clean(exclude=["password", "username"])
    # Where the document is in RETHUS, the name must be the one RETHUS has: otherwise the
    # account could become a Prescriptor under someone else's registration.
    records = rethus().records_for(user.document_type, user.document_number)
    if not check_name(user, records).matches:
        raise ValidationError({"first_name": ERRORS["rethus_name"]}, code="rethus_name")
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    audit.log(
        actor=actor,
        action="accounts.user.registered",
        target=user,
        data={"username": user.username, "with_password": user.has_usable_password()},
    )
    return user


def find_person(document_type: str, document_number: str) -> User:
    """The person registered in PASO 1 with this document. Raises DomainError."""
    number = document_number.strip().upper()
    user = User.objects.filter(document_type=document_type, document_number=number).first()
    if user is None:
        raise DomainError(ERRORS["no_person"], field="document_number", code="no_person")
    if not user.is_active:
        raise DomainError(ERRORS["inactive_person"], field="document_number", code="inactive")
    return user


def _check_professional(user: User) -> None:
    records = rethus().records_for(user.document_type, user.document_number)
    if not records:
        raise DomainError(ERRORS["not_in_rethus"], field="document_number", code="not_in_rethus")
    if not any(record.active for record in records):
        raise DomainError(
            ERRORS["inactive_in_rethus"], field="document_number", code="inactive_in_rethus"
        )


def _check_delegate(user: User, entity_type: str, nit: str) -> Entity:
    nit = normalize_nit(nit)
    entity = Entity.objects.filter(entity_type=entity_type, nit=nit).first()
    if entity is None:
        raise DomainError(ERRORS["no_entity"], field="nit", code="no_entity")
    if entity.status != Entity.Status.VERIFIED:
        raise DomainError(ERRORS["entity_not_verified"], field="nit", code="not_verified")
    is_delegate = Membership.objects.active().filter(entity=entity, user=user, role=Role.DELEGADO)
    if not is_delegate.exists():
        raise DomainError(
            ERRORS["not_the_delegate"], field="document_number", code="not_the_delegate"
        )
    return entity


def credentials_link(user: User) -> str:
    """A one-time link to create a password: Django's token changes once the password
    does, and expires after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("accounts:credentials_set", args=[uid, token]))


def credentials_request(
    *, kind: str, document_type: str, document_number: str, entity_type: str = "", nit: str = ""
) -> User:
    """PASO 2: check the request against the option chosen and email a one-time link to
    create the password to the address registered in PASO 1.

    Profesional de la salud: active in RETHUS. Delegado administrativo: the designated
    delegate of a verified entity of that type and NIT. Otro usuario: any registered person.
    Raises DomainError with the field it concerns.
    """
    user = find_person(document_type, document_number)
    records = rethus().records_for(user.document_type, user.document_number)
    if not check_name(user, records).matches:
        raise DomainError(
            ERRORS["rethus_name"], field="document_number", code="rethus_name_mismatch"
        )
    entity = None
    if kind == CredentialKind.PROFESSIONAL:
        _check_professional(user)
    elif kind == CredentialKind.DELEGATE:
        entity = _check_delegate(user, entity_type, nit)
    elif kind != CredentialKind.OTHER:
        raise ValueError(f"Unknown credentials request kind: {kind}")
    with transaction.atomic():
        audit.log(
            actor=user,
            action="accounts.credentials.requested",
            entity=entity,
            target=user,
            data={"kind": kind},
        )
        send_on_commit(
            to=[user.email],
            template="accounts/email/credentials_link",
            context={"user": user, "link": credentials_link(user), "entity": entity},
        )
    return user


@transaction.atomic
def credentials_set(*, user: User, password: str) -> User:
    """Save the password the person chose from their link (the form validated it)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    first_time = not user.has_usable_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.log(
        actor=user,
        action="accounts.credentials.set",
        target=user,
        data={"first_time": first_time},
    )
    return user
