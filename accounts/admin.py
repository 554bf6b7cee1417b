from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from entities.admin import AuditedAdmin

from .models import User

DUPLICATE_DOCUMENT = _("Ya existe una persona registrada con este tipo y número de documento.")


class DocumentUniqueMixin:
    """Reports a duplicate document beside the number field (the unique constraint spans
    two fields, which Django would report above the form)."""

    def clean(self):
        cleaned = super().clean()
        document_type = cleaned.get("document_type")
        number = (cleaned.get("document_number") or "").strip().upper()
        if document_type and number:
            others = User.objects.filter(document_type=document_type, document_number=number)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("document_number", DUPLICATE_DOCUMENT)
        return cleaned


class UserCreationAdminForm(DocumentUniqueMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = [
            "document_type",
            "document_number",
            "first_name",
            "middle_name",
            "first_surname",
            "second_surname",
            "email",
            "phone",
        ]

    def validate_unique(self):
        # The document check above reports it beside the field; skip the duplicate message.
        self.instance.validate_constraints(exclude={"document_type", "document_number"})


class UserChangeAdminForm(DocumentUniqueMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def validate_unique(self):
        self.instance.validate_constraints(exclude={"document_type", "document_number"})


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ["username", "first_name", "first_surname", "email", "is_active", "is_staff"]
    list_filter = ["document_type", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "document_number", "first_name", "first_surname", "email"]
    ordering = ["first_surname", "first_name"]
    readonly_fields = ["username", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "document_type", "document_number", "password"]}),
        (
            _("Datos personales"),
            {
                "fields": [
                    ("first_name", "middle_name"),
                    ("first_surname", "second_surname"),
                    "email",
                    "phone",
                ]
            },
        ),
        (
            _("Permisos en la administración"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Fechas"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "document_type",
                    "document_number",
                    ("first_name", "middle_name"),
                    ("first_surname", "second_surname"),
                    "email",
                    "phone",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
