"""The deliverable (`ID`) and the records of its supply chain (research/mipres-ws.md §1, §3).

One `Deliverable` is one delivery (`NoEntrega`, `NoSubEntrega`) of one prescription line; it
is created by the first direccionamiento of that delivery, or by an entrega en ámbito, and
keeps its `ID` when a direccionamiento is annulled and made again. Every step is its own
record with its own id (`IdDireccionamiento`, `IdProgramacion`…), state and annulment data.

States (`Est…`): 0 anulado, 1 activo, 2 procesado (the next step consumed it). A step is
*in force* while 1 or 2. The "one … per …" rules of DESIGN §4 are partial unique indexes on
the in-force rows, so the database itself never holds two; the services also lock the rows
they change, so concurrent requests are refused with a clear message before the index is
reached.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import DocumentType
from entities.models import Entity, Municipality, PayerCode, Sede
from prescriptions.enums import CareSetting
from prescriptions.models import NonDeliveryCause, Prescription, TechnologyLine

# Entregas en ámbito: the technology is given where the patient is being cared for.
AMBITO_SETTINGS = frozenset(
    {
        CareSetting.HOSPITALARIO_DOMICILIARIO,
        CareSetting.HOSPITALARIO_INTERNACION,
        CareSetting.URGENCIAS,
    }
)


class StepStatus(models.IntegerChoices):
    ANULADO = 0, _("Anulado")
    ACTIVO = 1, _("Activo")
    PROCESADO = 2, _("Procesado")


IN_FORCE = (StepStatus.ACTIVO, StepStatus.PROCESADO)
_IN_FORCE_Q = Q(status__in=IN_FORCE)


class Channel(models.TextChoices):
    WEB = "web", _("Aplicativo web")
    WS = "ws", _("Servicio web")


QUANTITY = {"max_digits": 12, "decimal_places": 3}
MONEY = {"max_digits": 16, "decimal_places": 2}


def delivery_label(delivery_number: int, sub_number: int = 0) -> str:
    """How a delivery is named: NoEntrega, or NoEntrega.NoSubEntrega when split."""
    return f"{delivery_number}.{sub_number}" if sub_number else str(delivery_number)


class Deliverable(models.Model):
    """The `ID` of the web services: one delivery of one prescription line."""

    line = models.ForeignKey(
        TechnologyLine,
        on_delete=models.PROTECT,
        related_name="deliverables",
        verbose_name=_("tecnología prescrita"),
        db_index=False,  # it leads deliverable_key_unique
    )
    # Denormalised from the line: the timeline and the …XPrescripcion queries read by it.
    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.PROTECT,
        related_name="deliverables",
        verbose_name=_("prescripción"),
    )
    delivery_number = models.PositiveSmallIntegerField(_("número de entrega"))  # NoEntrega
    sub_number = models.PositiveSmallIntegerField(_("subentrega"), default=0)  # NoSubEntrega
    payer = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="+", verbose_name=_("pagador")
    )
    created_at = models.DateTimeField(_("creado"), default=timezone.now)

    class Meta:
        verbose_name = _("entregable (ID)")
        verbose_name_plural = _("entregables (ID)")
        ordering = ["line", "delivery_number", "sub_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "delivery_number", "sub_number"], name="deliverable_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(delivery_number__gte=1), name="deliverable_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"ID {self.pk}"

    @property
    def delivery_label(self) -> str:
        return delivery_label(self.delivery_number, self.sub_number)


class Record(models.Model):
    """What every supply record has: state, who recorded it, when, and its annulment."""

    status = models.PositiveSmallIntegerField(
        _("estado"), choices=StepStatus, default=StepStatus.ACTIVO
    )
    # Not indexed alone: each step's Meta has indexes led by it for the reads that use it
    # (its worklists, the …XFecha services), and a second one would slow every insert.
    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usuario"),
    )
    channel = models.CharField(_("canal"), max_length=3, choices=Channel, default=Channel.WEB)
    annulled_at = models.DateTimeField(_("fecha de anulación"), null=True, blank=True)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("anulado por"),
    )
    annulment_reason = models.TextField(_("motivo de anulación"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE


def optional_cause() -> models.ForeignKey:
    """`CausaNoEntrega` where 0 (none) is allowed: empty here."""
    return models.ForeignKey(
        NonDeliveryCause,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("causa de no entrega"),
        db_index=False,  # a catalog: nothing looks records up by cause
    )


def _by_day(name: str, who: str = "entity") -> list[models.Index]:
    """The web services' …XFecha queries: one day of the records a caller recorded (or, for
    a payer, of its prescriptions, found by date first)."""
    return [
        models.Index(fields=[who, "created_at"], name=f"{name}_{who}_day"),
        models.Index(fields=["created_at"], name=f"{name}_day"),
    ]


def _status_valid(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(status__in=StepStatus.values), name=f"{name}_status_valid"
    )


def _annulled_has_date(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(status=StepStatus.ANULADO) | Q(annulled_at__isnull=False),
        name=f"{name}_annulled_has_date",
    )


class Direccionamiento(Record):
    """The payer sends one delivery to a proveedor of its network."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="direccionamientos",
        verbose_name=_("entregable (ID)"),
    )
    payer_code = models.ForeignKey(
        PayerCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("código EPS"),
    )  # CodEPS (empty when an entidad territorial pays)
    provider = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proveedor"),
        db_index=False,  # it leads dir_provider_worklist and dir_provider_day
    )  # TipoIDProv / NoIDProv
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, verbose_name=_("municipio de entrega")
    )  # CodMunEnt
    max_delivery_date = models.DateField(_("fecha máxima de entrega"))  # FecMaxEnt
    quantity = models.DecimalField(_("cantidad a entregar"), **QUANTITY)  # CantTotAEntregar
    patient_address = models.CharField(_("dirección del paciente"), max_length=200)  # DirPaciente
    technology_code = models.CharField(
        _("código de la tecnología a entregar"), max_length=20
    )  # CodSerTecAEntregar

    class Meta(Record.Meta):
        verbose_name = _("direccionamiento")
        verbose_name_plural = _("direccionamientos")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=_IN_FORCE_Q,
                name="direccionamiento_one_in_force",
                violation_error_message=_(
                    "Ya existe un direccionamiento activo para esta entrega."
                ),
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="direccionamiento_qty"),
            _status_valid("direccionamiento"),
            _annulled_has_date("direccionamiento"),
        ]
        indexes = [
            models.Index(
                fields=["provider", "status", "max_delivery_date"], name="dir_provider_worklist"
            ),
            models.Index(fields=["entity", "-created_at", "-id"], name="dir_payer_recent"),
            models.Index(fields=["provider", "created_at"], name="dir_provider_day"),
        ]

    def __str__(self) -> str:
        return f"Direccionamiento {self.pk}"


class NoDireccionamiento(Record):
    """The payer will not direct (the rest of) a line, for a cause of the 1–19 list."""

    line = models.ForeignKey(
        TechnologyLine,
        on_delete=models.PROTECT,
        related_name="no_direccionamientos",
        verbose_name=_("tecnología prescrita"),
    )
    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="+", verbose_name=_("prescripción")
    )
    payer_code = models.ForeignKey(
        PayerCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("código EPS"),
    )
    cause = models.ForeignKey(
        NonDeliveryCause,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("causa"),
        db_index=False,  # a catalog: nothing looks records up by cause
    )  # CausaNoEntrega
    associated_number = models.CharField(
        _("prescripción asociada"), max_length=20, blank=True
    )  # NoPrescripcionAsociada
    associated_order = models.PositiveSmallIntegerField(
        _("consecutivo asociado"), null=True, blank=True
    )  # ConTecAsociada

    class Meta(Record.Meta):
        verbose_name = _("no direccionamiento")
        verbose_name_plural = _("no direccionamientos")
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=_IN_FORCE_Q,
                name="no_direccionamiento_one_in_force",
                violation_error_message=_("Ya existe un no direccionamiento activo."),
            ),
            _status_valid("no_direccionamiento"),
            _annulled_has_date("no_direccionamiento"),
        ]
        indexes = _by_day("nodir")

    def __str__(self) -> str:
        return f"No direccionamiento {self.pk}"


class ProcedureSupply(Record):
    """A device or supply line delivered with a procedure of the same prescription (seed
    004): it is not directed nor reported on its own; only the procedure's proveedor
    reports the procedure, which covers it. Nothing reads it by `entity` (not indexed, see
    Record)."""

    line = models.ForeignKey(
        TechnologyLine,
        on_delete=models.PROTECT,
        related_name="procedure_supplies",
        verbose_name=_("insumo"),
    )
    procedure_line = models.ForeignKey(
        TechnologyLine,
        on_delete=models.PROTECT,
        related_name="covered_supplies",
        verbose_name=_("procedimiento"),
    )

    class Meta(Record.Meta):
        verbose_name = _("insumo incluido en un procedimiento")
        verbose_name_plural = _("insumos incluidos en procedimientos")
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=_IN_FORCE_Q, name="procedure_supply_one_in_force"
            ),
            _status_valid("procedure_supply"),
            _annulled_has_date("procedure_supply"),
        ]

    def __str__(self) -> str:
        return f"{self.line} ⊂ {self.procedure_line}"


class Programacion(Record):
    """The proveedor schedules a direccionamiento at one of its sedes."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="programaciones",
        verbose_name=_("entregable (ID)"),
    )
    direccionamiento = models.ForeignKey(
        Direccionamiento,
        on_delete=models.PROTECT,
        related_name="programaciones",
        verbose_name=_("direccionamiento"),
    )
    sede = models.ForeignKey(
        Sede,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sede"),
        db_index=False,  # it leads prog_sede_worklist
    )  # …SedeProv
    max_delivery_date = models.DateField(_("fecha máxima de entrega"))  # FecMaxEnt
    technology_code = models.CharField(_("código a entregar"), max_length=20)
    quantity = models.DecimalField(_("cantidad a entregar"), **QUANTITY)

    class Meta(Record.Meta):
        verbose_name = _("programación")
        verbose_name_plural = _("programaciones")
        constraints = [
            models.UniqueConstraint(
                fields=["direccionamiento"],
                condition=_IN_FORCE_Q,
                name="programacion_one_in_force",
                violation_error_message=_("Ya existe una programación activa."),
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="programacion_qty"),
            _status_valid("programacion"),
            _annulled_has_date("programacion"),
        ]
        indexes = [
            models.Index(fields=["sede", "status", "max_delivery_date"], name="prog_sede_worklist"),
            models.Index(fields=["entity", "status", "max_delivery_date"], name="prog_worklist"),
            *_by_day("prog"),
        ]

    def __str__(self) -> str:
        return f"Programación {self.pk}"


class Entrega(Record):
    """The dispensador delivers (all, part or none of) what was programmed, or delivers in
    the ámbito of care (hospital, urgencias) without direccionamiento."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="entregas",
        verbose_name=_("entregable (ID)"),
    )
    programacion = models.ForeignKey(
        Programacion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entregas",
        verbose_name=_("programación"),
    )  # empty for an entrega en ámbito
    sede = models.ForeignKey(
        Sede,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sede"),
    )
    in_ambito = models.BooleanField(_("entrega en ámbito"), default=False)
    technology_code = models.CharField(_("código entregado"), max_length=20)  # CodSerTecEntregado
    quantity = models.DecimalField(_("cantidad entregada"), **QUANTITY)  # CantTotEntregada
    pending_quantity = models.DecimalField(
        _("cantidad pendiente"), default=0, **QUANTITY
    )  # CantPenEntregar
    total = models.BooleanField(_("entrega total"))  # EntTotal
    cause = optional_cause()  # CausaNoEntrega
    delivered_on = models.DateField(_("fecha de entrega"))  # FecEntrega
    batch = models.CharField(_("número de lote"), max_length=30, blank=True)  # NoLote
    receiver_document_type = models.CharField(
        _("tipo de documento de quien recibe"), max_length=2, choices=DocumentType
    )  # TipoIDRecibe
    receiver_document_number = models.CharField(
        _("documento de quien recibe"), max_length=15
    )  # NoIDRecibe

    class Meta(Record.Meta):
        verbose_name = _("entrega")
        verbose_name_plural = _("entregas")
        constraints = [
            # One entrega in force per deliverable covers "one per programación" too.
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=_IN_FORCE_Q,
                name="entrega_one_in_force",
                violation_error_message=_("Ya existe una entrega activa."),
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="entrega_qty"),
            models.CheckConstraint(
                condition=Q(total=True) | Q(cause__isnull=False), name="entrega_partial_cause"
            ),
            models.CheckConstraint(
                condition=Q(in_ambito=True, programacion__isnull=True)
                | Q(in_ambito=False, programacion__isnull=False),
                name="entrega_ambito_xor_programacion",
            ),
            _status_valid("entrega"),
            _annulled_has_date("entrega"),
        ]
        indexes = [
            models.Index(fields=["entity", "status", "-created_at"], name="entrega_worklist"),
            # «Por reportar»: the proveedor's active entregas by delivery date.
            models.Index(
                fields=["entity", "status", "delivered_on", "id"], name="entrega_report_worklist"
            ),
            *_by_day("entrega"),
        ]

    def __str__(self) -> str:
        return f"Entrega {self.pk}"


class ReporteEntrega(Record):
    """The proveedor reports an entrega: delivered or not, with the value delivered."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="reportes",
        verbose_name=_("entregable (ID)"),
    )
    entrega = models.ForeignKey(
        Entrega, on_delete=models.PROTECT, related_name="reportes", verbose_name=_("entrega")
    )
    delivered = models.BooleanField(_("se entregó"))  # EstadoEntrega 1 / 0
    cause = optional_cause()  # CausaNoEntrega
    value = models.DecimalField(_("valor entregado"), **MONEY)  # ValorEntregado

    class Meta(Record.Meta):
        verbose_name = _("reporte de entrega")
        verbose_name_plural = _("reportes de entrega")
        constraints = [
            models.UniqueConstraint(
                fields=["entrega"],
                condition=_IN_FORCE_Q,
                name="reporte_one_in_force",
                violation_error_message=_("Ya existe un reporte de entrega activo."),
            ),
            models.CheckConstraint(
                condition=Q(delivered=True, cause__isnull=True)
                | Q(delivered=False, cause__isnull=False),
                name="reporte_cause_when_not_delivered",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="reporte_value"),
            _status_valid("reporte"),
            _annulled_has_date("reporte"),
        ]
        indexes = [
            # «Por facturar»: the proveedor's active reportes saying delivered, the
            # longest-waiting first.
            models.Index(
                fields=["entity", "status", "created_at", "id"],
                condition=Q(delivered=True),
                name="reporte_invoice_worklist",
            ),
            *_by_day("reporte"),
        ]

    def __str__(self) -> str:
        return f"Reporte de entrega {self.pk}"


class Facturacion(Record):
    """The proveedor invoices an entrega, before or after its reporte de entrega (`reporte`
    is the one it followed, when it came after one)."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="facturaciones",
        verbose_name=_("entregable (ID)"),
    )
    entrega = models.ForeignKey(
        Entrega, on_delete=models.PROTECT, related_name="facturaciones", verbose_name=_("entrega")
    )
    reporte = models.ForeignKey(
        ReporteEntrega,
        on_delete=models.PROTECT,
        related_name="facturaciones",
        null=True,
        blank=True,
        verbose_name=_("reporte de entrega"),
    )
    invoice_number = models.CharField(_("número de factura"), max_length=100)  # NoFactura
    payer_nit = models.CharField(_("NIT del pagador"), max_length=15)  # NoIDEPS
    payer_code = models.CharField(_("código EPS"), max_length=6, blank=True)  # CodEPS
    technology_code = models.CharField(_("código facturado"), max_length=20)  # CodSerTecAEntregado
    units = models.DecimalField(_("unidades mínimas de dispensación"), **QUANTITY)  # CantUnMinDis
    unit_value = models.DecimalField(_("valor unitario"), **MONEY)  # ValorUnitFacturado
    total_value = models.DecimalField(_("valor total facturado"), **MONEY)  # ValorTotFacturado
    cuota_moderadora = models.DecimalField(_("cuota moderadora"), default=0, **MONEY)
    copago = models.DecimalField(_("copago"), default=0, **MONEY)

    class Meta(Record.Meta):
        verbose_name = _("facturación")
        verbose_name_plural = _("facturaciones")
        constraints = [
            models.UniqueConstraint(
                fields=["entrega"],
                condition=_IN_FORCE_Q,
                name="facturacion_one_in_force",
                violation_error_message=_("Ya existe una facturación activa."),
            ),
            models.CheckConstraint(
                condition=Q(cuota_moderadora=0) | Q(copago=0),
                name="facturacion_cuota_xor_copago",
            ),
            models.CheckConstraint(
                condition=Q(units__gt=0, unit_value__gte=0, total_value__gte=0),
                name="facturacion_amounts",
            ),
            _status_valid("facturacion"),
            _annulled_has_date("facturacion"),
        ]
        indexes = [
            models.Index(fields=["entity", "status", "-created_at"], name="factura_worklist"),
            *_by_day("factura"),
        ]

    def __str__(self) -> str:
        return f"Facturación {self.pk}"


class ComparatorKind(models.IntegerChoices):
    """`CompAdm`."""

    COMPARADOR = 1, _("Comparador administrativo")
    HOMOLOGO = 2, _("Homólogo")
    NO_APLICA = 3, _("No aplica")


class DatosFacturados(Record):
    """The payer's data on an invoiced delivery (administrative comparator or homologue)."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="datos_facturados",
        verbose_name=_("entregable (ID)"),
    )
    facturacion = models.ForeignKey(
        Facturacion,
        on_delete=models.PROTECT,
        related_name="datos_facturados",
        verbose_name=_("facturación"),
    )
    comparator = models.PositiveSmallIntegerField(
        _("comparador administrativo"), choices=ComparatorKind
    )  # CompAdm
    comparator_code = models.CharField(_("código del comparador"), max_length=20, blank=True)
    homologous_code = models.CharField(_("código homólogo"), max_length=20, blank=True)  # CodHom
    comparator_units = models.DecimalField(
        _("unidades del comparador"), default=0, **QUANTITY
    )  # UniCompAdm
    homologous_units = models.DecimalField(
        _("unidades de dispensación del homólogo"), default=0, **QUANTITY
    )  # UniDispHom
    min_unit_value = models.DecimalField(
        _("valor unidad mínima de concentración"), default=0, **MONEY
    )  # ValUnMiCon
    total_delivered = models.DecimalField(_("cantidad total entregada"), **QUANTITY)  # CantTotEnt
    comparator_total = models.DecimalField(
        _("valor total del comparador"), default=0, **MONEY
    )  # ValTotCompAdm
    homologous_total = models.DecimalField(
        _("valor total del homólogo"), default=0, **MONEY
    )  # ValTotHom

    class Meta(Record.Meta):
        verbose_name = _("datos facturados")
        verbose_name_plural = _("datos facturados")
        constraints = [
            models.UniqueConstraint(
                fields=["facturacion"],
                condition=_IN_FORCE_Q,
                name="datos_facturados_one_in_force",
                violation_error_message=_("Ya existen datos facturados activos."),
            ),
            models.CheckConstraint(
                condition=Q(comparator__in=ComparatorKind.values), name="datos_comparator_valid"
            ),
            _status_valid("datos_facturados"),
            _annulled_has_date("datos_facturados"),
        ]
        indexes = _by_day("datos")

    def __str__(self) -> str:
        return f"Datos facturados {self.pk}"


class Suministro(Record):
    """The payer's report of the supply of a delivered deliverable (`Suministro`)."""

    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.PROTECT,
        related_name="suministros",
        verbose_name=_("entregable (ID)"),
    )
    entrega = models.ForeignKey(
        Entrega, on_delete=models.PROTECT, related_name="suministros", verbose_name=_("entrega")
    )
    last_delivery = models.BooleanField(_("última entrega"))  # UltEntrega
    complete = models.BooleanField(_("entrega completa"))  # EntregaCompleta
    cause = optional_cause()  # CausaNoEntrega
    associated_number = models.CharField(_("prescripción asociada"), max_length=20, blank=True)
    associated_order = models.PositiveSmallIntegerField(
        _("consecutivo asociado"), null=True, blank=True
    )
    quantity = models.DecimalField(_("cantidad entregada"), **QUANTITY)
    batch = models.CharField(_("número de lote"), max_length=30, blank=True)
    value = models.DecimalField(_("valor entregado"), **MONEY)

    class Meta(Record.Meta):
        verbose_name = _("reporte de suministro")
        verbose_name_plural = _("reportes de suministro")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=_IN_FORCE_Q,
                name="suministro_one_in_force",
                violation_error_message=_("Ya existe un reporte de suministro activo."),
            ),
            models.CheckConstraint(
                condition=Q(complete=True) | Q(cause__isnull=False),
                name="suministro_incomplete_cause",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0, value__gte=0), name="suministro_amounts"
            ),
            _status_valid("suministro"),
            _annulled_has_date("suministro"),
        ]
        indexes = _by_day("suministro")

    def __str__(self) -> str:
        return f"Suministro {self.pk}"
