"""Read-only rows of fixed-shape joins, each a PostgreSQL view created in a migration and read
through an unmanaged model (STYLE R20): the worklists' deliverable rows and the timeline's
step and name rows. The join is written once in SQL (migration 0008) and the reads go
through the ORM like any other model; nothing here is ever written.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import Deliverable


class DeliverableRow(models.Model):
    """What a worklist row shows of its deliverable: the delivery's label (NoEntrega, or
    NoEntrega.NoSubEntrega), the prescription's number, the patient, the line and the payer.
    `technology` is `technology_label`'s text (the description, a medicine's ingredients
    with their concentrations, or the first catalog name); empty when only the technology
    type's name is left, which the reader translates."""

    deliverable = models.OneToOneField(
        Deliverable,
        primary_key=True,
        db_column="id",
        on_delete=models.DO_NOTHING,
        related_name="row",
        verbose_name=_("entregable (ID)"),
    )
    label = models.CharField(_("entrega"), max_length=24)
    number = models.CharField(_("número de prescripción"), max_length=20)
    document_type = models.CharField(_("tipo de documento del paciente"), max_length=2)
    document_number = models.CharField(_("número de documento del paciente"), max_length=20)
    patient_name = models.CharField(_("paciente"), max_length=255)
    line_key = models.CharField(_("tecnología"), max_length=8)
    technology = models.TextField(_("descripción"), null=True)
    payer_name = models.CharField(_("pagador"), max_length=255)
    technology_type = models.CharField(_("tipo de tecnología"), max_length=1)

    class Meta:
        managed = False
        db_table = "supply_deliverable_row"
        verbose_name = _("fila de entregable")
        verbose_name_plural = _("filas de entregables")

    def __str__(self) -> str:
        return f"{self.number} {self.line_key} {self.label}"


class TimelineStep(models.Model):
    """One supply record as the timeline shows it: a step of a delivery's chain (its parent
    the deliverable) or a record of a line (its parent the line: no direccionamiento,
    procedure inclusion), with the record's common columns and its kind's details in
    generic slots (`supply.selectors.timeline.DETAILS`). `ref` is the id of a row the step
    names: its provider, sede, cause or procedure line."""

    pk = models.CompositePrimaryKey("kind", "record_id")
    kind = models.CharField(_("clase"), max_length=24)
    record_id = models.BigIntegerField(_("ID"))
    prescription_id = models.BigIntegerField(_("prescripción"))
    parent_id = models.BigIntegerField(_("entregable o tecnología (ID)"))
    status = models.PositiveSmallIntegerField(_("estado"))
    created_at = models.DateTimeField(_("creado"))
    entity_id = models.BigIntegerField(_("entidad"))
    created_by_id = models.BigIntegerField(_("creado por"), null=True)
    annulled_at = models.DateTimeField(_("anulado"), null=True)
    annulled_by_id = models.BigIntegerField(_("anulado por"), null=True)
    annulment_reason = models.TextField(_("motivo de anulación"))
    text1 = models.TextField(_("texto 1"), null=True)
    text2 = models.TextField(_("texto 2"), null=True)
    number = models.DecimalField(_("número"), max_digits=20, decimal_places=4, null=True)
    date = models.DateField(_("fecha"), null=True)
    flag1 = models.BooleanField(_("indicador 1"), null=True)
    flag2 = models.BooleanField(_("indicador 2"), null=True)
    ref = models.BigIntegerField(_("referencia"), null=True)

    class Meta:
        managed = False
        db_table = "supply_timeline_step"
        verbose_name = _("paso de la línea de tiempo")
        verbose_name_plural = _("pasos de la línea de tiempo")

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}"


class TimelineName(models.Model):
    """A name the timeline cites: an entity's, a user's (its four names), a sede's or a
    cause's (code and name), a payer code's; `source` says which table `source_id` is in."""

    pk = models.CompositePrimaryKey("source", "source_id")
    source = models.CharField(_("origen"), max_length=16)
    source_id = models.BigIntegerField(_("ID"))
    text1 = models.TextField(_("texto 1"), null=True)
    text2 = models.TextField(_("texto 2"), null=True)
    text3 = models.TextField(_("texto 3"), null=True)
    text4 = models.TextField(_("texto 4"), null=True)

    class Meta:
        managed = False
        db_table = "supply_timeline_name"
        verbose_name = _("nombre de la línea de tiempo")
        verbose_name_plural = _("nombres de la línea de tiempo")

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}"
