"""'Consultar RETHUS': the public lookup the seeds send professionals to before PASO 2
("verificar en la opción de consultas - Consultar RETHUS su información")."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from entities.permissions import Role
from mipres.lib import ratelimit
from mipres.lib.request_context import client_address

from ..forms import RethusLookupForm
from ..models import DEMO_SOURCE, Profession
from ..registries import prescribing_role, rethus

TEMPLATE = "accounts/rethus_lookup.html"
DEFAULT_LOOKUPS_PER_MINUTE = 20
NOT_PRESCRIBING = _("No prescribe")
TOO_MANY_LOOKUPS = _(
    "Ha hecho demasiadas consultas en poco tiempo. Espere un minuto y vuelva a intentarlo."
)


def _row(record) -> dict:
    role = prescribing_role(record.profession)
    return {
        "profession": Profession(record.profession).label
        if record.profession in Profession.values
        else record.profession,
        "registration_number": record.registration_number,
        "active": record.active,
        "role": Role(role).label if role else NOT_PRESCRIBING,
        "prescribes": role is not None,
        "demo": record.source == DEMO_SOURCE,
    }


def _full_name(record) -> str:
    parts = (record.first_name, record.middle_name, record.first_surname, record.second_surname)
    return " ".join(p for p in parts if p)


@require_GET
def rethus_lookup(request):
    """Public, no login. Every submitted lookup counts against a per-IP limit
    (RETHUS_LOOKUPS_PER_MINUTE): the page tells whether a document is in RETHUS and
    with which names, so it must not become a bulk-harvesting tool."""
    form = RethusLookupForm(request.GET or None)
    context = {"form": form}
    if form.is_bound:
        limit = getattr(settings, "RETHUS_LOOKUPS_PER_MINUTE", DEFAULT_LOOKUPS_PER_MINUTE)
        if not ratelimit.hit(f"rethus_lookup:{client_address(request)}", limit, 60):
            context = {"form": RethusLookupForm(), "throttled": TOO_MANY_LOOKUPS}
            return render(request, TEMPLATE, context, status=429)
        if form.is_valid():
            document_type = form.cleaned_data["document_type"]
            number = form.cleaned_data["document_number"]
            records = rethus().records_for(document_type, number)
            rows = [_row(r) for r in records]
            context.update(
                searched=True,
                document=f"{document_type} {number}",
                full_name=_full_name(records[0]) if records else "",
                rows=rows,
                demo=any(r["demo"] for r in rows),
                inactive_prescriber=any(r["prescribes"] and not r["active"] for r in rows),
                may_request_credentials=any(r["prescribes"] and r["active"] for r in rows),
            )
    return render(request, TEMPLATE, context)
