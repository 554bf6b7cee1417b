from django.urls import path

from . import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path(
        "MedicationRequest/$prescription",
        views.prescription_everything,
        name="prescription",
    ),
    path("<str:resource_type>", views.resource_search, name="search"),
    path("<str:resource_type>/<str:resource_id>", views.resource_read, name="read"),
]
