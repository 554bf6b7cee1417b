from django.urls import path

from . import views

app_name = "entities"

urlpatterns = [
    path("<uuid:entity_id>/", views.entity_detail, name="detail"),
    path("<uuid:entity_id>/auditoria/", views.entity_audit, name="audit"),
]
