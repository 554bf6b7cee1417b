"""The dispensador's pendientes (included by supply/urls.py, app "supply")."""

from django.urls import path

from .views import pendientes

urlpatterns = [
    path("<uuid:entity_id>/pendientes/", pendientes.pendientes, name="pendientes"),
    path("<uuid:entity_id>/pendiente/<int:pk>/", pendientes.pendiente_new, name="pendiente_new"),
]
