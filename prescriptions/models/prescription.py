"""The prescription, its technology lines, Junta decisions and novedades (DESIGN.md §3).

Lines of the five technology types live in ONE table (`TechnologyLine`) with the type's
fields nullable and checked by constraints: every downstream record (junta decision,
direccionamiento, entrega…) points at a line by (prescription, TipoTec, ConOrden), so one
table gives one foreign key, one index and one query for worklists; the per-type fields are
few enough that a sparse row costs less than five joins. A tutela's lines are rows of the same
table pointing at the tutela instead (exactly one of the two), for the same reason.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, PayerCode, Sede

from ..enums import (
    CareSetting,
    JuntaModality,
    JuntaStatus,
    MedicineType,
    NoveltyType,
    NutritionalRoute,
    PrescriptionStatus,
    SpecialIndication,
    SupplyType,
    TechnologyType,
    TimeUnit,
    TranscriptionType,
)
from .catalogs import (
    ActiveIngredient,
    AdministrationRoute,
    ComplementaryService,
    CupsProcedure,
    DeviceType,
    Diagnosis,
    DoseUnit,
    MeasurementUnit,
    NutritionalForm,
    NutritionalProduct,
    NutritionalProductType,
    OrphanDisease,
    PharmaceuticalForm,
    PresentationUnit,
    UnirsIndication,
)
from .patients import Patient

POSITIVE = [MinValueValidator(0)]


class PrescriptionNumberCounter(models.Model):
    """The last consecutive handed out per day (NoPrescripcion = AAAAMMDD + 12 digits).
    Incremented with one atomic upsert, so concurrent submits never share a number."""

    day = models.DateField(_("día"), primary_key=True)
    last = models.BigIntegerField(_("último consecutivo"), default=0)

    class Meta:
        verbose_name = _("consecutivo de prescripciones")
        verbose_name_plural = _("consecutivos de prescripciones")

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"


class Prescription(models.Model):
    """A prescription (or a transcription) with its header fields, MIPRES's names noted."""

    external_id = models.UUIDField(
        _("identificador externo"), default=uuid.uuid4, unique=True, editable=False
    )
    number = models.CharField(_("número de prescripción"), max_length=20, unique=True)  # NoPres…
    prescribed_at = models.DateTimeField(_("fecha y hora"), default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(
        _("estado"), choices=PrescriptionStatus, default=PrescriptionStatus.ACTIVA
    )  # EstPres
    # Who prescribes, where: the IPS (or the EPS of an independent professional).
    # The four foreign keys below are indexed by the composite indexes in Meta (db_index off:
    # a second, single-column index would only slow the writes).
    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="prescriptions",
        verbose_name=_("IPS"),
        db_index=False,
    )
    sede = models.ForeignKey(
        Sede,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescriptions",
        verbose_name=_("sede"),
    )
    habilitation_code = models.CharField(_("código de habilitación"), max_length=20)  # CodHabIPS
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="prescriptions",
        verbose_name=_("profesional"),
        db_index=False,
    )
    prescriber_registration = models.CharField(_("registro profesional"), max_length=30)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrada por"),
        help_text=_("El profesional, o el transcriptor de la EPS."),
    )
    # Whom for, who pays: taken from the patient's active affiliation, never chosen freely.
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        related_name="prescriptions",
        verbose_name=_("paciente"),
        db_index=False,
    )
    payer = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="paid_prescriptions",
        verbose_name=_("pagador"),
        db_index=False,
    )
    payer_code = models.ForeignKey(
        PayerCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prescriptions",
        verbose_name=_("código EPS"),
    )  # CodEPS (empty when an entidad territorial pays)
    care_setting = models.PositiveSmallIntegerField(_("ámbito de atención"), choices=CareSetting)
    referral = models.BooleanField(_("con remisión"), default=False)  # RefAmbAte
    # The catalog foreign keys below are not indexed (db_index off), as TechnologyLine's.
    diagnosis = models.ForeignKey(
        Diagnosis,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diagnóstico principal"),
        db_index=False,
    )
    related_diagnosis_1 = models.ForeignKey(
        Diagnosis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diagnóstico relacionado 1"),
        db_index=False,
    )
    related_diagnosis_2 = models.ForeignKey(
        Diagnosis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diagnóstico relacionado 2"),
        db_index=False,
    )
    orphan_disease = models.ForeignKey(
        OrphanDisease,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enfermedad huérfana"),
        db_index=False,
    )  # EnfHuerfana / CodEnfHuerfana
    transcription_type = models.PositiveSmallIntegerField(
        _("tipo de transcripción"), choices=TranscriptionType, null=True, blank=True
    )  # TipoTransc
    original_reference = models.CharField(
        _("referencia original"), max_length=60, blank=True
    )  # the paper or external number a transcription copies
    annulled_at = models.DateTimeField(_("anulada"), null=True, blank=True)
    annulment_reason = models.TextField(_("motivo de anulación"), blank=True)
    # The prescription form's one-time key: a second post of the same form (double click,
    # a retry, 20 at once) finds the prescription the first one issued. Unique in the
    # database, so concurrent posts yield exactly one row.
    submission_key = models.UUIDField(
        _("clave de envío"), null=True, blank=True, unique=True, editable=False
    )
    # The cautions (duplicate, unusual quantity…) the prescriber confirmed when issuing.
    confirmed_cautions = models.JSONField(
        _("advertencias confirmadas"), default=list, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("prescripción")
        verbose_name_plural = _("prescripciones")
        ordering = ["-prescribed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PrescriptionStatus]),
                name="prescription_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^\d{20}$"), name="prescription_number_20_digits"
            ),
        ]
        # The consultas list one entity's, prescriber's, payer's or patient's prescriptions
        # newest first (ordering: -prescribed_at, -id): each index ends with both keys so a
        # page is read in index order, without sorting the whole history. «Mis
        # prescripciones» is one prescriber's at one entity: with both in the index, the
        # generic plan of a prepared statement (which cannot tell a busy prescriber from an
        # average one) still reads the page in index order, instead of ANDing two bitmaps and
        # sorting the prescriber's whole history (72 ms for 11,000 prescriptions at 1M).
        indexes = [
            models.Index(fields=["entity", "-prescribed_at", "-id"], name="presc_entity_recent"),
            models.Index(
                fields=["prescriber", "entity", "-prescribed_at", "-id"],
                name="presc_prescriber_entity_recent",
            ),
            models.Index(fields=["payer", "-prescribed_at", "-id"], name="presc_payer_recent"),
            models.Index(fields=["patient", "-prescribed_at", "-id"], name="presc_patient_recent"),
        ]

    def __str__(self) -> str:
        return self.number


class TechnologyLine(models.Model):
    """One prescribed technology (TipoTec + ConOrden), with its type's fields; it belongs to
    a prescription or to a tutela (models/tutela.py), never both.

    Indexes are what the reads use, since every one costs each of the millions of inserts:
    `prescription` and `tutela` lead the unique keys in Meta, and the catalog foreign keys
    have none (db_index off), because nothing looks lines up by catalog entry and catalog
    rows are never deleted (the importer and the admin only disable them).
    """

    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("prescripción"),
        db_index=False,
    )
    tutela = models.ForeignKey(
        "Tutela",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("tutela"),
        db_index=False,
    )
    technology_type = models.CharField(
        _("tipo de tecnología"), max_length=1, choices=TechnologyType
    )
    order = models.PositiveSmallIntegerField(_("consecutivo"))  # ConOrden
    supply_type = models.PositiveSmallIntegerField(_("tipo de prestación"), choices=SupplyType)
    justification = models.TextField(_("justificación"))  # JustNoPBS
    recommendations = models.TextField(_("recomendaciones"), blank=True)  # IndRec
    junta_status = models.PositiveSmallIntegerField(
        _("estado junta"), choices=JuntaStatus, default=JuntaStatus.NO_REQUIERE
    )  # EstJM
    description = models.CharField(_("descripción"), max_length=500, blank=True)
    # How much, how often, for how long (medicines and nutritional products: dose; the
    # others: quantity per use).
    dose = models.DecimalField(
        _("dosis"), max_digits=12, decimal_places=3, null=True, blank=True, validators=POSITIVE
    )
    dose_unit = models.ForeignKey(
        DoseUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unidad de dosis"),
        db_index=False,
    )
    quantity_per_use = models.DecimalField(
        _("cantidad por uso"), max_digits=12, decimal_places=3, null=True, blank=True
    )  # CanForm
    frequency_every = models.PositiveIntegerField(_("cada"), null=True, blank=True)
    frequency_unit = models.PositiveSmallIntegerField(
        _("unidad de frecuencia"), choices=TimeUnit, null=True, blank=True
    )
    duration_amount = models.PositiveIntegerField(_("duración"), null=True, blank=True)
    duration_unit = models.PositiveSmallIntegerField(
        _("unidad de duración"), choices=TimeUnit, null=True, blank=True
    )
    total_quantity = models.DecimalField(
        _("cantidad total"), max_digits=12, decimal_places=3, validators=POSITIVE
    )  # CantTotalF / CantTotal
    presentation_unit = models.ForeignKey(
        PresentationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unidad de presentación"),
        db_index=False,
    )  # UFCantTotal
    special_indication = models.PositiveSmallIntegerField(
        _("indicación especial"), choices=SpecialIndication, null=True, blank=True
    )
    # Medicamento
    medicine_type = models.PositiveSmallIntegerField(
        _("tipo de medicamento"), choices=MedicineType, null=True, blank=True
    )
    pharmaceutical_form = models.ForeignKey(
        PharmaceuticalForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forma farmacéutica"),
        db_index=False,
    )
    route = models.ForeignKey(
        AdministrationRoute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vía de administración"),
        db_index=False,
    )
    unirs_indications = models.ManyToManyField(
        UnirsIndication, blank=True, related_name="+", verbose_name=_("indicaciones UNIRS")
    )
    # Procedimiento, dispositivo, servicio complementario
    procedure = models.ForeignKey(
        CupsProcedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("procedimiento CUPS"),
        db_index=False,
    )
    device_type = models.ForeignKey(
        DeviceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tipo de dispositivo médico"),
        db_index=False,
    )
    complementary_service = models.ForeignKey(
        ComplementaryService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("servicio complementario"),
        db_index=False,
    )
    # Producto nutricional
    nutritional_type = models.ForeignKey(
        NutritionalProductType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tipo de producto nutricional"),
        db_index=False,
    )
    nutritional_product = models.ForeignKey(
        NutritionalProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("producto nutricional"),
        db_index=False,
    )
    nutritional_form = models.ForeignKey(
        NutritionalForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forma del producto nutricional"),
        db_index=False,
    )
    nutritional_route = models.PositiveSmallIntegerField(
        _("vía del producto nutricional"), choices=NutritionalRoute, null=True, blank=True
    )

    class Meta:
        verbose_name = _("tecnología prescrita")
        verbose_name_plural = _("tecnologías prescritas")
        ordering = ["prescription", "technology_type", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "technology_type", "order"], name="line_key_unique"
            ),
            models.UniqueConstraint(
                fields=["tutela", "technology_type", "order"], name="tutela_line_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(prescription__isnull=False, tutela__isnull=True)
                | Q(prescription__isnull=True, tutela__isnull=False),
                name="line_in_prescription_or_tutela",
            ),
            # A judge ordered a tutela's technologies: no Junta evaluates them.
            models.CheckConstraint(
                condition=Q(tutela__isnull=True) | Q(junta_status=JuntaStatus.NO_REQUIERE),
                name="tutela_line_no_junta",
            ),
            models.CheckConstraint(condition=Q(total_quantity__gt=0), name="line_total_positive"),
            models.CheckConstraint(
                condition=Q(technology_type__in=[t.value for t in TechnologyType]),
                name="line_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(junta_status__in=[s.value for s in JuntaStatus]),
                name="line_junta_status_valid",
            ),
            # Each type names its technology.
            models.CheckConstraint(
                condition=~Q(technology_type="P") | Q(procedure__isnull=False),
                name="line_procedure_has_cups",
            ),
            models.CheckConstraint(
                condition=~Q(technology_type="D") | Q(device_type__isnull=False),
                name="line_device_has_type",
            ),
            models.CheckConstraint(
                condition=~Q(technology_type="S") | Q(complementary_service__isnull=False),
                name="line_service_has_code",
            ),
            models.CheckConstraint(
                condition=~Q(technology_type="N") | Q(nutritional_type__isnull=False),
                name="line_nutrition_has_type",
            ),
            models.CheckConstraint(
                condition=~Q(technology_type="M") | Q(medicine_type__isnull=False),
                name="line_medicine_has_type",
            ),
        ]
        indexes = [models.Index(fields=["junta_status", "technology_type"])]

    def __str__(self) -> str:
        document = self.prescription if self.prescription_id else self.tutela
        return f"{document.number} {self.technology_type}{self.order}"

    @property
    def key(self) -> str:
        """TipoTec + ConTec, as the supply chain names the line."""
        return f"{self.technology_type}{self.order}"


class LineActiveIngredient(models.Model):
    """An active ingredient of a prescribed medicine (PrincipiosActivos[]). Indexed as
    TechnologyLine: `line` leads the unique key in Meta, the catalog keys have no index."""

    line = models.ForeignKey(
        TechnologyLine,
        on_delete=models.PROTECT,
        related_name="ingredients",
        verbose_name=_("tecnología prescrita"),
        db_index=False,
    )
    order = models.PositiveSmallIntegerField(_("consecutivo"))
    ingredient = models.ForeignKey(
        ActiveIngredient,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("principio activo"),
        db_index=False,
    )
    concentration = models.DecimalField(
        _("concentración"), max_digits=12, decimal_places=4, validators=POSITIVE
    )  # ConcCant
    concentration_unit = models.ForeignKey(
        MeasurementUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unidad de concentración"),
        db_index=False,
    )  # UMedConc
    content = models.DecimalField(
        _("cantidad contenida"), max_digits=12, decimal_places=4, null=True, blank=True
    )  # CantCont
    content_unit = models.ForeignKey(
        MeasurementUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unidad de contenido"),
        db_index=False,
    )  # UMedCantCont

    class Meta:
        verbose_name = _("principio activo prescrito")
        verbose_name_plural = _("principios activos prescritos")
        ordering = ["line", "order"]
        constraints = [
            models.UniqueConstraint(fields=["line", "order"], name="ingredient_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ingredient} {self.concentration} {self.concentration_unit.code}"


class JuntaDecision(models.Model):
    """The Junta de Profesionales' decision on one line (research §3.3)."""

    line = models.ForeignKey(
        TechnologyLine,
        on_delete=models.PROTECT,
        related_name="junta_decisions",
        verbose_name=_("tecnología prescrita"),
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="+", verbose_name=_("entidad")
    )  # CodEntJM
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decidida por"),
    )
    decided_at = models.DateTimeField(_("procesada"), default=timezone.now)  # FProceso
    result = models.PositiveSmallIntegerField(_("decisión"), choices=JuntaStatus)
    modality = models.PositiveSmallIntegerField(_("modalidad"), choices=JuntaModality)
    act_number = models.CharField(_("número de acta"), max_length=30)
    act_date = models.DateField(_("fecha del acta"))
    technical_justification = models.TextField(_("justificación técnica"))
    observations = models.TextField(_("observaciones"), blank=True)

    class Meta:
        verbose_name = _("decisión de junta")
        verbose_name_plural = _("decisiones de junta")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=[JuntaStatus.APROBADA, JuntaStatus.NO_APROBADA]),
                name="junta_decision_result_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line} – {self.get_result_display()} (acta {self.act_number})"


class Novelty(models.Model):
    """A novedad: a change after issue, linking the original and resulting numbers."""

    novelty_type = models.PositiveSmallIntegerField(_("tipo de novedad"), choices=NoveltyType)
    prescription = models.ForeignKey(
        Prescription,
        on_delete=models.PROTECT,
        related_name="novelties",
        verbose_name=_("prescripción"),
    )  # NoPrescripcion
    original_number = models.CharField(_("número original"), max_length=60)
    resulting_number = models.CharField(_("número final"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)  # FNov
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrada por"),
    )
    reason = models.TextField(_("motivo"), blank=True)

    class Meta:
        verbose_name = _("novedad")
        verbose_name_plural = _("novedades")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_novelty_type_display()} {self.original_number}"
