"""Pendientes, late reports and the payer's view of both (included by supply/urls.py, app
"supply")."""

from django.urls import path

from .views import pendientes, pendientes_overview

urlpatterns = [
    path("<uuid:entity_id>/pendientes/", pendientes.pendientes, name="pendientes"),
    path("<uuid:entity_id>/pendiente/<int:pk>/", pendientes.pendiente_new, name="pendiente_new"),
    path(
        "<uuid:entity_id>/reportes-tardios/",
        pendientes_overview.provider_late_reports,
        name="late_reports",
    ),
    path(
        "<uuid:entity_id>/pendientes-por-proveedor/",
        pendientes_overview.payer_providers,
        name="payer_pendientes",
    ),
]
