"""Forms of tutelas: the header of the court order (its lines use `LineEntry`, shared with
transcriptions) and the list's filters (STYLE R11)."""

import datetime

from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import Div, Fieldset
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from mipres.lib.layout import form_helper, row

from .novelties import HeaderForm, date_field

BEFORE_RULING = _("La fecha de desacato no puede ser anterior a la del fallo.")
ADDITIONAL_FORMAT = _(
    "Línea %(n)s: escriba la fecha (AAAA-MM-DD) y el número del fallo, p. ej. "
    "«2026-04-10 05001-3103-001-2026-00101»."
)
ADDITIONAL_BEFORE = _("Línea %(n)s: un fallo adicional no puede ser anterior al fallo.")


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
    additional_rulings = forms.CharField(
        label=_("Fallos adicionales"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Opcional: uno por línea, la fecha (AAAA-MM-DD) y el número del fallo "
            "(impugnación, desacato…)."
        ),
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
                "additional_rulings",
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

    def clean_additional_rulings(self) -> list[tuple[datetime.date, str]]:
        """«AAAA-MM-DD número» per line, as (date, number) pairs."""
        rulings = []
        lines = [line.strip() for line in self.cleaned_data["additional_rulings"].splitlines()]
        for n, line in enumerate((line for line in lines if line), start=1):
            date_text, _space, number = line.partition(" ")
            number = number.strip()
            try:
                date = datetime.date.fromisoformat(date_text)
            except ValueError:
                date = None
            if date is None or not number or len(number) > 30 or date > timezone.localdate():
                raise forms.ValidationError(ADDITIONAL_FORMAT % {"n": n})
            rulings.append((date, number))
        return rulings

    def clean(self):
        data = super().clean()
        ruling, contempt = data.get("ruling_date"), data.get("contempt_date")
        if ruling and contempt and contempt < ruling:
            self.add_error("contempt_date", BEFORE_RULING)
        for n, (date, _number) in enumerate(data.get("additional_rulings") or [], start=1):
            if ruling and date < ruling:
                self.add_error("additional_rulings", ADDITIONAL_BEFORE % {"n": n})
                break
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
            "additional_rulings",
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
