"""People (DESIGN.md §3 accounts)."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """Identity document types of MIPRES (TipoIDPaciente; shared/data/tipos_documento.csv)."""

    CC = "CC", _("Cédula de ciudadanía")
    CE = "CE", _("Cédula de extranjería")
    CD = "CD", _("Carné diplomático")
    PA = "PA", _("Pasaporte")
    PE = "PE", _("Permiso especial de permanencia")
    PR = "PR", _("Pasaporte de la ONU")
    SC = "SC", _("Salvoconducto de permanencia")
    TI = "TI", _("Tarjeta de identidad")
    RC = "RC", _("Registro civil")
    NV = "NV", _("Nacido vivo")
    AS = "AS", _("Adulto sin identificación")
    MS = "MS", _("Menor sin identificación")


def login_name(document_type: str, document_number: str) -> str:
    """The login name MIPRES users type: document type and number, e.g. 'CC 1012345678'."""
    return f"{document_type} {document_number.strip()}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, document_type, document_number, password=None, **fields):
        user = self.model(document_type=document_type, document_number=document_number, **fields)
        user.set_password(password)  # None gives an unusable password (PASO 1).
        user.save(using=self._db)
        return user

    def create_superuser(self, username=None, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if username and "document_number" not in fields:
            fields["document_type"], fields["document_number"] = username.split(" ", 1)
        return self.create_user(password=password, **fields)

    def get_by_natural_key(self, username):
        # People type "cc 1012345678" as often as "CC 1012345678".
        return self.get(username=" ".join(username.split()).upper())


class User(AbstractBaseUser, PermissionsMixin):
    """A person, identified by document type and number (the login name).

    Names are split as MIPRES and RETHUS split them. PASO 1 creates the person without a
    usable password; PASO 2 lets them set one through an emailed link.
    """

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    document_type = models.CharField(_("tipo de documento"), max_length=2, choices=DocumentType)
    document_number = models.CharField(
        _("número de documento"),
        max_length=17,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9]{3,17}$", _("De 3 a 17 letras o dígitos, sin puntos ni espacios.")
            )
        ],
    )
    # Derived from type and number; kept as a column so authentication is one indexed lookup.
    username = models.CharField(_("usuario"), max_length=20, unique=True, editable=False)
    first_name = models.CharField(_("primer nombre"), max_length=60)
    middle_name = models.CharField(_("segundo nombre"), max_length=60, blank=True)
    first_surname = models.CharField(_("primer apellido"), max_length=60)
    second_surname = models.CharField(_("segundo apellido"), max_length=60, blank=True)
    birth_date = models.DateField(_("fecha de nacimiento"), null=True, blank=True)
    email = models.EmailField(_("correo electrónico"))
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    is_active = models.BooleanField(_("activo"), default=True)
    is_staff = models.BooleanField(
        _("administrador del Ministerio"),
        default=False,
        help_text=_("Puede entrar a la administración del sistema."),
    )
    date_joined = models.DateTimeField(_("registrado"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["document_type", "document_number", "first_name", "first_surname", "email"]

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["first_surname", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                name="user_document_unique",
                violation_error_message=_(
                    "Ya existe una persona registrada con este tipo y número de documento."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_full_name()} ({self.username})"

    def save(self, *args, **kwargs):
        self.document_number = self.document_number.strip().upper()
        self.username = login_name(self.document_type, self.document_number)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        parts = (self.first_name, self.middle_name, self.first_surname, self.second_surname)
        return " ".join(p for p in parts if p)

    def get_short_name(self) -> str:
        return self.first_name
