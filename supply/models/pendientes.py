"""The pendiente of Circular 044 de 2025: a dispensador without stock registers what it owes
and promises to deliver it within 48 hours, at its sede or at the patient's address.

It is a record of its own beside the chain (never a change to an existing field): it points
at the programación it could not deliver, stays *abierto* until the entrega of that
programación closes it, and at most one is open per programación (a partial unique index).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, Sede

from .chain import QUANTITY, Deliverable, Entrega, Programacion


class PendienteStatus(models.IntegerChoices):
    ABIERTO = 1, _("Abierto")
    CERRADO = 2, _("Cerrado")


class Pendiente(models.Model):
    """What a dispensador owes on a programación, until when and where."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, related_name="+", verbose_name=_("entregable (ID)")
    )
    programacion = models.ForeignKey(
        Programacion,
        on_delete=models.PROTECT,
        related_name="pendientes",
        verbose_name=_("programación"),
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="+", verbose_name=_("proveedor")
    )
    quantity = models.DecimalField(_("cantidad pendiente"), **QUANTITY)
    promised_at = models.DateTimeField(_("entrega prometida"))
    # Where: the sede, or the patient's address (home delivery) when `address` is set.
    sede = models.ForeignKey(
        Sede,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sede"),
    )
    address = models.CharField(_("dirección del paciente"), max_length=200, blank=True)
    status = models.PositiveSmallIntegerField(
        _("estado"), choices=PendienteStatus, default=PendienteStatus.ABIERTO
    )
    created_at = models.DateTimeField(_("registrado"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creado por"),
    )
    closed_at = models.DateTimeField(_("cerrado"), null=True, blank=True)
    entrega = models.ForeignKey(
        Entrega,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entrega"),
    )

    class Meta:
        verbose_name = _("pendiente")
        verbose_name_plural = _("pendientes")
        ordering = ["promised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programacion"],
                condition=Q(status=1),
                name="pendiente_one_open",
                violation_error_message=_("Ya hay un pendiente abierto para esta programación."),
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pendiente_qty"),
            models.CheckConstraint(condition=Q(status__in=[1, 2]), name="pendiente_status_valid"),
            # Exactly one place: the sede or the patient's address.
            models.CheckConstraint(
                condition=Q(sede__isnull=False, address="") | Q(sede__isnull=True) & ~Q(address=""),
                name="pendiente_one_place",
            ),
            models.CheckConstraint(
                condition=Q(status=1) | Q(closed_at__isnull=False), name="pendiente_closed_date"
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "status", "promised_at"], name="pendiente_worklist"),
        ]

    def __str__(self) -> str:
        return f"Pendiente {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == PendienteStatus.ABIERTO
