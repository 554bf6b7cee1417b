from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors
from .decorators import entity_permission_required
from .permissions import VIEW_ENTITY


@entity_permission_required(VIEW_ENTITY)
def entity_detail(request):
    """An entity's page: its data, sedes, codes and network; members and audit for the
    delegate."""
    entity = request.entity
    context = {
        "entity": entity,
        "payer_codes": list(entity.payer_codes.order_by("code")),
        "sedes": selectors.sede_list(entity=entity),
        "network_as_payer": selectors.network_list_as_payer(entity=entity),
        "network_as_provider": selectors.network_list_as_provider(entity=entity),
        "territorial_links": selectors.territorial_link_list(entity=entity),
    }
    if "entities.manage_users" in request.entity_perms:
        context["members"] = selectors.member_list(entity=entity)
    return render(request, "entities/entity_detail.html", context)


@entity_permission_required("entities.view_audit")
def entity_audit(request):
    """The entity's audit trail, newest first, for its delegate."""
    page = Paginator(selectors.audit_list(entity=request.entity), 50).get_page(
        request.GET.get("pagina")
    )
    return render(request, "entities/entity_audit.html", {"entity": request.entity, "page": page})
