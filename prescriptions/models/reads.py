"""Read-only rows of a fixed-shape join, a PostgreSQL view created in a migration and read
through an unmanaged model (STYLE R20, as supply.models.reads): what the prescription's
detail page shows under each line. Nothing here is ever written."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import JuntaModality, JuntaStatus


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
