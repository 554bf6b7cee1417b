"""The Junta de Profesionales' decision form (research §3.3: NoActa, FechaActa, Modalidad,
JustificacionTecnica, Observaciones). It converts what was typed; `junta_decide` applies the
rules (STYLE R11)."""

from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from mipres.lib.errors import DomainError
from mipres.lib.forms import add_service_error
from mipres.lib.layout import form_helper, row

from ..enums import JuntaModality, JuntaStatus
from .novelties import date_field

RESULTS = [
    (JuntaStatus.APROBADA.value, _("Aprobada")),
    (JuntaStatus.NO_APROBADA.value, _("No aprobada")),
]


class JuntaDecisionForm(forms.Form):
    result = forms.TypedChoiceField(
        label=_("Decisión de la junta"),
        choices=RESULTS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indique si la junta aprobó o no aprobó la tecnología.")},
    )
    act_number = forms.CharField(label=_("Número del acta"), max_length=30)
    act_date = date_field(_("Fecha del acta"))
    modality = forms.TypedChoiceField(
        label=_("Modalidad"),
        choices=JuntaModality.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=JuntaModality.PRESENCIAL,
    )
    technical_justification = forms.CharField(
        label=_("Justificación técnica"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("La justificación técnica es obligatoria.")},
    )
    observations = forms.CharField(
        label=_("Observaciones"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            None,
            row(("act_number", 4), ("act_date", 4), ("modality", 4)),
            "technical_justification",
            "observations",
            "result",
        )
        self.helper.add_input(Submit("submit", _("Registrar decisión")))
        self.helper.attrs = {"novalidate": ""}

    def add_service_error(self, error: DomainError) -> None:
        add_service_error(self, error)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
