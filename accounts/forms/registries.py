from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ..models import DocumentType


class RethusLookupForm(forms.Form):
    """'Consultar RETHUS': a person's document (GET, public)."""

    document_type = forms.ChoiceField(
        label=_("Tipo de documento"), choices=DocumentType.choices, initial=DocumentType.CC
    )
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=17,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9]{3,17}$", _("De 3 a 17 letras o dígitos, sin puntos ni espacios.")
            )
        ],
        error_messages={
            "required": _("Escriba el número de documento."),
            "max_length": _("El número de documento tiene como máximo 17 caracteres."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].error_messages["invalid_choice"] = _(
            "Elija un tipo de documento de la lista."
        )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("document_type", css_class="col-md-5"),
                Column("document_number", css_class="col-md-7"),
            )
        )
        self.helper.add_input(Submit("submit", _("Consultar")))

    def clean_document_number(self) -> str:
        return self.cleaned_data["document_number"].strip().upper()
