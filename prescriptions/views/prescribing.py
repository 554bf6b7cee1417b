"""The prescription form (issue 4, items 3–4): new prescription, renewal of a previous one,
and the patient panel the form refreshes as the document is typed.

Views are thin (STYLE R3): the decorator resolves the entity and the permission, a form
validates, `prescription_issue` decides and writes; its refusals go back beside their
fields. The buttons that add or remove a line re-render the form from what was posted, so
the page works without JavaScript and nothing typed is lost; with JavaScript they act in
place.
"""

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities.decorators import entity_any_permission_required
from mipres.lib.errors import DomainError

from ..enums import TechnologyType
from ..forms.prescribing import (
    CatalogOptions,
    PrescriptionEntry,
    catalog_labels,
    normalize_code,
    renewal_initial,
)
from ..selectors.prescriptions import (
    last_prescription_for,
    patient_summary,
    prescription_get,
)
from ..services.lookups import patient_lookup
from ..services.prescribing import allowed_types, prescription_issue

PRESCRIBING_PERMS = ("prescriptions.prescribe", "prescriptions.order_nutrition")
MANAGE_PATIENTS = "prescriptions.manage_patients"
# Alt+<letter> adds a line of each type (the buttons' accesskey; Alt+D is the browser's).
ACCESS_KEYS = {"M": "m", "P": "p", "D": "o", "N": "n", "S": "s"}
ADD_LABELS = {
    "M": gettext_lazy("Agregar medicamento"),
    "P": gettext_lazy("Agregar procedimiento"),
    "D": gettext_lazy("Agregar dispositivo"),
    "N": gettext_lazy("Agregar producto nutricional"),
    "S": gettext_lazy("Agregar servicio complementario"),
}


def url_for(name: str, entity, *args) -> str:
    return reverse(f"prescriptions:{name}", args=[entity.external_id, *args])


def _types_for(request) -> tuple[set[str], str]:
    """The technology types the user may prescribe here, or why none."""
    try:
        return allowed_types(actor=request.user, entity=request.entity), ""
    except DomainError as error:
        return set(), str(error.message)


def _patient_context(request, patient, document: tuple[str, str] | None) -> dict:
    """The patient panel: who the document names, who pays, the last prescription to renew;
    or, for an unknown document, where to register the patient."""
    if patient is None:
        return {
            "patient_document": document,
            "can_register": MANAGE_PATIENTS in request.entity_perms,
        }
    return {
        **patient_summary(patient),
        "last_prescription": last_prescription_for(
            user=request.user, entity=request.entity, patient=patient
        ),
    }


def _line_rows(entry: PrescriptionEntry, types) -> dict[str, str]:
    """The empty row of each type the user may prescribe («__prefix__» for the index), for
    the script to clone: the same for everyone with the same types, so rendered once and
    kept in the cache until a small catalog changes (their options are in the rows)."""
    key = f"prescription_line_rows:{''.join(sorted(types))}:{entry.options.version()}"
    rows = cache.get(key)
    if rows is None:
        rows = {
            form.TYPE: render_to_string(
                "prescriptions/_line_row.html", {"form": form, "index": "__prefix__"}
            )
            for form in entry.template_forms(types)
        }
        cache.set(key, rows, 3600)
    return rows


def _first_line(entry: PrescriptionEntry, types) -> str:
    """The one empty row a fresh form opens with (index 0, of the first type the user may
    prescribe): the same for everyone with the same types, so cached as the rows above."""
    key = f"prescription_first_line:{''.join(sorted(types))}:{entry.options.version()}"
    return cache.get_or_set(
        key,
        lambda: render_to_string(
            "prescriptions/_line_row.html", {"form": entry.lines.forms[0], "index": 0}
        ),
        3600,
    )


def _fresh_key(sedes) -> str:
    """What an empty form's header fields depend on (the entity's active sedes, the
    language): the key their HTML is kept under in the cache ({% cache %} in
    prescription_form.html)."""
    stamp = repr([get_language(), *((s.external_id, s.code, str(s)) for s in sedes)])
    return hashlib.blake2b(stamp.encode(), digest_size=8).hexdigest()


def _render_form(
    request, entry: PrescriptionEntry, types, refusal, *, fresh=False, fresh_key="", **extra
):
    """The form page. `fresh`: the lines are the one empty row the form opens with, which is
    the cached empty row of its type at index 0 (what the script does when adding a line).
    `fresh_key`: the header is empty too, its fields' HTML kept in the cache under it."""
    if not fresh:  # a fresh form holds no code to name (and builds no line form for it)
        catalog_labels(entry)
    header = entry.header
    patient = entry.chosen_patient()
    document = None
    if patient is None:
        values = (header["document_type"].value(), header["document_number"].value())
        document = values if all(values) else None
    type_buttons = [
        {"type": t.value, "label": ADD_LABELS[t.value], "key": ACCESS_KEYS[t.value]}
        for t in TechnologyType
        if t.value in types
    ]
    line_rows = _line_rows(entry, types)
    first_line = None
    fresh_lines = (entry.lines.initial or []) if fresh else []
    if len(fresh_lines) == 1 and fresh_lines[0]["technology_type"] in line_rows:
        first_line = _first_line(entry, types)
    context = {
        "entity": request.entity,
        "entry": entry,
        "header": header,
        "lines": entry.lines,
        "management_form": entry.lines.management_form,
        "line_error_count": entry.lines.total_error_count(),
        "line_non_form_errors": entry.lines.non_form_errors(),
        "first_line": first_line,
        "fresh_key": fresh_key,
        "line_rows": line_rows,
        # The empty rows' forms, built only if asked for (the rows above are cached).
        "template_forms": SimpleLazyObject(lambda: entry.template_forms(types)),
        "type_buttons": type_buttons,
        "refusal": refusal,
        **_patient_context(request, patient, document),
        **extra,
    }
    return render(request, "prescriptions/prescription_form.html", context)


def _sedes(request) -> list:
    return list(_active_sedes(request))


def _active_sedes(request):
    return request.entity.sedes.filter(active=True).order_by("code")


def _new_form(request, options: CatalogOptions):
    """The empty form: the document given in the query (from Admisión), no ámbito chosen,
    one line of the first type the user may prescribe."""
    types, refusal = _types_for(request)
    header = {k: request.GET[k] for k in ("document_type", "document_number") if k in request.GET}
    first = next((t.value for t in TechnologyType if t.value in types), None)
    lines = [{"technology_type": first}] if first else []
    sedes = _sedes(request)
    entry = PrescriptionEntry(options=options, header=header, lines=lines, sedes=sedes)
    fresh_key = "" if header else _fresh_key(sedes)
    return _render_form(request, entry, types, refusal, fresh=True, fresh_key=fresh_key)


@entity_any_permission_required(*PRESCRIBING_PERMS)
@require_http_methods(["GET", "POST"])
def prescription_create(request):
    """«Nueva prescripción»: header and lines; on success the number and the PDF."""
    options = CatalogOptions()
    if request.method == "GET":
        return _new_form(request, options)
    action = PrescriptionEntry.action(request.POST)
    if action is not None:
        # A button that only re-renders: one line more or less, one more active ingredient.
        types, refusal = _types_for(request)
        entry = PrescriptionEntry.rebuilt(
            request.POST, action, allowed_types=types, options=options, sedes=_sedes(request)
        )
        return _render_form(request, entry, types, refusal, focus_last_line=True)
    # The sedes as a QuerySet: read only for a posted sede (or to show the form again).
    entry = PrescriptionEntry(request.POST, options=options, sedes=_active_sedes(request))
    if entry.is_valid():
        try:
            prescription = prescription_issue(
                actor=request.user, entity=request.entity, **entry.service_kwargs()
            )
        except DomainError as error:
            entry.add_service_error(error)
        else:
            messages.success(
                request, _("Prescripción %(number)s emitida.") % {"number": prescription.number}
            )
            return redirect(
                url_for("prescription_detail", request.entity, prescription.external_id)
            )
    entry.header.show_sedes()
    return _render_form(request, entry, *_types_for(request))


@entity_any_permission_required(*PRESCRIBING_PERMS)
@require_GET
def prescription_renew(request, prescription_id):
    """«Renovar»: the form prefilled with a previous prescription of the same patient;
    codes no longer in force are left empty, each with a warning."""
    source = prescription_get(
        user=request.user,
        entity=request.entity,
        perms=request.entity_perms,
        external_id=prescription_id,
    )
    types, refusal = _types_for(request)
    header, lines, warnings = renewal_initial(
        source, allowed_types=types, only_line=request.GET.get("linea", "")
    )
    entry = PrescriptionEntry(
        options=CatalogOptions(), header=header, lines=lines, sedes=_sedes(request)
    )
    return _render_form(request, entry, types, refusal, renewing=source, warnings=warnings)


@entity_any_permission_required(*PRESCRIBING_PERMS)
@require_GET
def prescription_patient_panel(request):
    """The form's patient panel for `?document_type=&document_number=[&newborn_order=]`,
    as an HTML fragment the script puts in place."""
    document_type = request.GET.get("document_type", "")
    number = normalize_code(request.GET.get("document_number", ""))
    order = request.GET.get("newborn_order", "")
    if not (document_type and number):
        context = {"entity": request.entity, **_patient_context(request, None, None)}
        return render(request, "prescriptions/prescription_form.html#patient-panel", context)
    try:
        patient = patient_lookup(
            actor=request.user,
            entity=request.entity,
            document_type=document_type,
            document_number=number,
            newborn_order=int(order) if order.isdigit() else None,
        )
    except DomainError as error:
        # A fragment the script shows in place (it shows only successful answers).
        context = {"entity": request.entity, "lookup_refused": error.message}
    else:
        document = (document_type, number)
        context = {"entity": request.entity, **_patient_context(request, patient, document)}
    return render(request, "prescriptions/prescription_form.html#patient-panel", context)
