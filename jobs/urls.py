from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("exportaciones/<uuid:export_id>/", views.export_detail, name="export"),
    path(
        "exportaciones/<uuid:export_id>/descargar/",
        views.export_download,
        name="export_download",
    ),
]
