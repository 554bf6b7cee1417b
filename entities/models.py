"""Organisations and who acts for them (DESIGN.md §3 entities)."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.co import nit as stdnum_nit

from .permissions import CODE_HOLDER_TYPES, PAYER_TYPES, EntityType, Role

digits_only = RegexValidator(r"^\d+$", _("Escriba solo dígitos, sin puntos ni guiones."))


class Department(models.Model):
    """A DIVIPOLA department (two-digit DANE code)."""

    code = models.CharField(_("código DANE"), max_length=2, primary_key=True)
    name = models.CharField(_("nombre"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("departamento")
        verbose_name_plural = _("departamentos")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A DIVIPOLA municipality or non-municipalised area (five-digit DANE code)."""

    code = models.CharField(_("código DIVIPOLA"), max_length=5, primary_key=True)
    name = models.CharField(_("nombre"), max_length=100)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("departamento"),
    )

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")

    def __str__(self) -> str:
        return f"{self.name} ({self.department.name})"


class Entity(models.Model):
    """An organisation that uses MIPRES: payer (EPS, EOC, ET) or provider (IPS, proveedor)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente de verificación")
        VERIFIED = "verified", _("Verificada")
        SUSPENDED = "suspended", _("Suspendida")

    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED},
        Status.VERIFIED: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.VERIFIED},
    }

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    entity_type = models.CharField(_("tipo de entidad"), max_length=10, choices=EntityType)
    nit = models.CharField(
        _("NIT"),
        max_length=15,
        unique=True,
        validators=[digits_only],
        help_text=_("Sin dígito de verificación."),
        error_messages={"unique": _("Ya existe una entidad registrada con este NIT.")},
    )
    dv = models.CharField(_("dígito de verificación"), max_length=1, validators=[digits_only])
    name = models.CharField(_("razón social"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, verbose_name=_("municipio")
    )
    address = models.CharField(_("dirección"), max_length=200, blank=True)
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    email = models.EmailField(_("correo electrónico"), blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status, default=Status.PENDING, editable=False
    )
    legal_representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_entities",
        verbose_name=_("representante legal"),
    )
    reps_code = models.CharField(
        _("código de habilitación REPS"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{10,12}$", _("El código REPS tiene de 10 a 12 dígitos."))],
    )
    dane_code = models.CharField(
        _("código DANE"),
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\d{2}|\d{5})$",
                _("Departamento (2 dígitos) o distrito o municipio (5 dígitos)."),
            )
        ],
    )
    pending_delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delegado designado"),
        help_text=_("Recibe el rol Delegado cuando el Ministerio verifica la entidad."),
    )
    created_at = models.DateTimeField(_("registrada"), default=timezone.now, editable=False)
    registration_confirmed_at = models.DateTimeField(
        _("registro confirmado por el representante legal"),
        null=True,
        blank=True,
        editable=False,
    )
    verified_at = models.DateTimeField(_("verificada"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("entidad")
        verbose_name_plural = _("entidades")
        permissions = [("verify_entity", _("Puede verificar y suspender entidades"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "verified", "suspended"]),
                name="entity_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(entity_type__in=[t.value for t in EntityType]),
                name="entity_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (NIT {self.nit_display})"

    @property
    def nit_display(self) -> str:
        return f"{self.nit}-{self.dv}"

    @property
    def is_payer(self) -> bool:
        return self.entity_type in PAYER_TYPES

    @property
    def awaiting_confirmation(self) -> bool:
        return self.registration_confirmed_at is None

    def can_transition(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(self.status, set())

    def clean(self) -> None:
        errors = {}
        digits = f"{self.nit}{self.dv}"
        if self.nit and self.dv and digits.isdigit() and not stdnum_nit.is_valid(digits):
            errors["dv"] = _("El dígito de verificación no corresponde a este NIT.")
        if self.entity_type == EntityType.IPS and not self.reps_code:
            errors["reps_code"] = _("Una IPS debe tener código de habilitación REPS.")
        if self.entity_type == EntityType.ET and not self.dane_code:
            errors["dane_code"] = _("Una entidad territorial debe tener su código DANE.")
        if errors:
            raise ValidationError(errors)


class Regime(models.TextChoices):
    CONTRIBUTIVO = "contributivo", _("Contributivo")
    SUBSIDIADO = "subsidiado", _("Subsidiado")


class PayerCode(models.Model):
    """A código EPS (six characters) an EPS or EOC holds for one régimen.

    Prescriptions, web-service tokens and supply data are partitioned by this code.
    """

    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="payer_codes", verbose_name=_("entidad")
    )
    code = models.CharField(
        _("código EPS"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{6}$", _("Seis letras mayúsculas o dígitos."))],
        error_messages={"unique": _("Este código EPS ya está asignado a otra entidad.")},
    )
    regime = models.CharField(_("régimen"), max_length=12, choices=Regime)
    active = models.BooleanField(_("activo"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("código EPS")
        verbose_name_plural = _("códigos EPS")

    def __str__(self) -> str:
        return f"{self.code} ({self.get_regime_display()})"

    def clean(self) -> None:
        if self.entity_id and self.entity.entity_type not in CODE_HOLDER_TYPES:
            raise ValidationError({"entity": _("Solo una EPS o una EOC tiene códigos EPS.")})


class Sede(models.Model):
    """A site of an IPS or proveedor, under the same NIT, where it attends or delivers."""

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="sedes", verbose_name=_("entidad")
    )
    code = models.CharField(_("código de sede"), max_length=12, validators=[digits_only])
    name = models.CharField(_("nombre"), max_length=200)
    address = models.CharField(_("dirección"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, verbose_name=_("municipio")
    )
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    active = models.BooleanField(_("activa"), default=True)

    class Meta:
        ordering = ["entity", "code"]
        verbose_name = _("sede")
        verbose_name_plural = _("sedes")
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "code"],
                name="sede_code_unique_per_entity",
                violation_error_message=_("La entidad ya tiene una sede con este código."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class PeriodQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Period(models.Model):
    """An active period with who opened and closed it. Periods are closed, never deleted:
    reactivation opens a new period, so the history of who could act when is kept."""

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    started_at = models.DateTimeField(_("desde"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activado por"),
    )
    ended_at = models.DateTimeField(_("hasta"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inactivado por"),
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class TerritorialLink(Period):
    """An entidad territorial has associated a subsidiado EPS code in its territory."""

    territory = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="territorial_links",
        verbose_name=_("entidad territorial"),
    )
    payer_code = models.ForeignKey(
        PayerCode,
        on_delete=models.PROTECT,
        related_name="territorial_links",
        verbose_name=_("código EPS"),
    )

    class Meta:
        verbose_name = _("asociación territorial")
        verbose_name_plural = _("asociaciones territoriales")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "payer_code"],
                condition=Q(ended_at__isnull=True),
                name="territorial_link_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.territory.name} ↔ {self.payer_code.code}"


class NetworkLink(Period):
    """An IPS or proveedor in a payer's network.

    An EPS/EOC associates per código EPS; for a subsidiado code the link names the
    entidad territorial it applies in. An ET as payer associates without a code.
    """

    payer = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="network_links", verbose_name=_("pagador")
    )
    payer_code = models.ForeignKey(
        PayerCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_links",
        verbose_name=_("código EPS"),
    )
    territory = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entidad territorial"),
    )
    provider = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="networks", verbose_name=_("prestador")
    )

    class Meta:
        verbose_name = _("vínculo de red")
        verbose_name_plural = _("red de prestadores y proveedores")
        constraints = [
            # NULLs are distinct in a plain unique index; coalesce them to 0 so a link
            # without code or territory is unique too.
            models.UniqueConstraint(
                "payer",
                "provider",
                Coalesce("payer_code", 0),
                Coalesce("territory", 0),
                condition=Q(ended_at__isnull=True),
                name="network_link_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.payer_code or self.payer.name} → {self.provider.name}"


class Membership(Period):
    """A user acting for an entity in one role, during one period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("usuario"),
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("entidad")
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role)
    sedes = models.ManyToManyField(
        Sede,
        blank=True,
        verbose_name=_("sedes"),
        help_text=_("Para un dispensador: las sedes donde entrega. Vacío: todas."),
    )
    reps_code = models.CharField(
        _("código REPS del profesional independiente"), max_length=12, blank=True
    )

    class Meta:
        verbose_name = _("membresía")
        verbose_name_plural = _("membresías")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "entity", "role"],
                condition=Q(ended_at__isnull=True),
                name="membership_one_active",
                violation_error_message=_("La persona ya tiene este rol activo en la entidad."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.entity.name}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def delete(self):
        raise PermissionError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One state change, written by the service that made it, in the same transaction.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
    (migration 0002) refuses them too, so not even raw SQL rewrites the history.
    """

    created_at = models.DateTimeField(_("fecha"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("entidad"),
    )
    action = models.CharField(_("acción"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tipo de objeto"),
        db_index=False,  # it leads the (content_type, object_id) index in Meta
    )
    object_id = models.CharField(_("objeto"), max_length=64, blank=True)
    data = models.JSONField(_("datos"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evento de auditoría")
        verbose_name_plural = _("auditoría")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")
