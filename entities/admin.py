"""The Ministry's support console (STYLE R18): search and filters everywhere; statuses,
periods and the audit trail are read-only here, and every save is audited."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from mipres.lib.admin_filters import titled
from mipres.lib.errors import DomainError

from . import audit, services
from .models import (
    AuditEntry,
    Department,
    Entity,
    Membership,
    Municipality,
    NetworkLink,
    PayerCode,
    Sede,
    TerritorialLink,
)

BY_DEPARTMENT = titled(_("departamento"))  # the field has no verbose name of its own
UNKNOWN_MUNICIPALITY = _("No existe un municipio con el código DIVIPOLA «%(value)s».")


class AuditedAdmin(admin.ModelAdmin):
    """Saves made in the admin leave an audit entry, in the admin's own transaction."""

    def has_delete_permission(self, request, obj=None):
        # Registry and clinical data are corrected or inactivated, never deleted.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Municipality:
            kwargs["error_messages"] = {"invalid_choice": UNKNOWN_MUNICIPALITY}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        meta = obj._meta
        audit.log(
            actor=request.user,
            action=f"{meta.app_label}.{meta.model_name}.{'changed' if change else 'created'}",
            entity=_entity_of(obj),
            target=obj,
            data={"fields": form.changed_data, "via": "admin"},
        )


def _entity_of(obj):
    if isinstance(obj, Entity):
        return obj
    return getattr(obj, "entity", None)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["code", "name", "department_name"]
    list_filter = [("department", BY_DEPARTMENT)]
    search_fields = ["code", "name"]
    list_select_related = ["department"]

    @admin.display(description=_("departamento"), ordering="department__name")
    def department_name(self, obj):
        return obj.department


class PayerCodeInline(admin.TabularInline):
    model = PayerCode
    extra = 0
    can_delete = False


class SedeInline(admin.TabularInline):
    model = Sede
    extra = 0
    can_delete = False
    autocomplete_fields = ["municipality"]
    fields = ["code", "name", "address", "municipality", "phone", "active"]


@admin.register(Entity)
class EntityAdmin(AuditedAdmin):
    list_display = [
        "name",
        "entity_type",
        "nit_display",
        "municipality",
        "status",
        "registration_confirmed_at",
        "created_at",
    ]
    list_filter = [
        "status",
        ("registration_confirmed_at", admin.EmptyFieldListFilter),
        "entity_type",
        ("municipality__department", BY_DEPARTMENT),
    ]
    search_fields = ["name", "nit", "reps_code", "payer_codes__code"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality", "legal_representative", "pending_delegate"]
    readonly_fields = [
        "status",
        "created_at",
        "registration_confirmed_at",
        "verified_at",
        "external_id",
    ]
    inlines = [PayerCodeInline, SedeInline]
    actions = ["verify", "suspend"]
    fieldsets = [
        (None, {"fields": ["entity_type", ("nit", "dv"), "name", "status"]}),
        (_("Ubicación y contacto"), {"fields": ["municipality", "address", "phone", "email"]}),
        (_("Códigos"), {"fields": ["reps_code", "dane_code"]}),
        (
            _("Responsables y fechas"),
            {
                "fields": [
                    "legal_representative",
                    "pending_delegate",
                    "created_at",
                    "registration_confirmed_at",
                    "verified_at",
                    "external_id",
                ]
            },
        ),
    ]

    @admin.display(description=_("NIT"), ordering="nit")
    def nit_display(self, obj):
        return obj.nit_display

    def save_formset(self, request, form, formset, change):
        instances = formset.save()
        for obj in instances:
            audit.log(
                actor=request.user,
                action=f"entities.{obj._meta.model_name}.saved",
                entity=form.instance,
                target=obj,
                data={"via": "admin"},
            )

    def _transition(self, request, queryset, service, done_message, **kwargs):
        done = 0
        for entity in queryset:
            try:
                service(actor=request.user, entity=entity, **kwargs)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{entity.name}: {error}", messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Verificar las entidades seleccionadas"), permissions=["verify"])
    def verify(self, request, queryset):
        self._transition(
            request, queryset, services.entity_verify, _("%(count)s entidad(es) verificada(s).")
        )

    @admin.action(description=_("Suspender las entidades seleccionadas"), permissions=["verify"])
    def suspend(self, request, queryset):
        self._transition(
            request,
            queryset,
            services.entity_suspend,
            _("%(count)s entidad(es) suspendida(s)."),
            reason=_("Suspendida desde la administración del Ministerio."),
        )

    def has_verify_permission(self, request):
        return request.user.has_perm("entities.verify_entity")


@admin.register(PayerCode)
class PayerCodeAdmin(AuditedAdmin):
    list_display = ["code", "regime", "entity", "active"]
    list_filter = ["regime", "active"]
    search_fields = ["code", "entity__name", "entity__nit"]
    autocomplete_fields = ["entity"]


@admin.register(Sede)
class SedeAdmin(AuditedAdmin):
    list_display = ["code", "name", "entity", "municipality", "active"]
    list_filter = ["active", "entity__entity_type", ("municipality__department", BY_DEPARTMENT)]
    search_fields = ["code", "name", "entity__name", "entity__nit"]
    list_select_related = ["entity", "municipality"]
    autocomplete_fields = ["entity", "municipality"]


class PeriodAdmin(ReadOnlyAdmin):
    """Periods open and close through the delegates' own screens, which audit them."""

    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "started_at"


@admin.register(Membership)
class MembershipAdmin(PeriodAdmin):
    list_display = ["user", "entity", "role", "started_at", "ended_at"]
    list_filter = ["role", "entity__entity_type", *PeriodAdmin.list_filter]
    search_fields = ["user__username", "user__first_surname", "entity__name", "entity__nit"]
    list_select_related = ["user", "entity"]


@admin.register(NetworkLink)
class NetworkLinkAdmin(PeriodAdmin):
    list_display = ["payer", "payer_code", "territory", "provider", "started_at", "ended_at"]
    list_filter = ["payer_code__regime", *PeriodAdmin.list_filter]
    search_fields = ["payer__name", "payer_code__code", "provider__name", "provider__nit"]
    list_select_related = ["payer", "payer_code", "territory", "provider"]


@admin.register(TerritorialLink)
class TerritorialLinkAdmin(PeriodAdmin):
    list_display = ["territory", "payer_code", "started_at", "ended_at"]
    search_fields = ["territory__name", "payer_code__code", "payer_code__entity__name"]
    list_select_related = ["territory", "payer_code"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "entity", "object_id"]
    list_filter = ["action", "entity__entity_type"]
    search_fields = ["action", "actor__username", "entity__name", "entity__nit", "object_id"]
    list_select_related = ["actor", "entity"]
    date_hierarchy = "created_at"
