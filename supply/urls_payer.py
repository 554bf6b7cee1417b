"""The payer's pages (EPS/EOC/ET Administrativo), included by supply/urls.py."""

from django.urls import path

from .views import payer

urlpatterns = [
    path("<uuid:entity_id>/por-direccionar/", payer.to_direct, name="to_direct"),
    path("<uuid:entity_id>/tecnologia/<int:line_id>/direccionar/", payer.direct, name="direct"),
    path(
        "<uuid:entity_id>/tecnologia/<int:line_id>/no-direccionar/",
        payer.no_direct,
        name="no_direct",
    ),
    path("<uuid:entity_id>/tecnologia/<int:line_id>/incluir/", payer.include, name="include"),
    path("<uuid:entity_id>/direccionados/", payer.directed, name="directed"),
    path(
        "<uuid:entity_id>/suministro-y-datos-facturados/",
        payer.payer_reports,
        name="payer_reports",
    ),
    path(
        "<uuid:entity_id>/entregable/<int:deliverable_id>/suministro/",
        payer.suministro,
        name="suministro",
    ),
    path(
        "<uuid:entity_id>/facturacion/<int:facturacion_id>/datos-facturados/",
        payer.datos_facturados,
        name="datos_facturados",
    ),
    path(
        "<uuid:entity_id>/pendientes-por-paciente/", payer.patient_pending, name="patient_pending"
    ),
]
