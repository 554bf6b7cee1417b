"""Web-service credentials (research/mipres-ws.md §0.2, DESIGN §5).

A GUID ("token de consulta") belongs to one payer code of an EPS/EOC, to an entidad
territorial, or to an IPS/proveedor; `GenerarToken` exchanges it for a temporal token valid
24 hours. Neither is stored: only their SHA-256, so a database leak reveals no credential.
Rotating a GUID revokes the previous one and every temporal token it issued.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, PayerCode


class Credential(models.Model):
    """The hashed GUID of one subject: (entity, payer code) or (entity, no code)."""

    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="+", verbose_name=_("entidad")
    )
    payer_code = models.ForeignKey(
        PayerCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("código EPS"),
    )
    guid_hash = models.CharField(_("huella del GUID"), max_length=64, unique=True)
    # The GUID's last four characters, so the delegate recognises which one is in force.
    hint = models.CharField(_("terminación"), max_length=4)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creada por"),
    )
    revoked_at = models.DateTimeField(_("revocado"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revocada por"),
    )

    class Meta:
        verbose_name = _("credencial de servicios web")
        verbose_name_plural = _("credenciales de servicios web")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "payer_code"],
                condition=Q(revoked_at__isnull=True, payer_code__isnull=False),
                name="ws_credential_one_per_code",
            ),
            models.UniqueConstraint(
                fields=["entity"],
                condition=Q(revoked_at__isnull=True, payer_code__isnull=True),
                name="ws_credential_one_per_entity",
            ),
        ]

    def __str__(self) -> str:
        subject = self.payer_code.code if self.payer_code_id else self.entity.name
        return f"GUID …{self.hint} ({subject})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TemporalToken(models.Model):
    """A temporal token issued by GenerarToken (hashed), valid until `expires_at`."""

    credential = models.ForeignKey(
        Credential, on_delete=models.PROTECT, related_name="tokens", verbose_name=_("credencial")
    )
    token_hash = models.CharField(_("token (hash)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    expires_at = models.DateTimeField(_("vence"), db_index=True)

    class Meta:
        verbose_name = _("token temporal")
        verbose_name_plural = _("tokens temporales")

    def __str__(self) -> str:
        return f"token {self.pk}"


class IdempotentResponse(models.Model):
    """The first answer to a PUT/POST sent with an `Idempotency-Key` header. A key belongs
    to one credential, method and path (the token masked): the row is inserted before the
    write, in the write's transaction, so a concurrent twin waits on the unique index and
    then replays the answer; the same key with another body is refused."""

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="+", verbose_name=_("credencial")
    )
    method = models.CharField(_("método"), max_length=8)
    path = models.CharField(_("ruta"), max_length=300)
    key = models.CharField(_("clave de idempotencia"), max_length=200)
    # SHA-256 of the request's JSON (keys sorted): a reuse with another body is refused.
    fingerprint = models.CharField(_("huella de la solicitud"), max_length=64)
    operation = models.CharField(_("operación"), max_length=60)
    status = models.PositiveSmallIntegerField(_("código de estado HTTP"))
    # The answer's JSON as text: jsonb would reorder its keys, and a replay is identical.
    body = models.TextField(_("respuesta"))
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("respuesta idempotente")
        verbose_name_plural = _("respuestas idempotentes")
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "method", "path", "key"], name="ws_idempotency_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
