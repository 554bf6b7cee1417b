"""The patient's access codes, failed attempts and renewal requests (issue 15).

A code is stored only as a keyed hash (HMAC with the SECRET_KEY), is single-use and
expires; failures are rows, so a lock holds across processes and restarts. A renewal
request is unique per line while it waits for the IPS (a partial unique index), so a
double click or two tabs never make two.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity
from prescriptions.models import Patient, Prescription, TechnologyLine


class AccessCode(models.Model):
    """A one-time 6-digit code sent to the patient's contact."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="+", verbose_name=_("paciente")
    )
    code_hash = models.CharField(_("código (hash)"), max_length=64)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    expires_at = models.DateTimeField(_("vence"))
    used_at = models.DateTimeField(_("usado"), null=True, blank=True)

    class Meta:
        verbose_name = _("código de acceso del paciente")
        verbose_name_plural = _("códigos de acceso del paciente")
        indexes = [models.Index(fields=["patient", "-created_at"], name="access_code_recent")]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.created_at:%Y-%m-%d %H:%M}"


class AccessFailure(models.Model):
    """A wrong code typed for a document from an address. The document is kept as a keyed
    hash: a typo or a stranger's number is not stored in the clear."""

    document_hash = models.CharField(_("documento (hash)"), max_length=64)
    address = models.GenericIPAddressField(_("dirección IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("intento fallido del paciente")
        verbose_name_plural = _("intentos fallidos del paciente")
        indexes = [
            models.Index(fields=["document_hash", "created_at"], name="access_fail_document"),
            models.Index(fields=["address", "created_at"], name="access_fail_address"),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.created_at:%Y-%m-%d %H:%M}"


class RenewalStatus(models.IntegerChoices):
    PENDIENTE = 1, _("Pendiente")
    ACEPTADA = 2, _("Aceptada")
    RECHAZADA = 3, _("Rechazada")


class RenewalRequest(models.Model):
    """A patient asks the prescribing IPS to renew one line of a sucesiva prescription."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="+", verbose_name=_("paciente")
    )
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="+", verbose_name=_("prescripción")
    )
    line = models.ForeignKey(
        TechnologyLine,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tecnología prescrita"),
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="+", verbose_name=_("IPS")
    )
    status = models.PositiveSmallIntegerField(
        _("estado"), choices=RenewalStatus, default=RenewalStatus.PENDIENTE
    )
    created_at = models.DateTimeField(_("solicitada"), default=timezone.now)
    decided_at = models.DateTimeField(_("respondida"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decidida por"),
    )
    reason = models.TextField(_("motivo"), blank=True)

    class Meta:
        verbose_name = _("solicitud de renovación")
        verbose_name_plural = _("solicitudes de renovación")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(status=1),
                name="renewal_one_pending_per_line",
                violation_error_message=_("Ya hay una solicitud de renovación pendiente."),
            ),
            models.CheckConstraint(condition=Q(status__in=[1, 2, 3]), name="renewal_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=3) | ~Q(reason=""), name="renewal_declined_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "status", "created_at"], name="renewal_worklist"),
        ]

    def __str__(self) -> str:
        return f"{self.prescription_id} {self.line_id} {self.get_status_display()}"


class NotificationStatus(models.TextChoices):
    SENT = "sent", _("Enviada")
    NO_CONTACT = "no_contact", _("No enviada: sin contacto")
    OPTED_OUT = "opted_out", _("No enviada: no desea avisos opcionales")


class Notification(models.Model):
    """One message for one event to one recipient ("patient:12", "user:7"). The unique
    (event, recipient) pair is the claim: a second run of the same task sends nothing."""

    event = models.CharField(_("evento"), max_length=100)
    recipient = models.CharField(_("destinatario"), max_length=40)
    essential = models.BooleanField(_("esencial"), default=True)
    channel = models.CharField(_("canal"), max_length=10, blank=True)
    status = models.CharField(_("estado"), max_length=12, choices=NotificationStatus)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("aviso")
        verbose_name_plural = _("avisos")
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_once")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient}"


class NotificationOptOut(models.Model):
    """A patient or user who wants only the essential messages."""

    recipient = models.CharField(_("destinatario"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("renuncia a avisos opcionales")
        verbose_name_plural = _("renuncias a avisos opcionales")

    def __str__(self) -> str:
        return self.recipient
