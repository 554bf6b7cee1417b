"""The dispensador's pendiente form: what is owed, until when, where."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mipres.lib.forms import DecimalField
from mipres.lib.layout import form_helper

PLACES = [
    ("sede", _("En la sede (el paciente lo recoge)")),
    ("home", _("En la dirección del paciente (domicilio)")),
]


class PendienteForm(forms.Form):
    quantity = DecimalField(label=_("Cantidad que queda debiendo"), max_digits=12, decimal_places=3)
    promised_at = forms.DateTimeField(
        label=_("Entrega prometida (fecha y hora, máximo 48 horas)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.ChoiceField(
        label=_("Dónde"), choices=PLACES, widget=forms.RadioSelect, initial="sede"
    )
    address = forms.CharField(label=_("Dirección del paciente"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Registrar pendiente"))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "quantity": data["quantity"],
            "promised_at": data["promised_at"],
            "home_delivery": data["place"] == "home",
            "address": data["address"],
        }
