"""The delegate's GUID page, under the delegate's module (/cuentas/administracion/<id>/)."""

from django.urls import path

from .views import delegate

app_name = "ws_delegate"
urlpatterns = [
    path("", delegate.credentials, name="credentials"),
    path("rotar/", delegate.credential_rotate, name="rotate"),
    path("rotar/<str:code>/", delegate.credential_rotate, name="rotate_code"),
    path("creado/<int:credential_id>/", delegate.credential_created, name="created"),
]
