"""Read-only rows of fixed-shape joins, each a PostgreSQL view created in a migration and read
through an unmanaged model (STYLE R20, as supply.models.reads): what the prescription's
detail page shows of each line and under it, and the consultas' rows and their lines.
Nothing here is ever written."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import (
    JuntaModality,
    JuntaStatus,
    MedicineType,
    NutritionalRoute,
    PrescriptionStatus,
    SpecialIndication,
    SupplyType,
    TechnologyType,
    TimeUnit,
)
from .prescription import Prescription, TechnologyLine


class LineColumns(models.Model):
    """The columns every line view starts with: the line, its prescription, its type, its
    consecutive and its key (M1, P2…)."""

    line = models.OneToOneField(
        TechnologyLine,
        primary_key=True,
        db_column="id",
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("tecnología prescrita (ID)"),
    )
    prescription_id = models.BigIntegerField(_("prescripción"))
    technology_type = models.CharField(
        _("tipo de tecnología"), max_length=1, choices=TechnologyType
    )
    order = models.PositiveSmallIntegerField(_("consecutivo"))
    key = models.CharField(_("tecnología"), max_length=8)

    class Meta:
        abstract = True


class LineDetail(LineColumns):
    """A line as the detail page shows it: its own columns, each catalog row it names as
    «code – name» (a dose unit by its symbol, else its name; a presentation unit by its name)
    and `label`, the technology it names as LineSummary names it."""

    supply_type = models.PositiveSmallIntegerField(_("tipo de prestación"), choices=SupplyType)
    junta_status = models.PositiveSmallIntegerField(_("estado junta"), choices=JuntaStatus)
    justification = models.TextField(_("justificación"))
    recommendations = models.TextField(_("recomendaciones"))
    medicine_type = models.PositiveSmallIntegerField(
        _("tipo de medicamento"), choices=MedicineType, null=True
    )
    special_indication = models.PositiveSmallIntegerField(
        _("indicación especial"), choices=SpecialIndication, null=True
    )
    nutritional_route = models.PositiveSmallIntegerField(
        _("vía del producto nutricional"), choices=NutritionalRoute, null=True
    )
    dose = models.DecimalField(_("dosis"), max_digits=12, decimal_places=3, null=True)
    quantity_per_use = models.DecimalField(
        _("cantidad por uso"), max_digits=12, decimal_places=3, null=True
    )
    frequency_every = models.PositiveIntegerField(_("cada"), null=True)
    frequency_unit = models.PositiveSmallIntegerField(
        _("unidad de frecuencia"), choices=TimeUnit, null=True
    )
    duration_amount = models.PositiveIntegerField(_("duración"), null=True)
    duration_unit = models.PositiveSmallIntegerField(
        _("unidad de duración"), choices=TimeUnit, null=True
    )
    total_quantity = models.DecimalField(_("cantidad total"), max_digits=12, decimal_places=3)
    dose_unit = models.TextField(_("unidad de dosis"), null=True)
    presentation_unit = models.TextField(_("unidad de presentación"), null=True)
    pharmaceutical_form = models.TextField(_("forma farmacéutica"), null=True)
    route = models.TextField(_("vía de administración"), null=True)
    procedure = models.TextField(_("procedimiento (CUPS)"), null=True)
    device_type = models.TextField(_("tipo de dispositivo"), null=True)
    complementary_service = models.TextField(_("servicio complementario"), null=True)
    nutritional_type = models.TextField(_("tipo de producto nutricional"), null=True)
    nutritional_product = models.TextField(_("producto nutricional"), null=True)
    nutritional_form = models.TextField(_("forma del producto nutricional"), null=True)
    label = models.TextField(_("descripción"), null=True)

    class Meta:
        managed = False
        db_table = "prescriptions_line_detail"
        verbose_name = _("detalle de tecnología")
        verbose_name_plural = _("detalles de tecnologías")

    def __str__(self) -> str:
        return self.key


class LineItem(models.Model):
    """One row under a line of the detail page: an active ingredient of a medicine
    (`kind` "ingredient": code, name, concentration and its unit's symbol or name), a UNIRS
    indication it cites ("indication": code, name) or a junta decision on it ("decision":
    result, modality, act, justification, observations and the deciding entity's name).
    The columns of the other kinds are null. Read in `position` order: an ingredient's
    consecutive, an indication's code length (then its code: the catalog's numeric order),
    a decision's newest first (`decided_at`)."""

    INGREDIENT, INDICATION, DECISION = "ingredient", "indication", "decision"

    pk = models.CompositePrimaryKey("kind", "record_id")
    kind = models.CharField(_("clase"), max_length=10)
    record_id = models.BigIntegerField(_("ID"))
    prescription_id = models.BigIntegerField(_("prescripción"))
    line_id = models.BigIntegerField(_("tecnología prescrita"))
    position = models.IntegerField(_("posición"))
    code = models.CharField(_("código"), max_length=20, null=True)
    name = models.TextField(_("nombre"), null=True)
    concentration = models.DecimalField(
        _("concentración"), max_digits=12, decimal_places=4, null=True
    )
    unit = models.CharField(_("unidad"), max_length=255, null=True)
    decided_at = models.DateTimeField(_("procesada"), null=True)
    result = models.PositiveSmallIntegerField(_("decisión"), choices=JuntaStatus, null=True)
    modality = models.PositiveSmallIntegerField(_("modalidad"), choices=JuntaModality, null=True)
    act_number = models.CharField(_("número de acta"), max_length=30, null=True)
    act_date = models.DateField(_("fecha del acta"), null=True)
    technical_justification = models.TextField(_("justificación técnica"), null=True)
    observations = models.TextField(_("observaciones"), null=True)
    entity_name = models.CharField(_("entidad"), max_length=255, null=True)

    class Meta:
        managed = False
        db_table = "prescriptions_line_item"
        verbose_name = _("fila bajo una tecnología")
        verbose_name_plural = _("filas bajo las tecnologías")

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}"


class PrescriptionRow(models.Model):
    """One prescription as the consultas list it: its own columns the lists filter and sort
    by, the patient's and the professional's names, and the names of its IPS, payer, código
    EPS and main diagnosis. The selector gives each row `lines` (its LineSummary rows)."""

    prescription = models.OneToOneField(
        Prescription,
        primary_key=True,
        db_column="id",
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("prescripción (ID)"),
    )
    external_id = models.UUIDField(_("ID público"))
    number = models.CharField(_("número de prescripción"), max_length=20)
    prescribed_at = models.DateTimeField(_("prescrita"))
    status = models.PositiveSmallIntegerField(_("estado"), choices=PrescriptionStatus)
    entity_id = models.BigIntegerField(_("IPS"))
    prescriber_id = models.BigIntegerField(_("profesional"))
    payer_id = models.BigIntegerField(_("pagador"))
    patient_document_number = models.CharField(_("número de documento del paciente"), max_length=20)
    patient_name = models.CharField(_("paciente"), max_length=255)
    patient_document = models.CharField(_("documento del paciente"), max_length=24)
    prescriber_name = models.CharField(_("profesional"), max_length=255)
    entity_name = models.CharField(_("IPS"), max_length=255, null=True)
    payer_name = models.CharField(_("pagador"), max_length=255, null=True)
    payer_code = models.CharField(_("código EPS"), max_length=20, null=True)
    diagnosis_code = models.CharField(_("diagnóstico principal"), max_length=20, null=True)

    class Meta:
        managed = False
        db_table = "prescriptions_consulta_row"
        verbose_name = _("fila de consulta")
        verbose_name_plural = _("filas de consulta")

    def __str__(self) -> str:
        return self.number

    @property
    def status_css(self) -> str:
        return "text-bg-success" if self.status == PrescriptionStatus.ACTIVA else "text-bg-danger"

    @property
    def date_text(self) -> str:
        return timezone.localtime(self.prescribed_at).strftime("%Y-%m-%d %H:%M")


class LineSummary(LineColumns):
    """What a consulta shows of a line: its key (M1, P2…), the technology it names (as
    `technology_label` names it: its description, a medicine's ingredients with their
    concentrations, else its catalog row's name; null when only its type's name is left,
    which the reader translates) and its EstJM."""

    junta_status = models.PositiveSmallIntegerField(_("estado junta"), choices=JuntaStatus)
    label = models.TextField(_("descripción"), null=True)

    class Meta:
        managed = False
        db_table = "prescriptions_line_summary"
        verbose_name = _("resumen de tecnología")
        verbose_name_plural = _("resúmenes de tecnologías")

    def __str__(self) -> str:
        return self.key

    @property
    def short_label(self) -> str:
        return self.label if len(self.label) <= 60 else f"{self.label[:59]}…"
