from django.urls import path

from . import urls_novelties, urls_prescribing
from .views import patients

app_name = "prescriptions"

urlpatterns = [
    # Patients (Admisión)
    path("<uuid:entity_id>/pacientes/", patients.patient_list, name="patient_list"),
    path("<uuid:entity_id>/pacientes/buscar/", patients.patient_search, name="patient_search"),
    path(
        "<uuid:entity_id>/pacientes/buscar.json",
        patients.patient_lookup_json,
        name="patient_lookup_json",
    ),
    path("<uuid:entity_id>/pacientes/nuevo/", patients.patient_register, name="patient_register"),
    path(
        "<uuid:entity_id>/pacientes/<uuid:patient_id>/",
        patients.patient_detail,
        name="patient_detail",
    ),
    path(
        "<uuid:entity_id>/pacientes/<uuid:patient_id>/editar/",
        patients.patient_edit,
        name="patient_edit",
    ),
]
urlpatterns += urls_novelties.urlpatterns
urlpatterns += urls_prescribing.urlpatterns
