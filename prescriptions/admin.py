"""The Ministry's support console for prescriptions (STYLE R18).

Catalogs are loaded from files (`manage.py import_catalog`); here they are searched and
filtered, and only a code's enabled flag may change. Every change is audited and nothing
is deleted: a disabled code stays valid for the prescriptions that used it.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from entities.admin import AuditedAdmin, ReadOnlyAdmin

from .models import (
    CATALOG_MODELS,
    Affiliation,
    ComplementaryService,
    DoseUnit,
    JuntaDecision,
    MeasurementUnit,
    NonDeliveryCause,
    Novelty,
    NutritionalProduct,
    Patient,
    Prescription,
    TechnologyLine,
    Tutela,
)
from .models.catalogs import search_filters


class CatalogAdmin(AuditedAdmin):
    list_display = ["code", "name", "enabled", "source", "version", "valid_from"]
    list_filter = ["enabled", "source", "version"]
    search_fields = ["code", "name"]
    search_help_text = _("Código (o su comienzo) o palabras del nombre, con o sin tildes.")
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        # Codes come from MinSalud's files; inventing one here would pass it as official.
        return False

    def get_readonly_fields(self, request, obj=None):
        return [
            field.name
            for field in self.model._meta.fields
            if field.name != "enabled" and field.editable and not field.primary_key
        ] + ["updated_at"]

    def get_search_results(self, request, queryset, search_term):
        # The catalogs' own search: code prefix or every word of the folded name, which
        # PostgreSQL answers from the indexes (the admin's icontains would scan).
        filters = search_filters(search_term)
        if filters is None:
            return queryset, False
        return queryset.filter(filters[1]), False


class UnitAdmin(CatalogAdmin):
    list_display = ["code", "symbol", "name", "enabled", "source", "version", "valid_from"]


class ComplementaryServiceAdmin(CatalogAdmin):
    list_display = ["code", "name", "code_period", "equivalent_code", "enabled", "source"]
    list_filter = ["enabled", "code_period", "source", "version"]


class NutritionalProductAdmin(CatalogAdmin):
    list_display = [
        "code",
        "name",
        "product_type",
        "physical_state",
        "package_quantity",
        "package_unit",
        "enabled",
        "source",
    ]
    list_filter = ["enabled", "physical_state", "source", "version"]
    list_select_related = ["product_type"]


class NonDeliveryCauseAdmin(CatalogAdmin):
    list_display = [
        "code",
        "name",
        "applies_to_medicine",
        "applies_to_procedure",
        "applies_to_device",
        "applies_to_nutritional",
        "applies_to_service",
        "for_no_direccionamiento",
        "for_partial_delivery",
        "enabled",
    ]
    list_filter = [
        "enabled",
        "applies_to_medicine",
        "applies_to_procedure",
        "applies_to_device",
        "applies_to_nutritional",
        "applies_to_service",
        "for_partial_delivery",
        "source",
    ]


SPECIAL_ADMINS = {
    MeasurementUnit: UnitAdmin,
    DoseUnit: UnitAdmin,
    ComplementaryService: ComplementaryServiceAdmin,
    NutritionalProduct: NutritionalProductAdmin,
    NonDeliveryCause: NonDeliveryCauseAdmin,
}

for catalog_model in CATALOG_MODELS:
    admin.site.register(catalog_model, SPECIAL_ADMINS.get(catalog_model, CatalogAdmin))


# Patients and affiliation ---------------------------------------------------------------
# Read-only: Admisión registers and updates patients in its own pages (audited by the
# services), and affiliations come only from the BDUA import (`manage.py import_bdua`).


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    can_delete = False
    fields = ["payer_code", "regime", "active", "start_date", "end_date", "source", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin):
    list_display = [
        "document_type",
        "document_number",
        "newborn_order",
        "first_surname",
        "first_name",
        "birth_date",
        "municipality",
        "registered_by_entity",
        "updated_at",
    ]
    list_filter = ["document_type", "sex"]
    list_select_related = ["municipality__department", "registered_by_entity"]
    search_fields = ["=document_number", "=mother_document_number", "first_surname"]
    search_help_text = _("Número de documento (del paciente o de la madre) exacto, o apellido.")
    show_full_result_count = False
    inlines = [AffiliationInline]


@admin.register(Affiliation)
class AffiliationAdmin(ReadOnlyAdmin):
    list_display = ["patient", "payer_code", "regime", "active", "start_date", "end_date", "source"]
    list_filter = ["active", "regime", "source"]
    list_select_related = ["patient", "payer_code"]
    search_fields = ["=patient__document_number", "=payer_code__code"]
    search_help_text = _("Número de documento del paciente o código EPS, exactos.")
    show_full_result_count = False
    raw_id_fields = ["patient"]


# Prescriptions, Junta decisions, novedades and tutelas: read-only, for support staff. They
# change only through the prescribers', the Junta's and the Anulador's own screens.
class LineInline(admin.TabularInline):
    model = TechnologyLine
    fields = ["technology_type", "order", "supply_type", "description", "total_quantity"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Prescription)
class PrescriptionAdmin(ReadOnlyAdmin):
    list_display = ["number", "prescribed_at", "status", "entity", "payer", "patient"]
    list_filter = ["status", "care_setting", "transcription_type"]
    search_fields = ["number", "patient__document_number", "prescriber__username"]
    list_select_related = ["entity", "payer", "patient"]
    date_hierarchy = "prescribed_at"
    show_full_result_count = False
    inlines = [LineInline]


@admin.register(JuntaDecision)
class JuntaDecisionAdmin(ReadOnlyAdmin):
    list_display = ["line", "result", "modality", "act_number", "act_date", "entity"]
    list_filter = ["result", "modality"]
    search_fields = ["act_number", "line__prescription__number"]
    list_select_related = ["line__prescription", "entity"]


@admin.register(Novelty)
class NoveltyAdmin(ReadOnlyAdmin):
    list_display = ["novelty_type", "original_number", "resulting_number", "created_at"]
    list_filter = ["novelty_type"]
    search_fields = ["original_number", "resulting_number"]


@admin.register(Tutela)
class TutelaAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "entity", "patient"]
    list_filter = ["status"]
    search_fields = ["number", "patient__document_number"]
    list_select_related = ["entity", "patient"]
    inlines = [LineInline]
