"""URLs of the Junta, Anulación, Transcripción and Tutelas pages, appended to
`prescriptions.urls` (same `prescriptions:` namespace)."""

from django.urls import path

from .views import junta, novelties, tutelas

urlpatterns = [
    # Junta de Profesionales
    path("<uuid:entity_id>/junta/", junta.junta_worklist, name="junta_worklist"),
    path("<uuid:entity_id>/junta/decisiones/", junta.junta_decisions, name="junta_decisions"),
    path(
        "<uuid:entity_id>/junta/<uuid:prescription_id>/<str:line_key>/",
        junta.junta_line_decide,
        name="junta_decide",
    ),
    # Anulación
    path("<uuid:entity_id>/anulacion/", novelties.annul_search, name="annul_search"),
    path(
        "<uuid:entity_id>/anulacion/<uuid:prescription_id>/",
        novelties.annul_confirm,
        name="annul_confirm",
    ),
    # Transcripción
    path(
        "<uuid:entity_id>/transcripciones/",
        novelties.transcription_list_view,
        name="transcription_list",
    ),
    path(
        "<uuid:entity_id>/transcripciones/nueva/",
        novelties.transcription_create,
        name="transcription_create",
    ),
    path(
        "<uuid:entity_id>/transcripciones/<uuid:prescription_id>/",
        novelties.transcription_detail,
        name="transcription_detail",
    ),
    # Tutelas
    path("<uuid:entity_id>/tutelas/", tutelas.tutela_list_view, name="tutela_list"),
    path("<uuid:entity_id>/tutelas/nueva/", tutelas.tutela_create, name="tutela_create"),
    path("<uuid:entity_id>/tutelas/<uuid:tutela_id>/", tutelas.tutela_detail, name="tutela_detail"),
    path(
        "<uuid:entity_id>/tutelas/<uuid:tutela_id>/anular/",
        tutelas.tutela_annul_confirm,
        name="tutela_annul",
    ),
]
