"""Web-service credentials: rotating a subject's GUID, exchanging it for a temporal token,
and resolving a token to its caller. Every write is audited (STYLE R4, R9)."""

import base64
import datetime
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities import audit
from entities.models import Entity, PayerCode
from entities.permissions import CODE_HOLDER_TYPES, EntityType
from entities.services.common import require_perm
from mipres.lib.errors import DomainError

from . import token_cache
from .models import Credential, IdempotentResponse, TemporalToken

MANAGE = "entities.manage_ws_credentials"
TOKEN_LIFETIME = datetime.timedelta(hours=24)

ERRORS = {
    "code_required": _("Una EPS o EOC tiene un GUID por código EPS: elija el código."),
    "code_other": _("El código EPS no pertenece a su entidad."),
    "code_inactive": _("El código EPS %(code)s está inactivo."),
    "no_code": _("Solo una EPS o EOC tiene GUID por código EPS."),
    "not_verified": _("La entidad aún no está verificada por el Ministerio."),
    "concurrent": _("Otro usuario acaba de generar el GUID: recargue la página."),
}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _guid_hash(guid: str) -> str:
    # GUIDs are compared case-insensitively (clients upper- or lower-case them).
    return digest(guid.strip().lower())


@dataclass(frozen=True)
class Caller:
    """Who a token or GUID speaks for: an entity, and for an EPS/EOC one of its codes."""

    credential_id: int
    entity: Entity
    payer_code: PayerCode | None

    @property
    def is_payer(self) -> bool:
        return self.entity.entity_type in (EntityType.EPS, EntityType.EOC, EntityType.ET)


def credential_subjects(entity: Entity) -> list[PayerCode | None]:
    """The subjects that hold a GUID in `entity`: each active code of an EPS/EOC, or the
    entity itself (entidad territorial, IPS, proveedor)."""
    if entity.entity_type in CODE_HOLDER_TYPES:
        return list(entity.payer_codes.filter(active=True).order_by("code"))
    return [None]


def credential_rotate(
    *, actor, entity: Entity, payer_code: PayerCode | None = None
) -> tuple[Credential, str]:
    """Create the GUID of (`entity`, `payer_code`), revoking the one in force (and so every
    temporal token it issued). Returns the credential and the GUID, which is shown once
    and never stored.

    Preconditions: `actor` holds entities.manage_ws_credentials in `entity`; the entity is
    verified; an EPS/EOC names one of its active codes, other types name none. Audited as
    `webservices.credential.rotated`. Raises PermissionDenied or DomainError.
    """
    require_perm(actor, entity, MANAGE)
    if entity.status != Entity.Status.VERIFIED:
        raise DomainError(ERRORS["not_verified"], code="not_verified")
    if entity.entity_type in CODE_HOLDER_TYPES:
        if payer_code is None:
            raise DomainError(ERRORS["code_required"], field="payer_code", code="code_required")
        if payer_code.entity_id != entity.pk:
            raise DomainError(ERRORS["code_other"], field="payer_code", code="code_other")
        if not payer_code.active:
            raise DomainError(
                ERRORS["code_inactive"] % {"code": payer_code.code},
                field="payer_code",
                code="code_inactive",
            )
    elif payer_code is not None:
        raise DomainError(ERRORS["no_code"], field="payer_code", code="no_code")
    guid = str(uuid.uuid4()).upper()
    now = timezone.now()
    try:
        with transaction.atomic():
            current = (
                Credential.objects.select_for_update()
                .filter(entity=entity, payer_code=payer_code, revoked_at__isnull=True)
                .first()
            )
            if current is not None:
                current.revoked_at = now
                current.revoked_by = actor
                current.save(update_fields=["revoked_at", "revoked_by"])
            credential = Credential.objects.create(
                entity=entity,
                payer_code=payer_code,
                guid_hash=_guid_hash(guid),
                hint=guid[-4:],
                created_at=now,
                created_by=actor,
            )
            audit.log(
                actor=actor,
                action="webservices.credential.rotated",
                entity=entity,
                target=credential,
                data={
                    "payer_code": payer_code.code if payer_code else None,
                    "revoked": current.pk if current else None,
                },
            )
    except IntegrityError:  # a concurrent rotation won the partial unique index
        raise DomainError(ERRORS["concurrent"], code="concurrent") from None
    return credential, guid


def credential_install(*, entity: Entity, payer_code: PayerCode | None, guid: str) -> Credential:
    """Install a known GUID for a subject (the demo world's deterministic GUIDs); the system
    acts, so no permission check. Idempotent: an identical GUID in force is kept."""
    guid_hash = _guid_hash(guid)
    with transaction.atomic():
        current = (
            Credential.objects.select_for_update()
            .filter(entity=entity, payer_code=payer_code, revoked_at__isnull=True)
            .first()
        )
        if current is not None and current.guid_hash == guid_hash:
            return current
        if current is not None:
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at"])
        credential = Credential.objects.create(
            entity=entity, payer_code=payer_code, guid_hash=guid_hash, hint=guid.strip()[-4:]
        )
        audit.log(
            actor=None,
            action="webservices.credential.rotated",
            entity=entity,
            target=credential,
            data={"payer_code": payer_code.code if payer_code else None, "installed": True},
        )
    return credential


def normalise_nit(nit: str) -> str:
    """The NIT as MIPRES sends it: digits without check digit (a "-DV" suffix is dropped)."""
    nit = (nit or "").strip()
    if "-" in nit:
        nit = nit.split("-", 1)[0].strip()
    return nit


def guid_resolve(nit: str, guid: str) -> Caller | None:
    """The caller a GUID in force belongs to, when `nit` is its entity's; else None."""
    guid = (guid or "").strip()
    if not guid:
        return None
    credential = (
        Credential.objects.select_related("entity", "payer_code")
        .filter(guid_hash=_guid_hash(guid), revoked_at__isnull=True)
        .first()
    )
    if credential is None or credential.entity.nit != normalise_nit(nit):
        return None
    if credential.entity.status != Entity.Status.VERIFIED:
        return None
    if credential.payer_code_id and not credential.payer_code.active:
        return None
    return Caller(credential.pk, credential.entity, credential.payer_code)


def token_generate(nit: str, guid: str) -> str | None:
    """`GenerarToken`: a new temporal token for the GUID of `nit`, valid 24 hours (None
    when the pair is not valid). Tokens look like MIPRES's: URL-safe base64 ending in
    "="; only their hash is stored."""
    caller = guid_resolve(nit, guid)
    if caller is None:
        return None
    return token_issue(caller)


def token_issue(caller: Caller) -> str:
    """A new temporal token for `caller`'s credential, valid 24 hours."""
    token = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    now = timezone.now()
    TemporalToken.objects.create(
        credential_id=caller.credential_id,
        token_hash=digest(token),
        created_at=now,
        expires_at=now + TOKEN_LIFETIME,
    )
    return token


def token_resolve(token: str, nit: str | None = None) -> Caller | None:
    """The caller of a temporal token still valid whose GUID is in force (and, when `nit`
    is given, whose entity has that NIT); None otherwise. A token's caller is read once and
    then kept in the cache until something would refuse it (`webservices.token_cache`)."""
    token = (token or "").strip()
    if not token:
        return None
    token_hash = digest(token)
    caller = token_cache.cached_caller(token_hash) or _token_caller(token_hash)
    if caller is None or (nit is not None and caller.entity.nit != normalise_nit(nit)):
        return None
    return caller


def _token_caller(token_hash: str) -> Caller | None:
    """The caller of the token with that hash, from the database, cached when valid."""
    row = (
        TemporalToken.objects.select_related(
            "credential", "credential__entity", "credential__payer_code"
        )
        .filter(
            token_hash=token_hash,
            expires_at__gt=timezone.now(),
            credential__revoked_at__isnull=True,
        )
        .first()
    )
    if row is None:
        return None
    credential = row.credential
    if credential.entity.status != Entity.Status.VERIFIED:
        return None
    if credential.payer_code_id and not credential.payer_code.active:
        return None
    caller = Caller(credential.pk, credential.entity, credential.payer_code)
    token_cache.remember_caller(token_hash, caller, row.expires_at)
    return caller


def idempotent_run(caller: Caller, scope: dict, fingerprint: str, operation: str, run):
    """Run `run()` (which returns (status, body)) once for an Idempotency-Key `scope`
    (method, path, key) of `caller`'s credential. The key's row is inserted first, in the
    same transaction as the write: a concurrent request with the same key blocks on the
    unique index until this one commits, then finds the stored answer. Returns (status,
    body, replayed); a stored answer for another body is (None, stored operation, True).
    An exception from `run` rolls the claim back with the write."""
    claim = {"credential_id": caller.credential_id, **scope}
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentResponse.objects.create(
                    **claim, fingerprint=fingerprint, operation=operation, status=0, body=""
                )
        except IntegrityError:
            record = None
        if record is not None:
            status, body = run()
            record.status, record.body = status, json.dumps(body)
            record.save(update_fields=["status", "body"])
            return status, body, False
    stored = IdempotentResponse.objects.get(**claim)
    if stored.fingerprint != fingerprint:
        return None, stored.operation, True
    return stored.status, json.loads(stored.body), True
