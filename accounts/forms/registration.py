"""Public forms: PASO 1, PASO 2, entity registration and change of delegate. They validate
input only; the services decide and write (STYLE R11)."""

import datetime

from crispy_forms.layout import HTML, Div, Fieldset
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.co import nit as stdnum_nit

from entities.models import Municipality, Regime
from entities.permissions import EntityType
from mipres.lib.forms import DateField
from mipres.lib.layout import form_helper, row
from mipres.lib.nit import normalize_nit

from ..models import DocumentType, User
from ..services.people import CredentialKind

DUPLICATE_DOCUMENT = _(
    "Ya existe una persona registrada con este tipo y número de documento. Si es usted, "
    "continúe con el PASO 2: solicitar usuario y contraseña."
)


class PersonRegistrationForm(forms.Form):
    """PASO 1: registration as persona natural."""

    document_type = forms.ChoiceField(
        label=_("Tipo de documento"), choices=DocumentType.choices, initial=DocumentType.CC
    )
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=17,
        validators=User._meta.get_field("document_number").validators,
    )
    first_name = forms.CharField(label=_("Primer nombre"), max_length=60)
    middle_name = forms.CharField(label=_("Segundo nombre"), max_length=60, required=False)
    first_surname = forms.CharField(label=_("Primer apellido"), max_length=60)
    second_surname = forms.CharField(label=_("Segundo apellido"), max_length=60, required=False)
    birth_date = DateField(
        label=_("Fecha de nacimiento"), widget=forms.DateInput(attrs={"type": "date"})
    )
    email = forms.EmailField(label=_("Correo electrónico"))
    email_confirmation = forms.EmailField(label=_("Confirme el correo electrónico"))
    phone = forms.CharField(label=_("Teléfono"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            _("Registrarme"),
            row(("document_type", 4), ("document_number", 8)),
            row(("first_name", 6), ("middle_name", 6)),
            row(("first_surname", 6), ("second_surname", 6)),
            row(("birth_date", 4), ("phone", 8)),
            row(("email", 6), ("email_confirmation", 6)),
        )

    def clean_document_number(self):
        return self.cleaned_data["document_number"].strip().upper()

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("La fecha de nacimiento no puede ser futura."))
        if value < datetime.date(1900, 1, 1):
            raise forms.ValidationError(_("Revise el año de nacimiento."))
        return value

    def clean(self):
        cleaned = super().clean()
        document_type, number = cleaned.get("document_type"), cleaned.get("document_number")
        registered = User.objects.filter(document_type=document_type, document_number=number)
        if document_type and number and registered.exists():
            self.add_error("document_number", DUPLICATE_DOCUMENT)
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and confirmation and email.lower() != confirmation.lower():
            self.add_error("email_confirmation", _("Los dos correos no coinciden."))
        return cleaned


class CredentialsRequestForm(forms.Form):
    """PASO 2: request user and password, with the three options of the seeds."""

    kind = forms.ChoiceField(
        label=_("¿Quién solicita?"),
        choices=CredentialKind.CHOICES,
        widget=forms.RadioSelect,
        initial=CredentialKind.PROFESSIONAL,
    )
    entity_type = forms.ChoiceField(
        label=_("Tipo de entidad"),
        choices=[("", "---------"), *EntityType.choices],
        required=False,
        help_text=_("Solo para el delegado administrativo."),
    )
    nit = forms.CharField(
        label=_("NIT de la entidad"),
        max_length=20,
        required=False,
        help_text=_("Solo para el delegado administrativo; sin dígito de verificación."),
    )
    document_type = forms.ChoiceField(
        label=_("Tipo de documento"), choices=DocumentType.choices, initial=DocumentType.CC
    )
    document_number = forms.CharField(label=_("Número de documento"), max_length=17)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            _("Solicitar usuario y contraseña"),
            "kind",
            Div(
                "entity_type",
                "nit",
                css_id="delegate-fields",
                data_show_for="kind",
                data_show_values="delegado",
            ),
            row(("document_type", 4), ("document_number", 8)),
        )

    def clean_nit(self):
        return normalize_nit(self.cleaned_data["nit"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == CredentialKind.DELEGATE:
            for name in ("entity_type", "nit"):
                if not cleaned.get(name):
                    self.add_error(name, _("El delegado administrativo debe indicarlo."))
        return cleaned


class EntityRegistrationForm(forms.Form):
    """Registration of an entity by its legal representative ("aportante persona jurídica")."""

    legal_document_type = forms.ChoiceField(
        label=_("Tipo de documento del representante legal"), choices=DocumentType.choices
    )
    legal_document_number = forms.CharField(
        label=_("Número de documento del representante legal"), max_length=17
    )
    entity_type = forms.ChoiceField(label=_("Tipo de entidad"), choices=EntityType.choices)
    nit = forms.CharField(label=_("NIT"), max_length=15, help_text=_("Sin dígito de verificación."))
    dv = forms.CharField(label=_("Dígito de verificación"), max_length=1)
    name = forms.CharField(label=_("Razón social"), max_length=200)
    municipality = forms.ModelChoiceField(
        label=_("Municipio"),
        queryset=Municipality.objects.select_related("department"),
        error_messages={
            "invalid_choice": _("No existe un municipio con el código DIVIPOLA «%(value)s».")
        },
    )
    address = forms.CharField(label=_("Dirección"), max_length=200)
    phone = forms.CharField(label=_("Teléfono"), max_length=30, required=False)
    email = forms.EmailField(label=_("Correo electrónico de la entidad"), required=False)
    reps_code = forms.CharField(
        label=_("Código de habilitación REPS (IPS)"), max_length=12, required=False
    )
    dane_code = forms.CharField(
        label=_("Código DANE (entidad territorial)"), max_length=5, required=False
    )
    payer_code_contributivo = forms.CharField(
        label=_("Código EPS del régimen contributivo"), max_length=6, required=False
    )
    payer_code_subsidiado = forms.CharField(
        label=_("Código EPS del régimen subsidiado"), max_length=6, required=False
    )
    delegate_document_type = forms.ChoiceField(
        label=_("Tipo de documento del delegado"), choices=DocumentType.choices
    )
    delegate_document_number = forms.CharField(
        label=_("Número de documento del delegado"), max_length=17
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].label_from_instance = lambda m: f"{m.code} – {m}"
        self.helper = form_helper(
            _("Registrar la entidad"),
            Fieldset(
                _("Representante legal"),
                row(("legal_document_type", 5), ("legal_document_number", 7)),
            ),
            Fieldset(
                _("Entidad"),
                "entity_type",
                row(("nit", 8), ("dv", 4)),
                "name",
                row(("municipality", 6), ("address", 6)),
                row(("phone", 6), ("email", 6)),
                Div("reps_code", data_show_for="entity_type", data_show_values="IPS"),
                Div("dane_code", data_show_for="entity_type", data_show_values="ET"),
                Div(
                    "payer_code_contributivo",
                    "payer_code_subsidiado",
                    data_show_for="entity_type",
                    data_show_values="EPS EOC",
                ),
            ),
            Fieldset(
                _("Delegado designado"),
                HTML("{% include 'accounts/_delegate_note.html' %}"),
                row(("delegate_document_type", 5), ("delegate_document_number", 7)),
            ),
        )

    def clean_nit(self):
        value = self.cleaned_data["nit"].strip().replace(".", "")
        if not value.isdigit():
            raise forms.ValidationError(_("Escriba solo dígitos, sin puntos ni guiones."))
        return value

    def clean(self):
        cleaned = super().clean()
        nit, dv = cleaned.get("nit"), cleaned.get("dv", "")
        if nit and dv.isdigit() and not stdnum_nit.is_valid(nit + dv):
            self.add_error("dv", _("El dígito de verificación no corresponde a este NIT."))
        codes = cleaned.get("payer_code_contributivo") or cleaned.get("payer_code_subsidiado")
        if cleaned.get("entity_type") in (EntityType.EPS, EntityType.EOC) and not codes:
            self.add_error(
                "payer_code_contributivo", _("Una EPS o EOC registra al menos un código EPS.")
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned data in the shape `entity_registration_submit` takes."""
        data = dict(self.cleaned_data)
        codes = []
        for regime in (Regime.CONTRIBUTIVO, Regime.SUBSIDIADO):
            code = data.pop(f"payer_code_{regime}").strip().upper()
            if code and data["entity_type"] in (EntityType.EPS, EntityType.EOC):
                codes.append((code, regime.value))
        if data["entity_type"] != EntityType.IPS:
            data["reps_code"] = ""
        if data["entity_type"] != EntityType.ET:
            data["dane_code"] = ""
        return {**data, "payer_codes": codes}


class DelegateChangeForm(forms.Form):
    """The legal representative designates another delegate."""

    entity_type = forms.ChoiceField(label=_("Tipo de entidad"), choices=EntityType.choices)
    nit = forms.CharField(label=_("NIT de la entidad"), max_length=15)
    legal_document_type = forms.ChoiceField(
        label=_("Tipo de documento del representante legal"), choices=DocumentType.choices
    )
    legal_document_number = forms.CharField(
        label=_("Número de documento del representante legal"), max_length=17
    )
    delegate_document_type = forms.ChoiceField(
        label=_("Tipo de documento del nuevo delegado"), choices=DocumentType.choices
    )
    delegate_document_number = forms.CharField(
        label=_("Número de documento del nuevo delegado"), max_length=17
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Enviar enlace de confirmación"))

    def clean_nit(self):
        return normalize_nit(self.cleaned_data["nit"])
