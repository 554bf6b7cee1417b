from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import forms
from .views import delegate, registration, rethus

app_name = "accounts"

urlpatterns = [
    # Public registration (seeds 000–002).
    path("registro/persona/", registration.person_register, name="person_register"),
    path("registro/credenciales/", registration.credentials_request, name="credentials_request"),
    path(
        "registro/credenciales/<uidb64>/<token>/",
        registration.CredentialsSetView.as_view(),
        name="credentials_set",
    ),
    path("registro/entidad/", registration.entity_register, name="entity_register"),
    path(
        "registro/entidad/confirmar/<str:token>/",
        registration.entity_confirm,
        name="entity_confirm",
    ),
    path("registro/delegado/", registration.delegate_change, name="delegate_change"),
    path(
        "registro/delegado/confirmar/<str:token>/",
        registration.delegate_confirm,
        name="delegate_confirm",
    ),
    path("rethus/", rethus.rethus_lookup, name="rethus_lookup"),
    path(
        "ingresar/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=forms.LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "contrasena/cambiar/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            form_class=forms.CrispyPasswordChangeForm,
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "contrasena/cambiada/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "contrasena/restablecer/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=forms.CrispyPasswordResetForm,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "contrasena/restablecer/enviado/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "contrasena/restablecer/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            form_class=forms.CrispySetPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "contrasena/restablecer/listo/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # Delegate's module ("Módulo de Administración de Usuarios"), one per entity.
    path("administracion/<uuid:entity_id>/", delegate.home, name="module_home"),
    path("administracion/<uuid:entity_id>/usuarios/", delegate.users, name="module_users"),
    path(
        "administracion/<uuid:entity_id>/usuarios/csv/",
        delegate.users_csv,
        name="module_users_csv",
    ),
    path(
        "administracion/<uuid:entity_id>/usuarios/activar/",
        delegate.activate,
        name="module_activate",
    ),
    path(
        "administracion/<uuid:entity_id>/usuarios/<uuid:membership_id>/inactivar/",
        delegate.membership_inactivate,
        name="module_membership_inactivate",
    ),
    path(
        "administracion/<uuid:entity_id>/usuarios/<uuid:membership_id>/historial/",
        delegate.membership_history,
        name="module_membership_history",
    ),
    path("administracion/<uuid:entity_id>/sedes/", delegate.sedes, name="module_sedes"),
    path(
        "administracion/<uuid:entity_id>/sedes/nueva/",
        delegate.sede_create,
        name="module_sede_create",
    ),
    path(
        "administracion/<uuid:entity_id>/sedes/<uuid:sede_id>/editar/",
        delegate.sede_edit,
        name="module_sede_edit",
    ),
    path(
        "administracion/<uuid:entity_id>/sedes/<uuid:sede_id>/estado/",
        delegate.sede_toggle,
        name="module_sede_toggle",
    ),
    path("administracion/<uuid:entity_id>/red/", delegate.network, name="module_network"),
    path(
        "administracion/<uuid:entity_id>/red/csv/",
        delegate.network_csv,
        name="module_network_csv",
    ),
    path(
        "administracion/<uuid:entity_id>/red/asociar/",
        delegate.network_associate,
        name="module_network_associate",
    ),
    path(
        "administracion/<uuid:entity_id>/red/<uuid:link_id>/inactivar/",
        delegate.network_inactivate,
        name="module_network_inactivate",
    ),
    path(
        "administracion/<uuid:entity_id>/red/<uuid:link_id>/historial/",
        delegate.network_history,
        name="module_network_history",
    ),
    path(
        "administracion/<uuid:entity_id>/territorio/",
        delegate.territory,
        name="module_territory",
    ),
    path(
        "administracion/<uuid:entity_id>/territorio/asociar/",
        delegate.territory_associate,
        name="module_territory_associate",
    ),
    path(
        "administracion/<uuid:entity_id>/territorio/<uuid:link_id>/inactivar/",
        delegate.territory_inactivate,
        name="module_territory_inactivate",
    ),
    path(
        "administracion/<uuid:entity_id>/territorio/<uuid:link_id>/historial/",
        delegate.territory_history,
        name="module_territory_history",
    ),
]
