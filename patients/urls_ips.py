from django.urls import path

from . import views_ips

app_name = "patient_renewals"

urlpatterns = [
    path("<uuid:entity_id>/", views_ips.worklist, name="worklist"),
    path("<uuid:entity_id>/<int:pk>/aceptar/", views_ips.accept, name="accept"),
    path("<uuid:entity_id>/<int:pk>/rechazar/", views_ips.decline, name="decline"),
]
