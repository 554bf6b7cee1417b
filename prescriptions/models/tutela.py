"""Tutelas: court orders an EPS/EOC registers so the technologies they order can be supplied
(research/mipres-domain.md §2.2; research/mipres-ws.md §3, the Tutelas web service).

A tutela has a header of its own (the ruling and its instances, no ámbito, no Junta) and
the same five technology blocks as a prescription. Its lines are `TechnologyLine` rows
pointing at the tutela instead of a prescription, so the supply chain (direccionamiento,
entrega…) points at one line table whatever ordered the technology.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, PayerCode

from .catalogs import Diagnosis, OrphanDisease
from .patients import Patient


class TutelaStatus(models.IntegerChoices):
    """`EstTut`. The web service's examples carry EstTut 4 on live tutelas; we take the same
    two values as EstPres (4 activa, 2 anulada) until a code table says more."""

    ACTIVA = 4, _("Activa")
    ANULADA = 2, _("Anulada")


class Tutela(models.Model):
    """A tutela (NoTutela) with the court decision's fields, MIPRES's names noted."""

    Status = TutelaStatus
    TRANSITIONS = {Status.ACTIVA: {Status.ANULADA}, Status.ANULADA: set()}

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    # Same 20-digit numbering (and counter) as prescriptions: the supply chain identifies
    # either by this number, so the two must never collide.
    number = models.CharField(_("número de tutela"), max_length=20, unique=True)  # NoTutela
    registered_at = models.DateTimeField(
        _("fecha y hora de registro"), default=timezone.now, db_index=True
    )  # FTutela + HTutela
    status = models.PositiveSmallIntegerField(
        _("estado"), choices=Status, default=Status.ACTIVA
    )  # EstTut
    # The EPS/EOC that registers the tutela; it is the patient's payer (CodEPS, NroIDEPS).
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="tutelas", verbose_name=_("EPS")
    )
    payer_code = models.ForeignKey(
        PayerCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tutelas",
        verbose_name=_("código EPS"),
    )  # CodEPS
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrada por"),
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="tutelas", verbose_name=_("paciente")
    )
    # The professional behind the medical justification, as RETHUS names them (optional:
    # the judge orders; TipoIDProf, NumIDProf, PN/SN/PA/SAProfS, RegProfS).
    professional_document_type = models.CharField(
        _("tipo de documento del profesional"), max_length=2, blank=True
    )
    professional_document_number = models.CharField(
        _("número de documento del profesional"), max_length=17, blank=True
    )
    professional_name = models.CharField(_("profesional"), max_length=250, blank=True)
    professional_registration = models.CharField(
        _("registro profesional"), max_length=30, blank=True
    )
    # The court decision.
    ruling_number = models.CharField(_("número del fallo"), max_length=30)  # NroFallo
    ruling_date = models.DateField(_("fecha del fallo"))  # FFalloTutela
    first_instance_date = models.DateField(
        _("fecha de primera instancia"), null=True, blank=True
    )  # F1Instan
    second_instance_date = models.DateField(
        _("fecha de segunda instancia"), null=True, blank=True
    )  # F2Instan
    court_date = models.DateField(
        _("fecha de la Corte Constitucional"), null=True, blank=True
    )  # FCorte
    contempt_date = models.DateField(_("fecha de desacato"), null=True, blank=True)  # FDesacato
    ruling_clarification = models.TextField(_("aclaración del fallo"), blank=True)  # AclFalloTut
    medical_justification = models.TextField(_("justificación médica"))  # JustifMed
    diagnosis = models.ForeignKey(
        Diagnosis,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diagnóstico principal"),
    )  # CodDxPpal
    related_diagnosis_1 = models.ForeignKey(
        Diagnosis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diagnóstico relacionado 1"),
    )
    related_diagnosis_2 = models.ForeignKey(
        Diagnosis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diagnóstico relacionado 2"),
    )
    orphan_disease = models.ForeignKey(
        OrphanDisease,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enfermedad huérfana"),
    )  # EnfHuerfana / CodEnfHuerfana
    annulled_at = models.DateTimeField(_("anulada"), null=True, blank=True)
    annulment_reason = models.TextField(_("motivo de anulación"), blank=True)

    class Meta:
        verbose_name = _("tutela")
        verbose_name_plural = _("tutelas")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TutelaStatus.values), name="tutela_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^\d{20}$"), name="tutela_number_20_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "-registered_at"]),
            models.Index(fields=["patient", "-registered_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    def can_transition(self, to: int) -> bool:
        return to in self.TRANSITIONS[self.Status(self.status)]


class TutelaAdditionalRuling(models.Model):
    """A later ruling on the same tutela (an impugnación, a desacato's incidente…): the
    web service's `fallosAdicionales`, `{FFalloAdic, NroFalloAdic}` each."""

    tutela = models.ForeignKey(
        Tutela,
        on_delete=models.CASCADE,
        related_name="additional_rulings",
        verbose_name=_("tutela"),
    )
    ruling_date = models.DateField(_("fecha del fallo adicional"))  # FFalloAdic
    ruling_number = models.CharField(_("número del fallo adicional"), max_length=30)  # NroFalloAdic

    class Meta:
        verbose_name = _("fallo adicional")
        verbose_name_plural = _("fallos adicionales")
        ordering = ["ruling_date", "id"]

    def __str__(self) -> str:
        return f"{self.ruling_number} ({self.ruling_date})"
