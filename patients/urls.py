from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.start, name="start"),
    path("codigo/", views.code, name="code"),
    path("recetas/", views.home, name="home"),
    path("qr/<str:number>.svg", views.qr, name="qr"),
    path("renovar/<int:line_id>/", views.renew, name="renew"),
    path("avisos/", views.messages_preference, name="messages"),
    path("salir/", views.sign_out, name="sign_out"),
]
