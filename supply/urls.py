from django.urls import path

from . import urls_payer, urls_pendientes, urls_provider
from .views import annul, timeline

app_name = "supply"

urlpatterns = [
    path(
        "<uuid:entity_id>/prescripcion/<str:number>/",
        timeline.prescription_supply,
        name="prescription",
    ),
    path("<uuid:entity_id>/anular/<slug:kind>/<int:pk>/", annul.annul_confirm, name="annul"),
]
urlpatterns += urls_payer.urlpatterns
urlpatterns += urls_provider.urlpatterns
urlpatterns += urls_pendientes.urlpatterns
