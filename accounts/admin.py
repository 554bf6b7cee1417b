from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from entities.admin import BY_DEPARTMENT, AuditedAdmin

from .models import ProfessionalRecord, ProviderRegistryRecord, User

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


class RegistryAdmin(AuditedAdmin):
    """Registry mirrors are loaded by import_rethus / import_reps (or answered by a real
    service): support staff search them and may only switch `active`, which is audited."""

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in ("id", "active")]


@admin.register(ProfessionalRecord)
class ProfessionalRecordAdmin(RegistryAdmin):
    list_display = [
        "document_number",
        "document_type",
        "first_surname",
        "first_name",
        "profession",
        "registration_number",
        "active",
        "source",
        "updated_at",
    ]
    list_filter = ["profession", "active", "source", "document_type"]
    search_fields = [
        "document_number",
        "first_name",
        "middle_name",
        "first_surname",
        "second_surname",
        "registration_number",
    ]


@admin.register(ProviderRegistryRecord)
class ProviderRegistryRecordAdmin(RegistryAdmin):
    list_display = [
        "habilitation_code",
        "nit",
        "name",
        "municipality",
        "independent_professional",
        "active",
        "source",
    ]
    list_filter = [
        "independent_professional",
        "active",
        ("municipality__department", BY_DEPARTMENT),
        "source",
    ]
    search_fields = ["habilitation_code", "nit", "name", "document_number"]
    list_select_related = ["municipality__department"]
