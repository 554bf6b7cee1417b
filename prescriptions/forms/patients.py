"""Forms of Admisión: search by document, register and edit a patient, filter the IPS's
list. They convert and check what was typed; the services validate the rules and write
(STYLE R11)."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import HTML, Div, Fieldset
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from entities.models import Municipality
from mipres.lib.errors import DomainError
from mipres.lib.forms import DateField, add_service_error
from mipres.lib.layout import form_helper, row

from ..models import Patient, Sex
from ..services.patients import PATIENT_FIELDS

UNKNOWN_MUNICIPALITY = _("No existe un municipio con el código DIVIPOLA «%(value)s».")


def _document_type_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Tipo de documento"),
        choices=DocumentType.choices,
        initial=DocumentType.CC,
        **kwargs,
    )


def _upper_number(value: str) -> str:
    return "".join(value.split()).replace(".", "").upper()


def _filter_button() -> Div:
    return Div(
        StrictButton(_("Buscar"), type="submit", css_class="btn-primary"),
        css_class="col-md-2 d-flex align-items-end mb-3",
    )


class PatientSearchForm(forms.Form):
    """Find a patient by document type and number (GET)."""

    document_type = _document_type_field()
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=20,
        help_text=_("Para un recién nacido sin documento: MS y el número de la madre."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            Div(
                Div("document_type", css_class="col-md-4"),
                Div("document_number", css_class="col-md-6"),
                _filter_button(),
                css_class="row",
            ),
            method="get",
        )
        self.helper.disable_csrf = True

    def clean_document_number(self):
        return _upper_number(self.cleaned_data["document_number"])


class PatientFilterForm(forms.Form):
    """Filters of the IPS's patient list (GET)."""

    document = forms.CharField(label=_("Documento (comienzo)"), max_length=17, required=False)
    name = forms.CharField(label=_("Nombre"), max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            Div(
                Div("document", css_class="col-md-4"),
                Div("name", css_class="col-md-6"),
                _filter_button(),
                css_class="row",
            ),
            method="get",
        )
        self.helper.disable_csrf = True

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class PatientForm(forms.Form):
    """Register or edit a patient (Admisión)."""

    document_type = _document_type_field()
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=20,
        required=False,
        help_text=_("Sin puntos ni espacios. Vacío para MS: se usa el de la madre."),
    )
    mother_document_type = forms.ChoiceField(
        label=_("Tipo de documento de la madre"),
        choices=[("", _("—")), *DocumentType.choices],
        required=False,
    )
    mother_document_number = forms.CharField(
        label=_("Número de documento de la madre"), max_length=20, required=False
    )
    first_name = forms.CharField(label=_("Primer nombre"), max_length=60)
    middle_name = forms.CharField(label=_("Segundo nombre"), max_length=60, required=False)
    first_surname = forms.CharField(label=_("Primer apellido"), max_length=60)
    second_surname = forms.CharField(label=_("Segundo apellido"), max_length=60, required=False)
    birth_date = DateField(
        label=_("Fecha de nacimiento"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(label=_("Sexo"), choices=[("", _("Elija")), *Sex.choices])
    municipality = forms.ModelChoiceField(
        label=_("Municipio de residencia"),
        queryset=Municipality.objects.select_related("department"),
        empty_label=_("Elija el municipio"),
        error_messages={"invalid_choice": UNKNOWN_MUNICIPALITY},
    )
    address = forms.CharField(label=_("Dirección"), max_length=200)
    phone = forms.CharField(label=_("Teléfono"), max_length=30, required=False)
    email = forms.EmailField(label=_("Correo electrónico"), required=False)

    def __init__(self, *args, patient: Patient | None = None, **kwargs):
        if patient is not None:
            initial = {name: getattr(patient, name) for name in PATIENT_FIELDS}
            initial["municipality"] = patient.municipality_id
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["municipality"].label_from_instance = lambda m: f"{m.code} – {m}"
        self.helper = form_helper(
            _("Guardar cambios") if patient else _("Registrar paciente"),
            row(("document_type", 5), ("document_number", 7)),
            Fieldset(
                _("Recién nacido o menor sin documento propio"),
                HTML("{% include 'prescriptions/patients/_newborn_note.html' %}"),
                row(("mother_document_type", 5), ("mother_document_number", 7)),
            ),
            row(("first_name", 3), ("middle_name", 3), ("first_surname", 3), ("second_surname", 3)),
            row(("birth_date", 4), ("sex", 4)),
            "municipality",
            row(("address", 8), ("phone", 4)),
            "email",
        )

    def clean_document_number(self):
        return _upper_number(self.cleaned_data["document_number"])

    def clean_mother_document_number(self):
        return _upper_number(self.cleaned_data["mother_document_number"])

    def add_service_error(self, error: DomainError | ValidationError) -> None:
        add_service_error(self, error)

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS}
