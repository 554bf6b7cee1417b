"""The Ministry's support console for supply records (STYLE R18): searchable and
read-only. Every change goes through the services (the worklists and the web services),
so an annulment keeps its order, its reason and its audit entry."""

from django.contrib import admin

from entities.admin import ReadOnlyAdmin

from .models import (
    DatosFacturados,
    Deliverable,
    Direccionamiento,
    Entrega,
    Facturacion,
    NoDireccionamiento,
    Pendiente,
    ProcedureSupply,
    Programacion,
    ReporteEntrega,
    Suministro,
)

_NUMBER = "deliverable__prescription__number"


class StepAdmin(ReadOnlyAdmin):
    list_filter = ["status", "channel"]
    search_fields = ["=id", "=deliverable__id", _NUMBER]
    list_select_related = ["deliverable__prescription", "deliverable__line", "entity"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50

    def get_list_display(self, request):
        return ["id", "deliverable", "status", "created_at", "entity", *self.extra_columns]

    extra_columns: list[str] = []


@admin.register(Deliverable)
class DeliverableAdmin(ReadOnlyAdmin):
    list_display = ["id", "prescription", "line", "delivery_number", "sub_number", "payer"]
    search_fields = ["=id", "prescription__number"]
    list_select_related = ["prescription", "line__prescription", "payer"]
    show_full_result_count = False


@admin.register(Direccionamiento)
class DireccionamientoAdmin(StepAdmin):
    extra_columns = ["provider", "quantity", "max_delivery_date"]
    list_select_related = [*StepAdmin.list_select_related, "provider"]


@admin.register(Programacion)
class ProgramacionAdmin(StepAdmin):
    extra_columns = ["sede", "quantity", "max_delivery_date"]
    list_select_related = [*StepAdmin.list_select_related, "sede"]


@admin.register(Entrega)
class EntregaAdmin(StepAdmin):
    extra_columns = ["quantity", "total", "in_ambito", "delivered_on"]
    list_filter = [*StepAdmin.list_filter, "in_ambito", "total"]


@admin.register(ReporteEntrega)
class ReporteEntregaAdmin(StepAdmin):
    extra_columns = ["delivered", "value"]


@admin.register(Facturacion)
class FacturacionAdmin(StepAdmin):
    extra_columns = ["invoice_number", "total_value"]
    search_fields = [*StepAdmin.search_fields, "invoice_number"]


@admin.register(DatosFacturados)
class DatosFacturadosAdmin(StepAdmin):
    extra_columns = ["comparator", "total_delivered"]


@admin.register(Suministro)
class SuministroAdmin(StepAdmin):
    extra_columns = ["quantity", "complete", "value"]


@admin.register(NoDireccionamiento)
class NoDireccionamientoAdmin(ReadOnlyAdmin):
    list_display = ["id", "prescription", "line", "cause", "status", "created_at", "entity"]
    list_filter = ["status", "channel"]
    search_fields = ["=id", "prescription__number"]
    list_select_related = ["prescription", "line__prescription", "cause", "entity"]


@admin.register(ProcedureSupply)
class ProcedureSupplyAdmin(ReadOnlyAdmin):
    list_display = ["id", "line", "procedure_line", "status", "created_at", "entity"]
    list_filter = ["status"]
    search_fields = ["=id", "line__prescription__number"]
    list_select_related = ["line__prescription", "procedure_line__prescription", "entity"]


@admin.register(Pendiente)
class PendienteAdmin(ReadOnlyAdmin):
    list_display = ["id", "deliverable", "status", "quantity", "promised_at", "entity"]
    list_filter = ["status"]
    search_fields = ["=id", "=deliverable__id", _NUMBER]
    list_select_related = ["deliverable__prescription", "deliverable__line", "entity"]
    show_full_result_count = False
