"""Forms of tutelas: the header of the court order (its lines use `LineEntry`, shared with
transcriptions) and the list's filters (STYLE R11)."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import Div, Fieldset
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from mipres.lib.layout import form_helper, row

from .novelties import HeaderForm, date_field

BEFORE_RULING = _("La fecha de desacato no puede ser anterior a la del fallo.")


class TutelaForm(HeaderForm):
    """The court decision, the patient and diagnoses, the medical justification."""

    ruling_number = forms.CharField(label=_("Número del fallo"), max_length=30)
    ruling_date = date_field(_("Fecha del fallo"))
    first_instance_date = date_field(_("Fecha de primera instancia"), required=False)
    second_instance_date = date_field(_("Fecha de segunda instancia"), required=False)
    court_date = date_field(_("Fecha de la Corte Constitucional"), required=False)
    contempt_date = date_field(_("Fecha de desacato"), required=False)
    ruling_clarification = forms.CharField(
        label=_("Aclaración del fallo"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Lo que el juez ordena, en sus palabras (p. ej. «tratamiento integral»)."),
    )
    medical_justification = forms.CharField(
        label=_("Justificación médica"), widget=forms.Textarea(attrs={"rows": 3})
    )
    professional_document_type = forms.ChoiceField(
        label=_("Tipo de documento del profesional"),
        choices=[("", "—"), *DocumentType.choices],
        required=False,
    )
    professional_document_number = forms.CharField(
        label=_("Número de documento del profesional"),
        max_length=17,
        required=False,
        help_text=_("Opcional: quien firma la justificación médica; debe estar activo en RETHUS."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            row(("patient_document_type", 4), ("patient_document_number", 4)),
            Fieldset(
                _("Fallo"),
                row(("ruling_number", 4), ("ruling_date", 4)),
                row(
                    ("first_instance_date", 3),
                    ("second_instance_date", 3),
                    ("court_date", 3),
                    ("contempt_date", 3),
                ),
                "ruling_clarification",
            ),
            Fieldset(
                _("Diagnósticos y justificación"),
                row(("diagnosis", 3), ("related_diagnosis_1", 3), ("related_diagnosis_2", 3)),
                row(("orphan_disease", 3)),
                "medical_justification",
                row(("professional_document_type", 4), ("professional_document_number", 4)),
            ),
        )
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        ruling, contempt = data.get("ruling_date"), data.get("contempt_date")
        if ruling and contempt and contempt < ruling:
            self.add_error("contempt_date", BEFORE_RULING)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        names = (
            "ruling_number",
            "ruling_date",
            "first_instance_date",
            "second_instance_date",
            "court_date",
            "contempt_date",
            "ruling_clarification",
            "medical_justification",
            "professional_document_type",
            "professional_document_number",
        )
        return {**self.header_kwargs(), **{name: data[name] for name in names}}


class TutelaFilterForm(forms.Form):
    """The tutela list's filters (GET)."""

    numero = forms.CharField(label=_("Número de tutela o del fallo"), max_length=30, required=False)
    documento = forms.CharField(label=_("Documento del paciente"), max_length=17, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            Div(
                Div("numero", css_class="col-md-5"),
                Div("documento", css_class="col-md-5"),
                Div(
                    StrictButton(_("Buscar"), type="submit", css_class="btn-primary"),
                    css_class="col-md-2 d-flex align-items-end mb-3",
                ),
                css_class="row",
            ),
            method="get",
        )
        self.helper.disable_csrf = True

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "number": self.cleaned_data["numero"],
            "document_number": self.cleaned_data["documento"],
        }
