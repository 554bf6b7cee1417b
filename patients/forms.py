"""The patient's sign-in forms and the IPS's decline form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType

# A newborn identified by the mother's document (MS) signs in with that document's holder.
DOCUMENT_CHOICES = [(value, label) for value, label in DocumentType.choices if value != "MS"]


class DocumentForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Tipo de documento"), choices=DOCUMENT_CHOICES)
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Código de 6 dígitos"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
        error_messages={
            "min_length": _("El código tiene 6 dígitos."),
            "required": _("Escriba el código que le enviamos."),
        },
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo (el paciente lo leerá)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Escriba el motivo: el paciente lo leerá.")},
    )
