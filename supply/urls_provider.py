"""The proveedor's and the dispensador's pages (included by supply/urls.py, app "supply")."""

from django.urls import path

from .views import dispensador, provider

urlpatterns = [
    path("<uuid:entity_id>/por-programar/", provider.to_program, name="to_program"),
    path("<uuid:entity_id>/programar/<int:pk>/", provider.program, name="program"),
    path("<uuid:entity_id>/por-reportar/", provider.to_report, name="to_report"),
    path("<uuid:entity_id>/reportar/<int:pk>/", provider.report, name="report"),
    path("<uuid:entity_id>/por-facturar/", provider.to_invoice, name="to_invoice"),
    path("<uuid:entity_id>/facturar/<int:pk>/", provider.invoice, name="invoice"),
    path("<uuid:entity_id>/por-entregar/", dispensador.to_deliver, name="to_deliver"),
    path("<uuid:entity_id>/entregar/<int:pk>/", dispensador.deliver, name="deliver"),
    path("<uuid:entity_id>/buscar-prescripcion/", dispensador.lookup, name="lookup"),
    path(
        "<uuid:entity_id>/entregar-en-ambito/<uuid:prescription_id>/<str:line_key>/",
        dispensador.deliver_ambito,
        name="deliver_ambito",
    ),
]
