"""Consultas (issue 4, item 10): «Mis prescripciones», «Prescripciones de la entidad»,
«Prescripciones a cargo», each filtered, paginated and exportable as CSV; the detail page
and the printed form (PDF).

Every read goes through `selectors.prescriptions`, scoped to the entity the user acts for
(STYLE R5): another entity's prescription answers 404. A list costs the same number of
queries whatever the number of rows and lines, and is paged by position («Anteriores»,
«Siguientes») rather than by page number, so that no request counts an entity's history.
"""

import uuid

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from entities.decorators import entity_any_permission_required, entity_permission_required
from mipres.db import replica_reads, shared_page
from mipres.jinja_env import render_fragment
from mipres.lib.choices import choice_labels
from mipres.lib.export_tasks import entity_export
from mipres.lib.filter_form import bound_filters
from supply.selectors.timeline import supply_timeline
from supply.views.timeline import timeline_html

from ..enums import PrescriptionStatus
from ..forms.prescribing import PrescriptionFilterForm
from ..pdf import prescription_pdf as build_pdf
from ..selectors.detail import prescription_detail_get
from ..selectors.prescriptions import (
    JUNTA_BADGES,
    SCOPE_ENTITY,
    SCOPE_OWN,
    SCOPE_PAYER,
    SCOPE_PERMS,
    VIEW_PERMS,
    prescription_get,
    prescription_list,
    prescription_page,
    technology_label,
)
from .prescribing import PRESCRIBING_PERMS

PAGE_SIZE = 25
# Excel as configured in Colombia splits CSV columns on semicolons and needs the BOM.
TITLES = {
    SCOPE_OWN: gettext_lazy("Mis prescripciones"),
    SCOPE_ENTITY: gettext_lazy("Prescripciones de la entidad"),
    SCOPE_PAYER: gettext_lazy("Prescripciones a cargo"),
}
URL_NAMES = {
    SCOPE_OWN: "prescription_list_own",
    SCOPE_ENTITY: "prescription_list_entity",
    SCOPE_PAYER: "prescription_list_payer",
}


def _list(request, scope: str):
    form = PrescriptionFilterForm(request.GET or None)
    prescriptions = prescription_list(
        scope=scope, user=request.user, entity=request.entity, filters=form.filters()
    )
    return form, prescriptions


def _cursor(request, name: str) -> uuid.UUID | None:
    """A page link's starting point (a prescription's public id); anything else is ignored."""
    try:
        return uuid.UUID(request.GET.get(name, ""))
    except ValueError:
        return None


def _rows_html(rows, *, scope: str, detail_prefix: str) -> SafeString:
    """The table rows of a consulta's page, from their Jinja2 template; the states' and
    badges' words translated once for the page rather than once a row."""
    return render_fragment(
        "prescriptions/consulta_rows.html",
        {
            "rows": rows,
            "with_prescriber": scope != SCOPE_OWN,
            "payer_scope": scope == SCOPE_PAYER,
            "detail_prefix": detail_prefix,
            "statuses": choice_labels(PrescriptionStatus),
            "badges": {status: (css, str(text)) for status, (css, text) in JUNTA_BADGES.items()},
        },
    )


def _render_list(request, scope: str):
    filters, filter_form = bound_filters(PrescriptionFilterForm, request)

    def build():
        page = prescription_page(
            scope=scope,
            user=request.user,
            entity=request.entity,
            filters=filters,
            after=_cursor(request, "despues"),
            before=_cursor(request, "antes"),
            size=PAGE_SIZE,
        )
        # Each row's link is this prefix and its public id (one reverse() per page).
        marker = uuid.UUID(int=0)
        detail = reverse(
            "prescriptions:prescription_detail", args=[request.entity.external_id, marker]
        )
        prefix = detail.removesuffix(f"{marker}/")
        return page, _rows_html(page.rows, scope=scope, detail_prefix=prefix)

    if scope == SCOPE_OWN:  # one professional's own: nobody to share it with
        page, rows = build()
    else:  # shared a few seconds by the entity's users (mipres.db.shared_page)
        page, rows = shared_page(request, f"prescriptions-{scope}", build)
    context = {
        "entity": request.entity,
        "filter_form": filter_form,
        "page": page,
        "rows_html": rows,
        "scope": scope,
        "title": TITLES[scope],
        "csv_url_name": f"prescriptions:{URL_NAMES[scope]}_csv",
        "can_prescribe": bool(request.entity_perms.intersection(PRESCRIBING_PERMS)),
    }
    return render(request, "prescriptions/prescription_list.html", context)


def _csv(request, scope: str) -> HttpResponse:
    """The filtered list as CSV, one row per line (a prescription without lines gets one)."""
    _form, prescriptions = _list(request, scope)
    return entity_export(
        request,
        "csv",
        f"prescripciones-{scope}",
        [
            _("Número de prescripción"),
            _("Fecha"),
            _("Estado"),
            _("Tipo de documento del paciente"),
            _("Número de documento del paciente"),
            _("Paciente"),
            _("Profesional"),
            _("IPS"),
            _("Pagador"),
            _("Código EPS"),
            _("Ámbito"),
            _("Diagnóstico principal"),
            _("Tecnología"),
            _("Consecutivo"),
            _("Descripción"),
            _("Cantidad total"),
            _("Estado junta"),
        ],
        _csv_rows(prescriptions),
    )


def _csv_rows(prescriptions):
    for prescription in prescriptions.iterator(chunk_size=500):
        header = [
            prescription.number,
            timezone.localtime(prescription.prescribed_at).strftime("%Y-%m-%d %H:%M"),
            prescription.get_status_display(),
            prescription.patient.document_type,
            prescription.patient.document_number,
            prescription.patient.get_full_name(),
            prescription.prescriber.get_full_name(),
            prescription.entity.name,
            prescription.payer.name,
            prescription.payer_code.code if prescription.payer_code else "",
            prescription.get_care_setting_display(),
            prescription.diagnosis.code,
        ]
        lines = list(prescription.lines.all()) or [None]
        for line in lines:
            details = ["", "", "", "", ""]
            if line is not None:
                details = [
                    line.get_technology_type_display(),
                    line.key,
                    technology_label(line),
                    line.total_quantity,
                    line.get_junta_status_display(),
                ]
            yield header + details


@entity_permission_required(SCOPE_PERMS[SCOPE_OWN])
@require_GET
@replica_reads()
def prescription_list_own(request):
    """«Mis prescripciones»: what this professional prescribed in this entity."""
    return _render_list(request, SCOPE_OWN)


@entity_permission_required(SCOPE_PERMS[SCOPE_OWN])
@require_GET
@replica_reads()
def prescription_list_own_csv(request):
    return _csv(request, SCOPE_OWN)


@entity_permission_required(SCOPE_PERMS[SCOPE_ENTITY])
@require_GET
@replica_reads()
def prescription_list_entity(request):
    """«Prescripciones de la entidad» (Admisión, Junta, Anulador)."""
    return _render_list(request, SCOPE_ENTITY)


@entity_permission_required(SCOPE_PERMS[SCOPE_ENTITY])
@require_GET
@replica_reads()
def prescription_list_entity_csv(request):
    return _csv(request, SCOPE_ENTITY)


@entity_permission_required(SCOPE_PERMS[SCOPE_PAYER])
@require_GET
@replica_reads()
def prescription_list_payer(request):
    """«Prescripciones a cargo»: what this payer (EPS, EOC, ET) pays for."""
    return _render_list(request, SCOPE_PAYER)


@entity_permission_required(SCOPE_PERMS[SCOPE_PAYER])
@require_GET
@replica_reads()
def prescription_list_payer_csv(request):
    return _csv(request, SCOPE_PAYER)


def _get(request, prescription_id):
    return prescription_get(
        user=request.user,
        entity=request.entity,
        perms=request.entity_perms,
        external_id=prescription_id,
    )


@entity_any_permission_required(*VIEW_PERMS)
@require_GET
def prescription_detail(request, prescription_id):
    """Header, payer, every line with its fields and junta state, junta decisions,
    novedades, the supply timeline and the audit history."""
    detail = prescription_detail_get(
        user=request.user,
        entity=request.entity,
        perms=request.entity_perms,
        external_id=prescription_id,
    )
    prescription = detail.prescription
    timeline = supply_timeline(
        prescription=prescription, viewer=request.entity, perms=request.entity_perms
    )
    content = render_fragment(
        "prescriptions/detail.html",
        {
            "entity": request.entity,
            "perms": request.entity_perms,
            "prescription": prescription,
            "lines": detail.lines,
            "decisions": detail.decisions,
            "novelties": detail.novelties,
            "history": detail.history,
            "timeline_html": timeline_html(
                timeline, entity=request.entity, next_url=request.get_full_path()
            ),
            "can_renew": prescription.prescriber_id == request.user.pk
            and bool(request.entity_perms.intersection(PRESCRIBING_PERMS)),
        },
    )
    context = {"prescription": prescription, "content": content}
    return render(request, "prescriptions/prescription_detail.html", context)


@entity_any_permission_required(*VIEW_PERMS)
@require_GET
def prescription_pdf(request, prescription_id):
    """The printed form for the patient (PDF, with a QR code of the number)."""
    prescription = _get(request, prescription_id)
    response = HttpResponse(build_pdf(prescription), content_type="application/pdf")
    filename = f"prescripcion-{prescription.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
