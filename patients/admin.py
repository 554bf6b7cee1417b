"""The support console for the patient's page (STYLE R18): read-only. Codes are not shown
(only their hash exists); renewal requests, notifications and opt-outs are searchable."""

from django.contrib import admin

from entities.admin import ReadOnlyAdmin

from .models import Notification, NotificationOptOut, RenewalRequest


@admin.register(RenewalRequest)
class RenewalRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "prescription", "line", "entity", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["prescription", "line__prescription", "entity"]
    search_fields = ["=prescription__number", "=patient__document_number"]
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["event", "recipient", "essential", "channel", "status", "created_at"]
    list_filter = ["status", "channel", "essential"]
    search_fields = ["event", "=recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(NotificationOptOut)
class NotificationOptOutAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "created_at"]
    search_fields = ["=recipient"]
