from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "MIPRES abierto – Administración del Ministerio"
admin.site.site_title = "MIPRES abierto"
admin.site.index_title = "Administración"

urlpatterns = [
    path("", views.home, name="home"),
    path("ayuda/", views.help_page, name="help"),
    path("divipola/<str:code>/", views.divipola, name="divipola"),
    path("healthz", views.healthz, name="healthz"),
    path("cuentas/", include("accounts.urls")),
    path("entidades/", include("entities.urls")),
    path("prescripciones/", include("prescriptions.urls")),
    path("suministro/", include("supply.urls")),
    path("tareas/", include("jobs.urls")),
    path("fhir/r4/", include("fhir_api.urls")),
    path("paciente/", include("patients.urls")),
    path("solicitudes-renovacion/", include("patients.urls_ips")),
    path(
        "cuentas/administracion/<uuid:entity_id>/servicios-web/",
        include("webservices.urls_delegate"),
    ),
    # The MIPRES web services (their own base paths) and their OpenAPI schema.
    path("", include("webservices.urls")),
    path("admin/", admin.site.urls),
]
