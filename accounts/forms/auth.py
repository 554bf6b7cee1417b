import uuid

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from mipres.lib.layout import form_helper

from ..models import DocumentType, login_name
from ..tasks import send_password_reset


def login_name_from_request(request, credentials) -> str:
    """django-axes: the login name a failed attempt was for, so lockouts are per person."""
    if credentials and credentials.get("username"):
        return " ".join(credentials["username"].split()).upper()
    data = getattr(request, "POST", {})
    number = (data.get("document_number") or data.get("username") or "").strip().upper()
    return login_name(data.get("document_type", ""), number).strip()


class LoginForm(forms.Form):
    """Log in with document type, document number and password, as in MIPRES."""

    document_type = forms.ChoiceField(
        label=_("Tipo de documento"), choices=DocumentType.choices, initial=DocumentType.CC
    )
    document_number = forms.CharField(label=_("Número de documento"), max_length=17)
    password = forms.CharField(label=_("Contraseña"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _(
            "El tipo y número de documento o la contraseña no son correctos. Tras varios "
            "intentos fallidos el ingreso se bloquea por un tiempo."
        ),
        "inactive": _("Esta cuenta está inactiva."),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["document_number"].widget.attrs.update(autofocus=True, autocomplete="username")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.helper = form_helper(_("Ingresar"))

    def clean(self):
        document_type = self.cleaned_data.get("document_type")
        number = self.cleaned_data.get("document_number")
        password = self.cleaned_data.get("password")
        if document_type and number and password:
            username = login_name(document_type, number.upper())
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid")
            if not self.user_cache.is_active:
                raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class CrispyPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Cambiar contraseña"))


class CrispyPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Enviar enlace"))

    def save(
        self,
        *,
        request,
        use_https,
        subject_template_name,
        email_template_name,
        html_email_template_name=None,
        **_defaults,
    ):
        """Enqueue the lookup and the e-mail (accounts.tasks): the response takes as long for
        an unknown address as for a registered one."""
        send_password_reset.enqueue(
            key=uuid.uuid4().hex,
            email=self.cleaned_data["email"],
            domain=request.get_host(),
            use_https=use_https,
            templates={
                "subject_template_name": subject_template_name,
                "email_template_name": email_template_name,
                "html_email_template_name": html_email_template_name,
            },
        )


class CrispySetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Guardar contraseña"))
