"""The delegate's module, "Módulo de Administración de Usuarios" (seeds 000 and 002).

One entry point per entity; each section needs the permission the entity type gives its
delegate: users (entities.manage_users, every type), sedes (entities.manage_sedes, IPS and
proveedor), network (entities.manage_network, EPS/EOC/ET) and territory
(entities.manage_territory, ET). Views are thin (STYLE R3): the decorator resolves the
entity, a selector scoped by it fetches the object (another entity's answers 404), a form
validates, one service writes.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from entities import services as entity_services
from entities.decorators import entity_permission_required
from entities.permissions import Role
from mipres.db import replica_reads
from mipres.lib.errors import DomainError
from mipres.lib.export_tasks import entity_export

from .. import selectors, services
from ..forms.delegate import (
    ActivateForm,
    NetworkAssociateForm,
    NetworkFilterForm,
    ReasonForm,
    SedeForm,
    SedeStateForm,
    TerritoryAssociateForm,
    TerritoryFilterForm,
    UserFilterForm,
)

MANAGE_USERS = "entities.manage_users"
MANAGE_SEDES = "entities.manage_sedes"
MANAGE_NETWORK = "entities.manage_network"
MANAGE_TERRITORY = "entities.manage_territory"
PAGE_SIZE = 25
# Excel as configured in Colombia (decimal comma) splits CSV columns on semicolons, and
# needs the BOM to read UTF-8 accents.


def _url(name: str, entity, *args) -> str:
    return reverse(f"accounts:{name}", args=[entity.external_id, *args])


def _page(request, queryset) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _person(user) -> str:
    return user.get_full_name() if user else _("Sistema")


def _csv_response(request, name: str, header: list[str], rows) -> HttpResponse:
    return entity_export(request, "csv", name, header, rows)


@entity_permission_required(MANAGE_USERS)
@require_GET
def home(request):
    """The module's entry point: what this entity type's delegate can do here."""
    entity, perms = request.entity, request.entity_perms
    context = {"entity": entity, "members": selectors.member_counts(entity=entity)}
    if MANAGE_SEDES in perms:
        context["sedes"] = selectors.sede_list(entity=entity)
    if MANAGE_NETWORK in perms:
        context["network"] = selectors.network_counts(payer=entity)
    if MANAGE_TERRITORY in perms:
        context["territory_count"] = selectors.territorial_link_list(territory=entity).count()
    return render(request, "accounts/module/home.html", context)


# Users ---------------------------------------------------------------------------------


def _membership_list(request):
    form = UserFilterForm(request.GET or None, entity=request.entity)
    return form, selectors.membership_list(entity=request.entity, **form.filters())


@entity_permission_required(MANAGE_USERS)
@require_GET
def users(request):
    """«Consulta de usuarios»: the entity's role periods, with filters and pages."""
    form, memberships = _membership_list(request)
    context = {"entity": request.entity, "form": form, "page": _page(request, memberships)}
    return render(request, "accounts/module/users.html", context)


@entity_permission_required(MANAGE_USERS)
@require_GET
def users_csv(request):
    """The same filtered list as a CSV file for Excel (UTF-8 with BOM, ';')."""
    _form, memberships = _membership_list(request)
    header = [
        _("Tipo de documento"),
        _("Número de documento"),
        _("Nombre completo"),
        _("Rol"),
        _("Estado"),
        _("Sedes"),
        _("Código REPS"),
        _("Desde"),
        _("Hasta"),
        _("Activado por"),
        _("Inactivado por"),
    ]
    rows = (
        [
            m.user.document_type,
            m.user.document_number,
            m.user.get_full_name(),
            m.get_role_display(),
            _("Activo") if m.is_active else _("Inactivo"),
            ", ".join(f"{s.code} {s.name}" for s in m.sedes.all())
            or (_("Todas") if m.role == Role.DISPENSADOR else ""),
            m.reps_code,
            _when(m.started_at),
            _when(m.ended_at),
            _person(m.started_by),
            _person(m.ended_by) if m.ended_at else "",
        ]
        for m in memberships.iterator(chunk_size=500)
    )
    return _csv_response(request, "usuarios", header, rows)


@entity_permission_required(MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def activate(request):
    """«Activar usuario»: by document type and number (never a password), with «Buscar»
    to see who the document belongs to before activating."""
    entity = request.entity
    form = ActivateForm(request.POST or None, entity=entity)
    preview = None
    if request.method == "POST" and request.POST.get("action") == ActivateForm.PREVIEW:
        if form.is_valid_for_preview():
            data = form.cleaned_data
            preview = selectors.person_preview(
                data["document_type"], data["document_number"], entity=entity
            )
    elif request.method == "POST" and form.is_valid():
        try:
            membership = services.staff_activate(
                actor=request.user, entity=entity, **form.service_kwargs()
            )
        except DomainError as error:
            if error.code != "already_active":
                form.add_service_error(error)
            else:
                messages.info(request, error.message)
                return redirect(_url("module_users", entity))
        else:
            messages.success(
                request,
                _("%(name)s quedó activo(a) como %(role)s.")
                % {"name": membership.user.get_full_name(), "role": membership.get_role_display()},
            )
            return redirect(_url("module_users", entity))
    context = {"entity": entity, "form": form, "preview": preview}
    return render(request, "accounts/module/activate.html", context)


@entity_permission_required(MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def membership_inactivate(request, membership_id):
    """Confirmation page with the reason, then the inactivation (STYLE R8)."""
    membership = selectors.membership_get(entity=request.entity, external_id=membership_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entity_services.membership_inactivate(
                actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s ya no tiene el rol %(role)s en la entidad.")
                % {"name": membership.user.get_full_name(), "role": membership.get_role_display()},
            )
        return redirect(_url("module_users", request.entity))
    context = {"entity": request.entity, "membership": membership, "form": form}
    return render(request, "accounts/module/membership_inactivate.html", context)


@entity_permission_required(MANAGE_USERS)
@require_GET
def membership_history(request, membership_id):
    """Every role period of the person in this entity, and their audit entries."""
    membership = selectors.membership_get(entity=request.entity, external_id=membership_id)
    periods = selectors.membership_history(entity=request.entity, user=membership.user)
    context = {
        "entity": request.entity,
        "person": membership.user,
        "periods": periods,
        "entries": selectors.audit_list_for(entity=request.entity, objects=periods),
    }
    return render(request, "accounts/module/membership_history.html", context)


# Sedes ---------------------------------------------------------------------------------


@entity_permission_required(MANAGE_SEDES)
@require_GET
@replica_reads()
def sedes(request):
    context = {"entity": request.entity, "sedes": selectors.sede_list(entity=request.entity)}
    return render(request, "accounts/module/sedes.html", context)


@entity_permission_required(MANAGE_SEDES)
@require_http_methods(["GET", "POST"])
def sede_create(request):
    form = SedeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sede = entity_services.sede_create(
                actor=request.user, entity=request.entity, **form.cleaned_data
            )
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Sede %(sede)s creada.") % {"sede": sede})
            return redirect(_url("module_sedes", request.entity))
    context = {"entity": request.entity, "form": form, "sede": None}
    return render(request, "accounts/module/sede_form.html", context)


@entity_permission_required(MANAGE_SEDES)
@require_http_methods(["GET", "POST"])
def sede_edit(request, sede_id):
    sede = selectors.sede_get(entity=request.entity, external_id=sede_id)
    form = SedeForm(request.POST or None, sede=sede)
    if request.method == "POST" and form.is_valid():
        try:
            sede = entity_services.sede_update(actor=request.user, sede=sede, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Sede %(sede)s actualizada.") % {"sede": sede})
            return redirect(_url("module_sedes", request.entity))
    context = {"entity": request.entity, "form": form, "sede": sede}
    return render(request, "accounts/module/sede_form.html", context)


@entity_permission_required(MANAGE_SEDES)
@require_http_methods(["GET", "POST"])
def sede_toggle(request, sede_id):
    """Inactivate a sede (with a reason) or reactivate it, after a confirmation page."""
    sede = selectors.sede_get(entity=request.entity, external_id=sede_id)
    form = SedeStateForm(request.POST or None, sede=sede)
    if request.method == "POST" and form.is_valid():
        try:
            entity_services.sede_set_active(
                actor=request.user,
                sede=sede,
                active=form.activate,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            # The sede already is as asked (e.g. a repeated submission): nothing changed.
            messages.info(request, error.message)
        else:
            if form.activate:
                messages.success(request, _("Sede %(sede)s reactivada.") % {"sede": sede})
            else:
                messages.success(request, _("Sede %(sede)s inactivada.") % {"sede": sede})
        return redirect(_url("module_sedes", request.entity))
    context = {"entity": request.entity, "sede": sede, "form": form}
    return render(request, "accounts/module/sede_toggle.html", context)


# Network -------------------------------------------------------------------------------


def _network_list(request):
    form = NetworkFilterForm(request.GET or None, payer=request.entity)
    return form, selectors.network_link_list(payer=request.entity, **form.filters())


@entity_permission_required(MANAGE_NETWORK)
@require_GET
def network(request):
    """«Consulta de entidades»: the IPS and proveedores in the payer's network."""
    form, links = _network_list(request)
    context = {"entity": request.entity, "form": form, "page": _page(request, links)}
    return render(request, "accounts/module/network.html", context)


@entity_permission_required(MANAGE_NETWORK)
@require_GET
def network_csv(request):
    _form, links = _network_list(request)
    header = [
        _("Código EPS"),
        _("Régimen"),
        _("Entidad territorial"),
        _("Tipo"),
        _("NIT"),
        _("Razón social"),
        _("Municipio"),
        _("Estado"),
        _("Desde"),
        _("Hasta"),
        _("Asociado por"),
        _("Inactivado por"),
    ]
    rows = (
        [
            link.payer_code.code if link.payer_code else "",
            link.payer_code.get_regime_display() if link.payer_code else "",
            link.territory.name if link.territory else "",
            link.provider.get_entity_type_display(),
            link.provider.nit_display,
            link.provider.name,
            link.provider.municipality.name,
            _("Activo") if link.is_active else _("Inactivo"),
            _when(link.started_at),
            _when(link.ended_at),
            _person(link.started_by),
            _person(link.ended_by) if link.ended_at else "",
        ]
        for link in links.iterator(chunk_size=500)
    )
    return _csv_response(request, "red", header, rows)


@entity_permission_required(MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def network_associate(request):
    """«Asociar IPS o proveedor» by NIT, per código EPS (and territory for subsidiado)."""
    entity = request.entity
    form = NetworkAssociateForm(request.POST or None, payer=entity)
    if request.method == "POST" and form.is_valid():
        try:
            link = entity_services.network_link_activate(
                actor=request.user, payer=entity, **form.service_kwargs()
            )
        except DomainError as error:
            if error.code != "already_active":
                form.add_service_error(error)
            else:
                messages.info(request, error.message)
                return redirect(_url("module_network", entity))
        else:
            messages.success(
                request,
                _("%(provider)s quedó asociada a su red.") % {"provider": link.provider.name},
            )
            return redirect(_url("module_network", entity))
    context = {"entity": entity, "form": form}
    return render(request, "accounts/module/network_associate.html", context)


@entity_permission_required(MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def network_inactivate(request, link_id):
    link = selectors.network_link_get(payer=request.entity, external_id=link_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entity_services.network_link_inactivate(
                actor=request.user, link=link, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(provider)s salió de su red.") % {"provider": link.provider.name},
            )
        return redirect(_url("module_network", request.entity))
    context = {"entity": request.entity, "link": link, "form": form}
    return render(request, "accounts/module/network_inactivate.html", context)


@entity_permission_required(MANAGE_NETWORK)
@require_GET
def network_history(request, link_id):
    link = selectors.network_link_get(payer=request.entity, external_id=link_id)
    context = {
        "entity": request.entity,
        "link": link,
        "entries": selectors.audit_list_for(entity=request.entity, objects=[link]),
    }
    return render(request, "accounts/module/network_history.html", context)


# Territory -----------------------------------------------------------------------------


@entity_permission_required(MANAGE_TERRITORY)
@require_GET
def territory(request):
    """The subsidiado EPS codes the entidad territorial has associated."""
    form = TerritoryFilterForm(request.GET or None)
    links = selectors.territorial_link_list(territory=request.entity, **form.filters())
    context = {"entity": request.entity, "form": form, "page": _page(request, links)}
    return render(request, "accounts/module/territory.html", context)


@entity_permission_required(MANAGE_TERRITORY)
@require_http_methods(["GET", "POST"])
def territory_associate(request):
    """«Asociar EPS del régimen subsidiado» by its código EPS."""
    entity = request.entity
    form = TerritoryAssociateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = entity_services.territorial_link_activate(
                actor=request.user, territory=entity, payer_code=form.cleaned_data["payer_code"]
            )
        except DomainError as error:
            if error.code != "already_active":
                form.add_service_error(error)
            else:
                messages.info(request, error.message)
                return redirect(_url("module_territory", entity))
        else:
            messages.success(
                request,
                _("La EPS %(name)s (código %(code)s) quedó asociada en su territorio.")
                % {"name": link.payer_code.entity.name, "code": link.payer_code.code},
            )
            return redirect(_url("module_territory", entity))
    context = {"entity": entity, "form": form}
    return render(request, "accounts/module/territory_associate.html", context)


@entity_permission_required(MANAGE_TERRITORY)
@require_http_methods(["GET", "POST"])
def territory_inactivate(request, link_id):
    """Ends the association; the EPS's network links in the territory end with it."""
    link = selectors.territorial_link_get(territory=request.entity, external_id=link_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entity_services.territorial_link_inactivate(
                actor=request.user, link=link, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("La EPS con código %(code)s ya no está asociada en su territorio.")
                % {"code": link.payer_code.code},
            )
        return redirect(_url("module_territory", request.entity))
    context = {
        "entity": request.entity,
        "link": link,
        "form": form,
        "dependents": selectors.territorial_dependent_links(link=link) if link.is_active else [],
    }
    return render(request, "accounts/module/territory_inactivate.html", context)


@entity_permission_required(MANAGE_TERRITORY)
@require_GET
def territory_history(request, link_id):
    link = selectors.territorial_link_get(territory=request.entity, external_id=link_id)
    context = {
        "entity": request.entity,
        "link": link,
        "entries": selectors.audit_list_for(entity=request.entity, objects=[link]),
    }
    return render(request, "accounts/module/territory_history.html", context)
