"""The small fixed code lists of MIPRES, with MIPRES's own codes so the web services can
expose them unchanged (research/mipres-domain.md §3–§4).

Labels come from the MIPRES reference tables in ../shared/data (ambitos_atencion.csv,
tipos_medicamento.csv, tipos_prestacion.csv, unidades_tiempo.csv,
indicaciones_especiales.csv, tipos_transcripcion.csv, estados_junta.csv,
junta_modalidades.csv, vias_producto_nutricional.csv), and from the research notes where
no table exists (EstPres, TipoNov, TipoTec). Store them in PositiveSmallIntegerField /
CharField with `choices=`; the larger, versioned tables are models in
`prescriptions.models.catalogs`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CareSetting(models.IntegerChoices):
    """Ámbito de atención (`CodAmbAte`)."""

    AMBULATORIO_PRIORIZADO = 11, _("Ambulatorio – Priorizado")
    AMBULATORIO_NO_PRIORIZADO = 12, _("Ambulatorio – No priorizado")
    HOSPITALARIO_DOMICILIARIO = 21, _("Hospitalario – Domiciliario")
    HOSPITALARIO_INTERNACION = 22, _("Hospitalario – Internación")
    URGENCIAS = 30, _("Urgencias")


# Nutritional products prescribed in these settings need the Junta (research §3.3).
AMBULATORY_SETTINGS = frozenset(
    {CareSetting.AMBULATORIO_PRIORIZADO, CareSetting.AMBULATORIO_NO_PRIORIZADO}
)


class MedicineType(models.IntegerChoices):
    """Tipo de medicamento (`TipoMed`). 9 exists only in transcriptions."""

    MEDICAMENTO = 1, _("Medicamento")
    VITAL_NO_DISPONIBLE = 2, _("Vital no disponible")
    PREPARACION_MAGISTRAL = 3, _("Preparación magistral")
    # The 2020 table writes «UNIRS6»; the other sources say UNIRS.
    UNIRS = 7, _("UNIRS")
    URGENCIA_MEDICA = 9, _("Urgencia médica (solo transcripción)")


class SupplyType(models.IntegerChoices):
    """Tipo de prestación (`TipoPrest`): one supply or successive supplies."""

    UNICA = 1, _("Única")
    SUCESIVA = 2, _("Sucesiva")


class TimeUnit(models.IntegerChoices):
    """Units of frequency and of treatment duration (`CodFreAdmon`, `DurTrat`,
    `CodFreUso`, `CodPerDurTrat`)."""

    MINUTO = 1, _("Minuto(s)")
    HORA = 2, _("Hora(s)")
    DIA = 3, _("Día(s)")
    SEMANA = 4, _("Semana(s)")
    MES = 5, _("Mes(es)")
    ANO = 6, _("Año(s)")
    SEGUN_RESPUESTA = 7, _("Según respuesta al tratamiento")
    UNICA = 8, _("Única")


class SpecialIndication(models.IntegerChoices):
    """Indicación especial of a medicine (`IndEsp`)."""

    DOSIS_UNICA = 1, _("Administración en dosis única")
    INMEDIATA = 2, _("Administración inmediata")
    BOLO = 3, _("Administrar en bolo")
    GOTEO = 4, _("Administrar en goteo")
    INFUSION_CONTINUA = 5, _("Infusión continua")
    INFUSION_INTERMITENTE = 6, _("Infusión intermitente")
    INFUSION_INTERMITENTE_SIMULTANEA = (
        7,
        _("Infusión intermitente simultánea con perfusión de otra solución"),
    )
    MICROGOTEO = 8, _("Microgoteo")
    PERFUSION = 9, _("Perfusión")
    SIN_INDICACION = 10, _("Sin indicación especial")


class TranscriptionType(models.IntegerChoices):
    """Why a prescription made outside the system is transcribed (`TipoTransc`)."""

    DIFICULTADES_TECNICAS = 1, _("Contingencia – Dificultades técnicas")
    SIN_ELECTRICIDAD = 2, _("Contingencia – No hay servicio eléctrico")
    SIN_CONECTIVIDAD = 3, _("Contingencia – No hay conectividad")
    INCONSISTENCIA_AFILIACION = 4, _("Contingencia – Inconsistencia en afiliación o identificación")
    URGENCIA_MEDICA = 5, _("Urgencia médica")
    DONANTE_NO_EFECTIVO = 6, _("Donante no efectivo")


class JuntaStatus(models.IntegerChoices):
    """State of a technology line before the Junta de Profesionales (`EstJM`)."""

    NO_REQUIERE = 1, _("No requiere junta de profesionales")
    PENDIENTE = 2, _("Requiere junta de profesionales y pendiente evaluación")
    APROBADA = 3, _("Evaluada por la junta de profesionales y fue aprobada")
    NO_APROBADA = 4, _("Evaluada por la junta de profesionales y no fue aprobada")


class JuntaModality(models.IntegerChoices):
    """How a Junta session was held (`Modalidad`)."""

    PRESENCIAL = 1, _("Presencial")
    VIRTUAL = 2, _("Virtual")


class NutritionalRoute(models.IntegerChoices):
    """Route of administration of a nutritional product (`CodViaAdmon`)."""

    ORAL = 1, _("Oral")
    SONDA = 2, _("Sonda")


class PrescriptionStatus(models.IntegerChoices):
    """`EstPres`. Other values may exist in MIPRES (research §7, open question 2)."""

    ACTIVA = 4, _("Activa")
    ANULADA = 2, _("Anulada")


class NoveltyType(models.IntegerChoices):
    """`TipoNov`. One source says 1–6; 4–6 are unknown (research §3.5)."""

    MODIFICACION = 1, _("Modificación")
    ANULACION = 2, _("Anulación")
    TRANSCRIPCION = 3, _("Transcripción")


class TechnologyType(models.TextChoices):
    """`TipoTec`: the five technology types of a prescription line."""

    MEDICAMENTO = "M", _("Medicamento")
    PROCEDIMIENTO = "P", _("Procedimiento")
    DISPOSITIVO = "D", _("Dispositivo médico")
    PRODUCTO_NUTRICIONAL = "N", _("Producto nutricional")
    SERVICIO_COMPLEMENTARIO = "S", _("Servicio complementario")
