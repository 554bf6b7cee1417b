"""The read model of the request resources: one row per prescription line with what its
MedicationRequest, ServiceRequest, DeviceRequest or NutritionOrder shows, from a PostgreSQL
view (migration 0001) over the line, its prescription, patient, prescriber, diagnosis and
catalogs. A search page reads it as one table: through the ORM, the same join written with
`prescription__patient__…` paths cost about twice the CPU per page, most of it building and
compiling the joins (docs/fhir.md, "Velocidad"). Nothing writes it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from prescriptions.enums import (
    CareSetting,
    JuntaStatus,
    NutritionalRoute,
    PrescriptionStatus,
    SupplyType,
)

QUANTITY = {"max_digits": 20, "decimal_places": 6, "null": True}


class RequestLine(models.Model):
    technology_type = models.CharField(_("tipo de tecnología"), max_length=1)
    order = models.PositiveSmallIntegerField(_("consecutivo"))
    supply_type = models.PositiveSmallIntegerField(_("tipo de prestación"), choices=SupplyType)
    junta_status = models.PositiveSmallIntegerField(_("estado de junta"), choices=JuntaStatus)
    justification = models.TextField(_("justificación"))
    description = models.TextField(_("descripción"))
    total_quantity = models.DecimalField(_("cantidad total"), **QUANTITY)
    dose = models.DecimalField(_("dosis"), **QUANTITY)
    dose_unit = models.TextField(_("unidad de dosis"), null=True)
    route = models.TextField(_("vía de administración"), null=True)
    presentation_unit = models.TextField(_("unidad de presentación"), null=True)
    frequency_every = models.PositiveIntegerField(_("cada"), null=True)
    frequency_unit = models.PositiveSmallIntegerField(_("unidad de frecuencia"), null=True)
    duration_amount = models.PositiveIntegerField(_("duración"), null=True)
    duration_unit = models.PositiveSmallIntegerField(_("unidad de duración"), null=True)
    ingredients = models.JSONField(_("principios activos"))
    procedure_code = models.TextField(_("código CUPS"), null=True)
    procedure_name = models.TextField(_("procedimiento"), null=True)
    service_code = models.TextField(_("código de servicio complementario"), null=True)
    service_name = models.TextField(_("servicio complementario"), null=True)
    device_code = models.TextField(_("código de tipo de dispositivo"), null=True)
    device_name = models.TextField(_("tipo de dispositivo"), null=True)
    nutrition_type_code = models.TextField(_("código de tipo de producto nutricional"), null=True)
    nutrition_type_name = models.TextField(_("tipo de producto nutricional"), null=True)
    product_code = models.TextField(_("código de producto nutricional"), null=True)
    product_name = models.TextField(_("producto nutricional"), null=True)
    nutritional_route = models.PositiveSmallIntegerField(
        _("vía de administración nutricional"), choices=NutritionalRoute, null=True
    )
    prescription_id = models.BigIntegerField(_("prescripción"))
    number = models.CharField(_("número de prescripción"), max_length=20)
    status = models.PositiveSmallIntegerField(_("estado"), choices=PrescriptionStatus)
    care_setting = models.PositiveSmallIntegerField(_("ámbito de atención"), choices=CareSetting)
    prescribed_at = models.DateTimeField(_("fecha y hora"))
    entity_id = models.BigIntegerField(_("IPS"))
    payer_id = models.BigIntegerField(_("pagador"), null=True)
    payer_code_id = models.BigIntegerField(_("código EPS"), null=True)
    patient_pk = models.BigIntegerField(_("paciente"))
    patient_id = models.UUIDField(_("identificador del paciente"))
    patient_name = models.TextField(_("nombre del paciente"))
    prescriber_pk = models.BigIntegerField(_("prescriptor"))
    prescriber_id = models.UUIDField(_("identificador del prescriptor"))
    prescriber_name = models.TextField(_("nombre del prescriptor"))
    registration = models.TextField(_("registro profesional"))
    diagnosis_code = models.TextField(_("código CIE-10"))
    diagnosis_name = models.TextField(_("diagnóstico"))

    class Meta:
        managed = False
        db_table = "fhir_api_requestline"
        verbose_name = _("línea como recurso FHIR")
        verbose_name_plural = _("líneas como recursos FHIR")

    def __str__(self) -> str:
        return f"{self.number}-{self.technology_type}{self.order}"
