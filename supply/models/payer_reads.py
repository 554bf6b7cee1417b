"""The rows of the payer's worklists (`supply.selectors.payer`), each a PostgreSQL view created
in migration 0009 and read through an unmanaged model (STYLE R20): a worklist's page is one
query on one view, filtered, ordered and limited through the ORM. Nothing here is written.

Each view holds its worklist's standing conditions (the record in force, or active, the
chain's next step missing) with their constants written in, so that PostgreSQL's plan for
the prepared statement (`plan_cache_mode=force_generic_plan`) can use the partial indexes of
in-force records; the ORM adds the entity, the user's filters, the order and the keyset.

`PayerLine` holds the lines «Por direccionar» waits on; the others are a chain record with
the delivery it concerns (prescription number, line, delivery and patient), what the
payer's lists filter it by and what they show of it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import MONEY, QUANTITY


class PayerLine(models.Model):
    """A line of an active prescription whose prescribed total is not all assigned, with no
    no direccionamiento and no procedure carrying it in force, as «Por direccionar» shows it.
    `assigned` is what `services.common.assigned_quantity` computes; `has_procedure` says a
    device line with nothing assigned may go with a procedure of its prescription."""

    id = models.BigIntegerField(_("ID"), primary_key=True)
    payer_id = models.BigIntegerField(_("pagador"))
    key = models.CharField(_("consecutivo"), max_length=8)
    label = models.TextField(_("descripción"))
    technology_type = models.CharField(_("tipo de tecnología"), max_length=1)
    supply_type = models.PositiveSmallIntegerField(_("tipo de prestación"))
    total_quantity = models.DecimalField(_("cantidad total"), **QUANTITY)
    junta_status = models.PositiveSmallIntegerField(_("estado junta"))
    assigned = models.DecimalField(_("cantidad asignada"), **QUANTITY)
    number = models.CharField(_("número de prescripción"), max_length=20)
    prescribed_at = models.DateTimeField(_("fecha de prescripción"))
    care_setting = models.PositiveSmallIntegerField(_("ámbito"))
    payer_code_id = models.BigIntegerField(_("código EPS"), null=True)
    patient_name = models.CharField(_("paciente"), max_length=255)
    document_type = models.CharField(_("tipo de documento del paciente"), max_length=2)
    document_number = models.CharField(_("número de documento del paciente"), max_length=20)
    has_procedure = models.BooleanField(_("con procedimiento"))

    class Meta:
        managed = False
        db_table = "supply_payer_line"
        verbose_name = _("tecnología por direccionar")
        verbose_name_plural = _("tecnologías por direccionar")

    def __str__(self) -> str:
        return f"{self.number} {self.key}"


class PayerChainRow(models.Model):
    """What every payer's list shows of the delivery a record concerns."""

    id = models.BigIntegerField(_("ID"), primary_key=True)
    entity_id = models.BigIntegerField(_("entidad"))
    deliverable_id = models.BigIntegerField(_("entregable (ID)"))
    number = models.CharField(_("número de prescripción"), max_length=20)
    line_key = models.CharField(_("tecnología"), max_length=8)
    delivery_label = models.CharField(_("entrega"), max_length=24)
    patient_name = models.CharField(_("paciente"), max_length=255)
    document_type = models.CharField(_("tipo de documento del paciente"), max_length=2)
    document_number = models.CharField(_("número de documento del paciente"), max_length=20)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.number} {self.line_key} {self.delivery_label}"


class PayerDireccionamiento(PayerChainRow):
    """A direccionamiento (`entity_id` the payer that recorded it) with how far its chain
    went: an entrega, reporte and facturación in force («Direccionados»)."""

    status = models.PositiveSmallIntegerField(_("estado"))
    provider_id = models.BigIntegerField(_("proveedor"))
    provider_name = models.CharField(_("nombre del proveedor"), max_length=255)
    provider_nit = models.CharField(_("NIT del proveedor"), max_length=15)
    quantity = models.DecimalField(_("cantidad a entregar"), **QUANTITY)
    max_delivery_date = models.DateField(_("fecha máxima de entrega"))
    created_at = models.DateTimeField(_("fecha"))
    municipality_id = models.CharField(_("municipio de entrega"), max_length=5)
    technology_code = models.CharField(_("código a entregar"), max_length=20)
    has_entrega = models.BooleanField(_("con entrega"))
    has_reporte = models.BooleanField(_("con reporte de entrega"))
    has_factura = models.BooleanField(_("con facturación"))

    class Meta:
        managed = False
        db_table = "supply_payer_direccionamiento"
        verbose_name = _("direccionamiento del pagador")
        verbose_name_plural = _("direccionamientos del pagador")


class PayerPending(PayerChainRow):
    """A direccionamiento in force that no entrega in force delivered in full (total or en
    ámbito), with what a partial entrega left undelivered («Pendientes por paciente»)."""

    status = models.PositiveSmallIntegerField(_("estado"))
    provider_id = models.BigIntegerField(_("proveedor"))
    provider_name = models.CharField(_("nombre del proveedor"), max_length=255)
    quantity = models.DecimalField(_("cantidad a entregar"), **QUANTITY)
    max_delivery_date = models.DateField(_("fecha máxima de entrega"))
    undelivered = models.DecimalField(_("sin entregar"), null=True, **QUANTITY)

    class Meta:
        managed = False
        db_table = "supply_payer_pending"
        verbose_name = _("entrega pendiente del pagador")
        verbose_name_plural = _("entregas pendientes del pagador")


class PayerEntrega(PayerChainRow):
    """An entrega in force, of a deliverable `payer_id` pays, that no suministro in force
    reports yet (`entity_name` the proveedor that recorded it)."""

    payer_id = models.BigIntegerField(_("pagador"))
    entity_name = models.CharField(_("proveedor"), max_length=255)
    delivered_on = models.DateField(_("fecha de entrega"))
    total = models.BooleanField(_("entrega total"))
    in_ambito = models.BooleanField(_("entrega en ámbito"))
    quantity = models.DecimalField(_("cantidad entregada"), **QUANTITY)

    class Meta:
        managed = False
        db_table = "supply_payer_entrega"
        verbose_name = _("entrega por reportar suministro")
        verbose_name_plural = _("entregas por reportar suministro")


class PayerFacturacion(PayerChainRow):
    """An active facturación (no datos facturados yet) of a deliverable `payer_id` pays
    (`entity_name` the proveedor that recorded it)."""

    payer_id = models.BigIntegerField(_("pagador"))
    entity_name = models.CharField(_("proveedor"), max_length=255)
    invoice_number = models.CharField(_("número de factura"), max_length=100)
    units = models.DecimalField(_("unidades mínimas de dispensación"), **QUANTITY)
    total_value = models.DecimalField(_("valor total facturado"), **MONEY)

    class Meta:
        managed = False
        db_table = "supply_payer_facturacion"
        verbose_name = _("facturación por registrar datos facturados")
        verbose_name_plural = _("facturaciones por registrar datos facturados")


class PayerSuministro(PayerChainRow):
    """An active suministro `entity_id` recorded, with its cause's code."""

    created_at = models.DateTimeField(_("fecha"))
    complete = models.BooleanField(_("entrega completa"))
    cause_code = models.CharField(_("causa"), max_length=20, null=True)
    last_delivery = models.BooleanField(_("última entrega"))
    quantity = models.DecimalField(_("cantidad"), **QUANTITY)
    value = models.DecimalField(_("valor"), **MONEY)

    class Meta:
        managed = False
        db_table = "supply_payer_suministro"
        verbose_name = _("suministro reportado")
        verbose_name_plural = _("suministros reportados")


class PayerDatosFacturados(PayerChainRow):
    """Active datos facturados `entity_id` recorded."""

    created_at = models.DateTimeField(_("fecha"))
    comparator = models.PositiveSmallIntegerField(_("comparador administrativo"))
    total_delivered = models.DecimalField(_("cantidad total entregada"), **QUANTITY)

    class Meta:
        managed = False
        db_table = "supply_payer_datos_facturados"
        verbose_name = _("datos facturados registrados")
        verbose_name_plural = _("datos facturados registrados")
