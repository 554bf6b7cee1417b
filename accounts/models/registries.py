"""Mirrors of the national registries (DESIGN.md §3 accounts): RETHUS (who is a licensed
health professional, in which profession) and REPS (habilitated providers).

They are loaded from CSV files by `import_rethus` and `import_reps` and read through the
adapters in `accounts.registries`, so a deployment can answer from the real services
instead. Rows are never deleted: a registry withdraws a record by marking it inactive.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entities.models import Municipality

from .user import DocumentType

DEMO_SOURCE = "demo"


class Profession(models.TextChoices):
    """Professions as RETHUS names them. Only the first four may prescribe or order in
    MIPRES (accounts.registries holds the rules); the others are here so a professional's
    record shows as it is, and the refusal can name the profession."""

    MEDICINA = "medicina", _("Medicina")
    ODONTOLOGIA = "odontologia", _("Odontología")
    OPTOMETRIA = "optometria", _("Optometría")
    NUTRICION_DIETETICA = "nutricion_dietetica", _("Nutrición y dietética")
    ENFERMERIA = "enfermeria", _("Enfermería")
    AUXILIAR_ENFERMERIA = "auxiliar_enfermeria", _("Auxiliar de enfermería")
    BACTERIOLOGIA = "bacteriologia", _("Bacteriología")
    FISIOTERAPIA = "fisioterapia", _("Fisioterapia")
    FONOAUDIOLOGIA = "fonoaudiologia", _("Fonoaudiología")
    TERAPIA_OCUPACIONAL = "terapia_ocupacional", _("Terapia ocupacional")
    TERAPIA_RESPIRATORIA = "terapia_respiratoria", _("Terapia respiratoria")
    QUIMICA_FARMACEUTICA = "quimica_farmaceutica", _("Química farmacéutica")
    REGENCIA_FARMACIA = "regencia_farmacia", _("Regencia de farmacia")
    PSICOLOGIA = "psicologia", _("Psicología")


document_number_validator = RegexValidator(
    r"^[A-Z0-9]{3,17}$", _("De 3 a 17 letras mayúsculas o dígitos, sin puntos ni espacios.")
)
habilitation_code_validator = RegexValidator(
    r"^\d{10,12}$", _("El código de habilitación REPS tiene de 10 a 12 dígitos.")
)
nit_validator = RegexValidator(
    r"^\d{5,15}$", _("De 5 a 15 dígitos, sin puntos ni dígito de verificación.")
)


class ProfessionalRecord(models.Model):
    """One profession of one person in RETHUS. A person with two professions (médica and
    odontóloga) has two records."""

    document_type = models.CharField(_("tipo de documento"), max_length=2, choices=DocumentType)
    document_number = models.CharField(
        _("número de documento"), max_length=17, validators=[document_number_validator]
    )
    first_name = models.CharField(_("primer nombre"), max_length=60)
    middle_name = models.CharField(_("segundo nombre"), max_length=60, blank=True)
    first_surname = models.CharField(_("primer apellido"), max_length=60)
    second_surname = models.CharField(_("segundo apellido"), max_length=60, blank=True)
    profession = models.CharField(_("profesión u ocupación"), max_length=30, choices=Profession)
    # MIPRES carries it on every prescription as RegProfS (free text, up to 30 characters).
    registration_number = models.CharField(_("registro profesional"), max_length=30)
    active = models.BooleanField(_("activo en RETHUS"), default=True)
    source = models.CharField(
        _("fuente"),
        max_length=30,
        help_text=_("De dónde se cargó: «rethus_csv», un servicio, o «demo» (datos inventados)."),
    )
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["document_type", "document_number", "profession"]
        verbose_name = _("registro profesional (RETHUS)")
        verbose_name_plural = _("registros profesionales (RETHUS)")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number", "profession"],
                name="professional_record_unique",
                violation_error_message=_(
                    "Esta persona ya tiene un registro en RETHUS para esta profesión."
                ),
            ),
            models.CheckConstraint(
                condition=Q(profession__in=Profession.values),
                name="professional_record_profession_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["document_type", "document_number"], name="professional_doc_idx")
        ]

    def __str__(self) -> str:
        return f"{self.document_type} {self.document_number} – {self.get_profession_display()}"

    @property
    def full_name(self) -> str:
        parts = (self.first_name, self.middle_name, self.first_surname, self.second_surname)
        return " ".join(p for p in parts if p)

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE


class ProviderRegistryRecord(models.Model):
    """A habilitated provider in REPS: an IPS sede or an independent professional.

    An independent professional's entry also names the professional's document; other
    entries leave it blank (a database constraint holds both ways).
    """

    habilitation_code = models.CharField(
        _("código de habilitación"),
        max_length=12,
        unique=True,
        validators=[habilitation_code_validator],
        error_messages={"unique": _("Ya existe un registro REPS con este código.")},
    )
    nit = models.CharField(
        _("NIT"),
        max_length=15,
        validators=[nit_validator],
        help_text=_("Sin dígito de verificación."),
    )
    name = models.CharField(_("nombre del prestador"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, verbose_name=_("municipio")
    )
    independent_professional = models.BooleanField(_("profesional independiente"), default=False)
    document_type = models.CharField(
        _("tipo de documento del profesional"), max_length=2, choices=DocumentType, blank=True
    )
    document_number = models.CharField(
        _("número de documento del profesional"),
        max_length=17,
        blank=True,
        validators=[document_number_validator],
    )
    active = models.BooleanField(_("habilitado"), default=True)
    source = models.CharField(_("fuente"), max_length=30)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["habilitation_code"]
        verbose_name = _("prestador (REPS)")
        verbose_name_plural = _("prestadores (REPS)")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(independent_professional=True) & ~Q(document_type="") & ~Q(document_number="")
                )
                | Q(independent_professional=False, document_type="", document_number=""),
                name="provider_record_professional_document",
                violation_error_message=_(
                    "Solo un profesional independiente lleva tipo y número de documento, "
                    "y siempre los lleva."
                ),
            ),
        ]
        indexes = [models.Index(fields=["nit"], name="provider_record_nit_idx")]

    def __str__(self) -> str:
        return f"{self.habilitation_code} – {self.name}"

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE
