"""Read-only support views of the credentials (STYLE R18): hashes only, never a secret."""

from django.contrib import admin

from .models import Credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["entity", "payer_code", "hint", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["entity__name", "entity__nit", "payer_code__code"]
    readonly_fields = [f.name for f in Credential._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
