"""The delegate's page for web-service GUIDs (DESIGN §5): one per payer code of an
EPS/EOC, one for an entidad territorial, IPS or proveedor. A GUID is shown once, on the
page the creating POST redirects to, and never again (only its hash is kept)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_permission_required
from mipres.lib.errors import DomainError

from .. import services
from ..forms import RotateForm
from ..models import Credential

MANAGE = services.MANAGE


def _subject(entity, code: str | None):
    """The payer code named by the URL among the entity's subjects (404 otherwise)."""
    for subject in services.credential_subjects(entity):
        if (subject.code if subject else None) == code:
            return subject
    raise Http404


@entity_permission_required(MANAGE)
@require_GET
def credentials(request):
    entity = request.entity
    current = {
        credential.payer_code_id: credential
        for credential in Credential.objects.filter(
            entity=entity, revoked_at__isnull=True
        ).select_related("created_by")
    }
    rows = [
        {"payer_code": subject, "credential": current.get(subject.pk if subject else None)}
        for subject in services.credential_subjects(entity)
    ]
    context = {"entity": entity, "rows": rows}
    return render(request, "webservices/credentials.html", context)


@never_cache
@entity_permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def credential_rotate(request, code: str | None = None):
    """GET asks; only POST creates (or rotates) the GUID, then redirects to the page that
    shows it once (post/redirect/get: reloading that page never rotates again)."""
    entity = request.entity
    payer_code = _subject(entity, code)
    existing = Credential.objects.filter(
        entity=entity, payer_code=payer_code, revoked_at__isnull=True
    ).first()
    form = RotateForm(
        request.POST if request.method == "POST" else None,
        submit_label=_("Rotar GUID") if existing else _("Generar GUID"),
        revokes=existing is not None,
    )
    context = {"entity": entity, "payer_code": payer_code, "existing": existing, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            credential, guid = services.credential_rotate(
                actor=request.user, entity=entity, payer_code=payer_code
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            # The GUID waits in the session for the one page that shows it (and removes it).
            request.session[_shown_key(credential.pk)] = guid
            return redirect(
                "ws_delegate:created", entity_id=entity.external_id, credential_id=credential.pk
            )
    return render(request, "webservices/credential_rotate.html", context)


def _shown_key(credential_id: int) -> str:
    return f"webservices:new_guid:{credential_id}"


@never_cache
@entity_permission_required(MANAGE)
@require_GET
def credential_created(request, credential_id: int):
    """The new GUID, shown once: the session gives it up on the first view; a reload
    says it was already shown (and rotates nothing)."""
    credential = get_object_or_404(
        Credential.objects.select_related("payer_code"), pk=credential_id, entity=request.entity
    )
    guid = request.session.pop(_shown_key(credential.pk), None)
    context = {
        "entity": request.entity,
        "payer_code": credential.payer_code,
        "credential": credential,
        "guid": guid,
    }
    return render(request, "webservices/credential_created.html", context)
