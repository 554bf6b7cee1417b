"""Public pages: PASO 1, PASO 2 (and the password link), entity registration and the
change of delegate. Each view binds a form, calls one service and shows what happened."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mipres.lib import ratelimit
from mipres.lib.errors import DomainError
from mipres.lib.forms import add_service_error
from mipres.lib.request_context import client_address

from .. import services
from ..forms import CrispySetPasswordForm
from ..forms.registration import (
    CredentialsRequestForm,
    DelegateChangeForm,
    EntityRegistrationForm,
    PersonRegistrationForm,
)

# Public forms that send email or reveal whether a document is registered: at most this
# many submissions per client address per hour.
PUBLIC_FORM_LIMIT = 20
PUBLIC_FORM_WINDOW = 60 * 60


def _over_limit(request, name: str) -> bool:
    key = f"{name}:{client_address(request)}"
    return not ratelimit.hit(key, PUBLIC_FORM_LIMIT, PUBLIC_FORM_WINDOW)


def _too_many(request):
    return render(request, "accounts/too_many_requests.html", status=429)


def mask_email(email: str) -> str:
    """'medica@example.org' → 'm*****@example.org': enough to recognise, not to harvest."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}*****@{domain}"


@require_http_methods(["GET", "POST"])
def person_register(request):
    """PASO 1: registration as persona natural."""
    form = PersonRegistrationForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request, "paso1"):
            return _too_many(request)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "email_confirmation"}
            try:
                user = services.person_register(actor=None, **data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return render(request, "accounts/person_registered.html", {"person": user})
    return render(request, "accounts/person_register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def credentials_request(request):
    """PASO 2: request user and password (a link to create it goes to the registered email)."""
    form = CredentialsRequestForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request, "paso2"):
            return _too_many(request)
        if form.is_valid():
            try:
                user = services.credentials_request(**form.cleaned_data)
            except DomainError as error:
                add_service_error(form, error)
            else:
                return render(
                    request, "accounts/credentials_sent.html", {"email": mask_email(user.email)}
                )
    return render(request, "accounts/credentials_request.html", {"form": form})


class CredentialsSetView(auth_views.PasswordResetConfirmView):
    """The one-time link of PASO 2: create the password, then log in."""

    template_name = "accounts/credentials_set.html"
    form_class = CrispySetPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        services.credentials_set(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            _("Su contraseña quedó creada. Ingrese con su tipo y número de documento."),
        )
        return redirect(self.success_url)


@require_http_methods(["GET", "POST"])
def entity_register(request):
    """Registration of an entity by its legal representative."""
    form = EntityRegistrationForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request, "entity"):
            return _too_many(request)
        if form.is_valid():
            try:
                entity = services.entity_registration_submit(**form.service_kwargs())
            except (DomainError, ValidationError) as error:
                add_service_error(form, error)
            else:
                legal = entity.legal_representative
                return render(
                    request,
                    "accounts/entity_registered.html",
                    {"entity": entity, "email": mask_email(legal.email)},
                )
    return render(request, "accounts/entity_register.html", {"form": form})


def entity_confirm(request, token: str):
    try:
        entity = services.entity_registration_confirm(token=token)
    except DomainError as error:
        return render(request, "accounts/link_invalid.html", {"message": error.message}, status=400)
    return render(request, "accounts/entity_confirmed.html", {"entity": entity})


@require_http_methods(["GET", "POST"])
def delegate_change(request):
    """The legal representative designates another delegate (confirmed by email)."""
    form = DelegateChangeForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request, "delegate"):
            return _too_many(request)
        if form.is_valid():
            try:
                entity = services.delegate_change_request(**form.cleaned_data)
            except DomainError as error:
                add_service_error(form, error)
            else:
                legal = entity.legal_representative
                return render(
                    request,
                    "accounts/delegate_change_sent.html",
                    {"entity": entity, "email": mask_email(legal.email)},
                )
    return render(request, "accounts/delegate_change.html", {"form": form})


def delegate_confirm(request, token: str):
    try:
        entity = services.delegate_change_confirm(token=token)
    except DomainError as error:
        status = 400 if error.code == "bad_link" else 409
        return render(
            request, "accounts/link_invalid.html", {"message": error.message}, status=status
        )
    return render(request, "accounts/delegate_changed.html", {"entity": entity})
