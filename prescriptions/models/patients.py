"""Patients and their affiliation, a mirror of BDUA (DESIGN.md §3 prescriptions).

Identity rule (docs/patients.md): a patient with a document of their own is unique by
document type and number. A newborn (or minor) without a document of their own is
registered, as MIPRES does, with type MS ("menor sin identificación") and the mother's
document: `document_number` repeats the mother's number, `mother_document_type` and
`mother_document_number` name it, and `newborn_order` (1, 2, … in registration order)
tells twins apart. Such patients are unique by (document_number, newborn_order).

The payer of a prescription is never chosen by hand: it comes from the patient's one
active affiliation (loaded from BDUA by `import_bdua`), or else from the entidad
territorial of the patient's municipality (`prescriptions.selectors.payer_for`).
"""

import uuid
from datetime import date

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import DocumentType
from entities.models import Entity, Municipality, PayerCode, Regime

# The document type of a patient identified through the mother's document.
WITHOUT_OWN_DOCUMENT = DocumentType.MS

patient_document_validator = RegexValidator(
    r"^[A-Z0-9]{3,17}$", _("De 3 a 17 letras mayúsculas o dígitos, sin puntos ni espacios.")
)


class Sex(models.TextChoices):
    """Sex as health records in Colombia code it (RIPS: M, F and, since Res. 2275/2023,
    I for indeterminado/intersexual). The MIPRES prescription does not carry it; it is here
    for the printed form, dose checks and the prescription's age/sex rules."""

    MALE = "M", _("Masculino")
    FEMALE = "F", _("Femenino")
    INDETERMINATE = "I", _("Indeterminado / intersexual")


def age_in_years(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_text(birth_date: date, on: date | None = None) -> str:
    """'45 años', '7 meses', '12 días': infants' ages in months or days, as clinicians say."""
    on = on or timezone.localdate()
    years = age_in_years(birth_date, on)
    if years >= 2:
        return ngettext("%(n)d año", "%(n)d años", years) % {"n": years}
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    if months >= 1:
        return ngettext("%(n)d mes", "%(n)d meses", months) % {"n": months}
    days = (on - birth_date).days
    return ngettext("%(n)d día", "%(n)d días", days) % {"n": days}


class Patient(models.Model):
    """A person who receives prescriptions. National: any IPS finds a patient by document.

    `registered_by_entity` is the IPS whose Admisión registered the patient (empty when
    the BDUA import created the record); `updated_by_entity` the last IPS that changed it.
    The Admisión list of an IPS shows the patients it registered or updated.
    """

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    document_type = models.CharField(_("tipo de documento"), max_length=2, choices=DocumentType)
    document_number = models.CharField(
        _("número de documento"), max_length=17, validators=[patient_document_validator]
    )
    first_name = models.CharField(_("primer nombre"), max_length=60)
    middle_name = models.CharField(_("segundo nombre"), max_length=60, blank=True)
    first_surname = models.CharField(_("primer apellido"), max_length=60)
    second_surname = models.CharField(_("segundo apellido"), max_length=60, blank=True)
    birth_date = models.DateField(_("fecha de nacimiento"))
    sex = models.CharField(_("sexo"), max_length=1, choices=Sex)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        verbose_name=_("municipio de residencia"),
        related_name="+",
    )
    address = models.CharField(_("dirección"), max_length=200, blank=True)
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    email = models.EmailField(_("correo electrónico"), blank=True)
    mother_document_type = models.CharField(
        _("tipo de documento de la madre"), max_length=2, choices=DocumentType, blank=True
    )
    mother_document_number = models.CharField(
        _("número de documento de la madre"),
        max_length=17,
        blank=True,
        validators=[patient_document_validator],
    )
    newborn_order = models.PositiveSmallIntegerField(
        _("orden del recién nacido"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Para quien usa el documento de la madre: 1, 2… distingue a los gemelos."),
    )
    registered_by_entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    updated_by_entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actualizado por"),
    )
    created_at = models.DateTimeField(_("registrado"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["first_surname", "second_surname", "first_name"]
        verbose_name = _("paciente")
        verbose_name_plural = _("pacientes")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                condition=~Q(document_type=WITHOUT_OWN_DOCUMENT),
                name="patient_document_unique",
                violation_error_message=_(
                    "Ya existe un paciente registrado con este tipo y número de documento."
                ),
            ),
            models.UniqueConstraint(
                fields=["document_number", "newborn_order"],
                condition=Q(document_type=WITHOUT_OWN_DOCUMENT),
                name="patient_newborn_unique",
            ),
            # MS ⇔ identified by the mother's document, with an order; nobody else has one.
            models.CheckConstraint(
                condition=(
                    Q(document_type=WITHOUT_OWN_DOCUMENT)
                    & ~Q(mother_document_type="")
                    & Q(mother_document_number=F("document_number"))
                    & Q(newborn_order__gte=1)
                )
                | (~Q(document_type=WITHOUT_OWN_DOCUMENT) & Q(newborn_order__isnull=True)),
                name="patient_newborn_uses_mother_document",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=[s.value for s in Sex]), name="patient_sex_valid"
            ),
        ]
        indexes = [
            # Lookups by number across types (the BDUA import, the search page).
            models.Index(fields=["document_number"], name="patient_document_number_idx"),
            models.Index(
                fields=["mother_document_type", "mother_document_number"],
                name="patient_mother_document_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_full_name()} ({self.document})"

    @property
    def uses_mother_document(self) -> bool:
        return self.document_type == WITHOUT_OWN_DOCUMENT

    @property
    def document(self) -> str:
        """'CC 43123456', or for a newborn 'MS 43123456 (recién nacido(a) 2 de CC 43123456)'."""
        text = f"{self.document_type} {self.document_number}"
        if self.uses_mother_document:
            text += " " + _("(recién nacido(a) %(order)s de %(type)s %(number)s)") % {
                "order": self.newborn_order,
                "type": self.mother_document_type,
                "number": self.mother_document_number,
            }
        return text

    def get_full_name(self) -> str:
        parts = (self.first_name, self.middle_name, self.first_surname, self.second_surname)
        return " ".join(p for p in parts if p)

    def age(self, on: date | None = None) -> int:
        return age_in_years(self.birth_date, on or timezone.localdate())

    @property
    def age_text(self) -> str:
        return age_text(self.birth_date)


class Affiliation(models.Model):
    """A patient's affiliation to a payer code, as BDUA reports it. At most one is active;
    a change of EPS closes the previous one (`active` False, `end_date`), which stays as
    history. Loaded only by `import_bdua` (and the demo): nobody picks a payer by hand."""

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="affiliations", verbose_name=_("paciente")
    )
    payer_code = models.ForeignKey(
        PayerCode, on_delete=models.PROTECT, related_name="+", verbose_name=_("código EPS")
    )
    # Usually the code's own régimen; BDUA may say otherwise for affiliates in movilidad.
    regime = models.CharField(_("régimen"), max_length=12, choices=Regime)
    active = models.BooleanField(_("activa"), default=True)
    start_date = models.DateField(_("fecha de afiliación"))
    end_date = models.DateField(_("fecha de retiro"), null=True, blank=True)
    source = models.CharField(
        _("fuente"),
        max_length=30,
        help_text=_("De dónde se cargó: «bdua_csv», un servicio, o «demo» (datos inventados)."),
    )
    created_at = models.DateTimeField(_("cargada"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["-active", "-start_date", "-pk"]
        verbose_name = _("afiliación (BDUA)")
        verbose_name_plural = _("afiliaciones (BDUA)")
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(active=True),
                name="affiliation_one_active",
                violation_error_message=_("El paciente ya tiene una afiliación activa."),
            ),
            models.CheckConstraint(
                condition=Q(regime__in=[r.value for r in Regime]), name="affiliation_regime_valid"
            ),
        ]

    def __str__(self) -> str:
        state = _("activa") if self.active else _("inactiva")
        return f"{self.payer_code.code} ({self.get_regime_display()}, {state})"
