"""The prescription form, the consultas and the printed form (appended to prescriptions.urls,
so the names live in the "prescriptions" namespace)."""

from django.urls import path

from .views import catalog_search, consultas, prescribing

urlpatterns = [
    path(
        "catalogos/<str:name>/buscar.json",
        catalog_search.catalog_search_json,
        name="catalog_search",
    ),
    # The form
    path("<uuid:entity_id>/nueva/", prescribing.prescription_create, name="prescription_create"),
    path(
        "<uuid:entity_id>/nueva/paciente/",
        prescribing.prescription_patient_panel,
        name="prescription_patient_panel",
    ),
    path(
        "<uuid:entity_id>/<uuid:prescription_id>/renovar/",
        prescribing.prescription_renew,
        name="prescription_renew",
    ),
    # Consultas
    path("<uuid:entity_id>/mias/", consultas.prescription_list_own, name="prescription_list_own"),
    path(
        "<uuid:entity_id>/mias.csv",
        consultas.prescription_list_own_csv,
        name="prescription_list_own_csv",
    ),
    path(
        "<uuid:entity_id>/entidad/",
        consultas.prescription_list_entity,
        name="prescription_list_entity",
    ),
    path(
        "<uuid:entity_id>/entidad.csv",
        consultas.prescription_list_entity_csv,
        name="prescription_list_entity_csv",
    ),
    path(
        "<uuid:entity_id>/a-cargo/",
        consultas.prescription_list_payer,
        name="prescription_list_payer",
    ),
    path(
        "<uuid:entity_id>/a-cargo.csv",
        consultas.prescription_list_payer_csv,
        name="prescription_list_payer_csv",
    ),
    path(
        "<uuid:entity_id>/<uuid:prescription_id>/",
        consultas.prescription_detail,
        name="prescription_detail",
    ),
    path(
        "<uuid:entity_id>/<uuid:prescription_id>/pdf/",
        consultas.prescription_pdf,
        name="prescription_pdf",
    ),
]
