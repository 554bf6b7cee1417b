"""Circular 044 de 2025 beyond the dispensador: the proveedor's entregas not reported within
8 days, and the payer's count, per proveedor, of open and overdue pendientes and of late
reports."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from entities.decorators import entity_permission_required

from ..selectors.pendientes import REPORT_DAYS, late_reports, payer_overview
from ..services.common import DIRECT, REPORT


@entity_permission_required(REPORT)
@require_GET
def provider_late_reports(request):
    today = timezone.localdate()
    rows = [
        {"entrega": e, "days": (today - e.delivered_on).days}
        for e in late_reports(provider=request.entity, today=today)[:500]
    ]
    context = {"entity": request.entity, "tab": "late_reports", "rows": rows, "days": REPORT_DAYS}
    return render(request, "supply/pendientes/late_reports.html", context)


@entity_permission_required(DIRECT)
@require_GET
def payer_providers(request):
    rows = payer_overview(payer=request.entity, today=timezone.localdate(), now=timezone.now())
    context = {
        "entity": request.entity,
        "tab": "payer_pendientes",
        "rows": rows,
        "days": REPORT_DAYS,
    }
    return render(request, "supply/pendientes/payer.html", context)
