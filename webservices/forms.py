"""The delegate's confirmation before creating or rotating a GUID (STYLE R8, R11)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mipres.lib.layout import form_helper


class RotateForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Entiendo que el GUID anterior y sus tokens dejan de funcionar de inmediato."),
        required=True,
    )

    def __init__(self, *args, submit_label=None, revokes=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not revokes:  # a first GUID revokes nothing: nothing to acknowledge
            del self.fields["confirm"]
        self.helper = form_helper(submit_label or _("Generar GUID"))
