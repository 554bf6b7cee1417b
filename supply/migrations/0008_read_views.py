"""The fixed-shape joins the worklists and the timeline read, as PostgreSQL views read through
unmanaged models (supply.models.reads; issue 13 §4, STYLE R20). They replace the statements
the selectors wrote by hand; each view's SQL is frozen here, as a migration's must be."""

import django.db.models.deletion
from django.db import migrations, models

DELIVERABLE_ROW = """
CREATE VIEW "supply_deliverable_row" AS
SELECT d."id",
  d."delivery_number"::text
    || CASE WHEN d."sub_number" <> 0 THEN '.' || d."sub_number" ELSE '' END AS "label",
  p."number", pa."document_type", pa."document_number",
  concat_ws(' ', NULLIF(pa."first_name", ''), NULLIF(pa."middle_name", ''),
    NULLIF(pa."first_surname", ''), NULLIF(pa."second_surname", '')) AS "patient_name",
  l."technology_type" || l."order" AS "line_key",
  CASE
    WHEN l."description" <> '' THEN l."description"
    WHEN l."technology_type" = 'M' THEN (
      SELECT string_agg(i."name" || ' ' || trim_scale(li."concentration")::text, ' + '
        ORDER BY li."order")
      FROM "prescriptions_lineactiveingredient" li
      JOIN "prescriptions_activeingredient" i ON i."id" = li."ingredient_id"
      WHERE li."line_id" = l."id")
    ELSE COALESCE(
      CASE WHEN l."technology_type" = 'N' THEN (
        SELECT "name" FROM "prescriptions_nutritionalproduct"
        WHERE "id" = l."nutritional_product_id") END,
      (SELECT "name" FROM "prescriptions_cupsprocedure" WHERE "id" = l."procedure_id"),
      (SELECT "name" FROM "prescriptions_devicetype" WHERE "id" = l."device_type_id"),
      (SELECT "name" FROM "prescriptions_complementaryservice"
        WHERE "id" = l."complementary_service_id"),
      (SELECT "name" FROM "prescriptions_nutritionalproducttype"
        WHERE "id" = l."nutritional_type_id"),
      (SELECT "name" FROM "prescriptions_nutritionalproduct"
        WHERE "id" = l."nutritional_product_id"))
  END AS "technology",
  e."name" AS "payer_name", l."technology_type"
FROM "supply_deliverable" d
JOIN "prescriptions_technologyline" l ON l."id" = d."line_id"
JOIN "prescriptions_prescription" p ON p."id" = d."prescription_id"
JOIN "prescriptions_patient" pa ON pa."id" = p."patient_id"
JOIN "entities_entity" e ON e."id" = d."payer_id"
"""

# Every supply record of a prescription: a chain's steps (their parent the deliverable) and
# a line's records (their parent the line), each with the prescription of its parent. The
# timeline reads them by prescription (the parents' prescription_id index, then each
# table's parent index); a filter on the kind, a constant in each branch, leaves the other
# branches out at planning time.
TIMELINE_STEP = """
CREATE VIEW "supply_timeline_step" AS
  SELECT 'direccionamiento'::varchar AS "kind", p."prescription_id", s."deliverable_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", NULL::varchar AS "text2", s."quantity" AS "number", s."max_delivery_date" AS "date", NULL::boolean AS "flag1", NULL::boolean AS "flag2", s."provider_id" AS "ref"
  FROM "supply_direccionamiento" s JOIN "supply_deliverable" p ON p."id" = s."deliverable_id"
  UNION ALL
  SELECT 'programacion'::varchar AS "kind", p."prescription_id", s."deliverable_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", NULL::varchar AS "text2", s."quantity" AS "number", NULL::date AS "date", NULL::boolean AS "flag1", NULL::boolean AS "flag2", s."sede_id" AS "ref"
  FROM "supply_programacion" s JOIN "supply_deliverable" p ON p."id" = s."deliverable_id"
  UNION ALL
  SELECT 'entrega'::varchar AS "kind", p."prescription_id", s."deliverable_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", s."batch" AS "text2", s."quantity" AS "number", s."delivered_on" AS "date", s."in_ambito" AS "flag1", s."total" AS "flag2", s."cause_id" AS "ref"
  FROM "supply_entrega" s JOIN "supply_deliverable" p ON p."id" = s."deliverable_id"
  UNION ALL
  SELECT 'reporte'::varchar AS "kind", p."prescription_id", s."deliverable_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", NULL::varchar AS "text2", s."value" AS "number", NULL::date AS "date", s."delivered" AS "flag1", NULL::boolean AS "flag2", NULL::bigint AS "ref"
  FROM "supply_reporteentrega" s JOIN "supply_deliverable" p ON p."id" = s."deliverable_id"
  UNION ALL
  SELECT 'facturacion'::varchar AS "kind", p."prescription_id", s."deliverable_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    s."invoice_number" AS "text1", NULL::varchar AS "text2", s."total_value" AS "number", NULL::date AS "date", NULL::boolean AS "flag1", NULL::boolean AS "flag2", NULL::bigint AS "ref"
  FROM "supply_facturacion" s JOIN "supply_deliverable" p ON p."id" = s."deliverable_id"
  UNION ALL
  SELECT 'datos-facturados'::varchar AS "kind", p."prescription_id", s."deliverable_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", NULL::varchar AS "text2", NULL::numeric AS "number", NULL::date AS "date", NULL::boolean AS "flag1", NULL::boolean AS "flag2", NULL::bigint AS "ref"
  FROM "supply_datosfacturados" s JOIN "supply_deliverable" p ON p."id" = s."deliverable_id"
  UNION ALL
  SELECT 'suministro'::varchar AS "kind", p."prescription_id", s."deliverable_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", NULL::varchar AS "text2", s."quantity" AS "number", NULL::date AS "date", NULL::boolean AS "flag1", NULL::boolean AS "flag2", NULL::bigint AS "ref"
  FROM "supply_suministro" s JOIN "supply_deliverable" p ON p."id" = s."deliverable_id"
  UNION ALL
  SELECT 'no-direccionamiento'::varchar AS "kind", p."prescription_id", s."line_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", NULL::varchar AS "text2", NULL::numeric AS "number", NULL::date AS "date", NULL::boolean AS "flag1", NULL::boolean AS "flag2", s."cause_id" AS "ref"
  FROM "supply_nodireccionamiento" s JOIN "prescriptions_technologyline" p ON p."id" = s."line_id"
  UNION ALL
  SELECT 'inclusion'::varchar AS "kind", p."prescription_id", s."line_id" AS "parent_id", s."id" AS "record_id", s."status", s."created_at", s."entity_id", s."created_by_id", s."annulled_at", s."annulled_by_id", s."annulment_reason",
    NULL::varchar AS "text1", NULL::varchar AS "text2", NULL::numeric AS "number", NULL::date AS "date", NULL::boolean AS "flag1", NULL::boolean AS "flag2", s."procedure_line_id" AS "ref"
  FROM "supply_proceduresupply" s JOIN "prescriptions_technologyline" p ON p."id" = s."line_id"
"""

TIMELINE_NAME = """
CREATE VIEW "supply_timeline_name" AS
  SELECT 'entities'::varchar AS "source", "id" AS "source_id", "name"::text AS "text1",
    NULL::text AS "text2", NULL::text AS "text3", NULL::text AS "text4"
  FROM "entities_entity"
  UNION ALL
  SELECT 'users'::varchar, "id", "first_name"::text, "middle_name"::text,
    "first_surname"::text, "second_surname"::text
  FROM "accounts_user"
  UNION ALL
  SELECT 'sedes'::varchar, "id", "code"::text, "name"::text, NULL::text, NULL::text
  FROM "entities_sede"
  UNION ALL
  SELECT 'causes'::varchar, "id", "code"::text, "name"::text, NULL::text, NULL::text
  FROM "prescriptions_nondeliverycause"
  UNION ALL
  SELECT 'payer_codes'::varchar, "id", "code"::text, NULL::text, NULL::text, NULL::text
  FROM "entities_payercode"
"""


class Migration(migrations.Migration):
    dependencies = [
        ("supply", "0007_spanish_verbose_names"),
    ]

    operations = [
        migrations.RunSQL(DELIVERABLE_ROW, 'DROP VIEW "supply_deliverable_row"'),
        migrations.RunSQL(TIMELINE_STEP, 'DROP VIEW "supply_timeline_step"'),
        migrations.RunSQL(TIMELINE_NAME, 'DROP VIEW "supply_timeline_name"'),
        migrations.CreateModel(
            name="DeliverableRow",
            fields=[
                (
                    "deliverable",
                    models.OneToOneField(
                        db_column="id",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="row",
                        serialize=False,
                        to="supply.deliverable",
                        verbose_name="entregable (ID)",
                    ),
                ),
                ("label", models.CharField(max_length=24, verbose_name="entrega")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                (
                    "document_type",
                    models.CharField(max_length=2, verbose_name="tipo de documento del paciente"),
                ),
                (
                    "document_number",
                    models.CharField(
                        max_length=20, verbose_name="número de documento del paciente"
                    ),
                ),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
                ("line_key", models.CharField(max_length=8, verbose_name="tecnología")),
                ("technology", models.TextField(null=True, verbose_name="descripción")),
                ("payer_name", models.CharField(max_length=255, verbose_name="pagador")),
                (
                    "technology_type",
                    models.CharField(max_length=1, verbose_name="tipo de tecnología"),
                ),
            ],
            options={
                "verbose_name": "fila de entregable",
                "verbose_name_plural": "filas de entregables",
                "db_table": "supply_deliverable_row",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="TimelineName",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "source",
                        "source_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("source", models.CharField(max_length=16, verbose_name="origen")),
                ("source_id", models.BigIntegerField(verbose_name="ID")),
                ("text1", models.TextField(null=True, verbose_name="texto 1")),
                ("text2", models.TextField(null=True, verbose_name="texto 2")),
                ("text3", models.TextField(null=True, verbose_name="texto 3")),
                ("text4", models.TextField(null=True, verbose_name="texto 4")),
            ],
            options={
                "verbose_name": "nombre de la línea de tiempo",
                "verbose_name_plural": "nombres de la línea de tiempo",
                "db_table": "supply_timeline_name",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="TimelineStep",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "kind",
                        "record_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("kind", models.CharField(max_length=24, verbose_name="clase")),
                ("record_id", models.BigIntegerField(verbose_name="ID")),
                ("prescription_id", models.BigIntegerField(verbose_name="prescripción")),
                (
                    "parent_id",
                    models.BigIntegerField(verbose_name="entregable o tecnología (ID)"),
                ),
                ("status", models.PositiveSmallIntegerField(verbose_name="estado")),
                ("created_at", models.DateTimeField(verbose_name="creado")),
                ("entity_id", models.BigIntegerField(verbose_name="entidad")),
                ("created_by_id", models.BigIntegerField(null=True, verbose_name="creado por")),
                ("annulled_at", models.DateTimeField(null=True, verbose_name="anulado")),
                ("annulled_by_id", models.BigIntegerField(null=True, verbose_name="anulado por")),
                ("annulment_reason", models.TextField(verbose_name="motivo de anulación")),
                ("text1", models.TextField(null=True, verbose_name="texto 1")),
                ("text2", models.TextField(null=True, verbose_name="texto 2")),
                (
                    "number",
                    models.DecimalField(
                        decimal_places=4, max_digits=20, null=True, verbose_name="número"
                    ),
                ),
                ("date", models.DateField(null=True, verbose_name="fecha")),
                ("flag1", models.BooleanField(null=True, verbose_name="indicador 1")),
                ("flag2", models.BooleanField(null=True, verbose_name="indicador 2")),
                ("ref", models.BigIntegerField(null=True, verbose_name="referencia")),
            ],
            options={
                "verbose_name": "paso de la línea de tiempo",
                "verbose_name_plural": "pasos de la línea de tiempo",
                "db_table": "supply_timeline_step",
                "managed": False,
            },
        ),
    ]
