"""Fixed-shape joins the prescription pages read, as PostgreSQL views read through unmanaged
models (prescriptions.models.reads; STYLE R20): what the detail page shows of each line and
under it, and the consultas' rows and their lines. Each replaces ORM queries whose compile
cost dominated its page (a ten-table select_related and three prefetches; annotated
subqueries and joined lines). The views' SQL is frozen here, as a migration's must be."""

import django.db.models.deletion
from django.db import migrations, models

# A line with the names of the catalog rows it cites (ten joins, each to a primary key; the
# statement is prepared, so PostgreSQL plans them once per connection) and its `label`, read
# from prescriptions_line_summary (one definition of how a line is named).
LINE_DETAIL = """
CREATE VIEW "prescriptions_line_detail" AS
SELECT l."id", l."prescription_id", l."technology_type", l."order",
  l."technology_type" || l."order" AS "key", l."supply_type", l."junta_status",
  l."justification", l."recommendations", l."medicine_type", l."special_indication",
  l."nutritional_route", l."dose", l."quantity_per_use", l."frequency_every",
  l."frequency_unit", l."duration_amount", l."duration_unit", l."total_quantity",
  COALESCE(NULLIF(du."symbol", ''), du."name") AS "dose_unit",
  pu."name" AS "presentation_unit",
  pf."code" || ' – ' || pf."name" AS "pharmaceutical_form",
  r."code" || ' – ' || r."name" AS "route",
  cp."code" || ' – ' || cp."name" AS "procedure",
  dt."code" || ' – ' || dt."name" AS "device_type",
  cs."code" || ' – ' || cs."name" AS "complementary_service",
  nt."code" || ' – ' || nt."name" AS "nutritional_type",
  np."code" || ' – ' || np."name" AS "nutritional_product",
  nf."code" || ' – ' || nf."name" AS "nutritional_form",
  s."label"
FROM "prescriptions_technologyline" l
JOIN "prescriptions_line_summary" s ON s."id" = l."id"
LEFT JOIN "prescriptions_doseunit" du ON du."id" = l."dose_unit_id"
LEFT JOIN "prescriptions_presentationunit" pu ON pu."id" = l."presentation_unit_id"
LEFT JOIN "prescriptions_pharmaceuticalform" pf ON pf."id" = l."pharmaceutical_form_id"
LEFT JOIN "prescriptions_administrationroute" r ON r."id" = l."route_id"
LEFT JOIN "prescriptions_cupsprocedure" cp ON cp."id" = l."procedure_id"
LEFT JOIN "prescriptions_devicetype" dt ON dt."id" = l."device_type_id"
LEFT JOIN "prescriptions_complementaryservice" cs ON cs."id" = l."complementary_service_id"
LEFT JOIN "prescriptions_nutritionalproducttype" nt ON nt."id" = l."nutritional_type_id"
LEFT JOIN "prescriptions_nutritionalproduct" np ON np."id" = l."nutritional_product_id"
LEFT JOIN "prescriptions_nutritionalform" nf ON nf."id" = l."nutritional_form_id"
"""

# Each branch joins its line for the prescription: a filter on `prescription_id` reaches
# the lines' prescription index, then each table's line index; the other kinds' columns
# are null.
LINE_ITEM = """
CREATE VIEW "prescriptions_line_item" AS
SELECT 'ingredient'::varchar AS "kind", li."id" AS "record_id", l."prescription_id",
  li."line_id", li."order"::integer AS "position", i."code", i."name"::text AS "name",
  li."concentration", COALESCE(NULLIF(u."symbol", ''), u."name")::varchar AS "unit",
  NULL::timestamptz AS "decided_at", NULL::smallint AS "result", NULL::smallint AS "modality",
  NULL::varchar AS "act_number", NULL::date AS "act_date",
  NULL::text AS "technical_justification", NULL::text AS "observations",
  NULL::varchar AS "entity_name"
FROM "prescriptions_lineactiveingredient" li
JOIN "prescriptions_technologyline" l ON l."id" = li."line_id"
JOIN "prescriptions_activeingredient" i ON i."id" = li."ingredient_id"
JOIN "prescriptions_measurementunit" u ON u."id" = li."concentration_unit_id"
UNION ALL
SELECT 'indication', t."id", l."prescription_id", t."technologyline_id",
  length(c."code"), c."code", c."name", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL
FROM "prescriptions_technologyline_unirs_indications" t
JOIN "prescriptions_technologyline" l ON l."id" = t."technologyline_id"
JOIN "prescriptions_unirsindication" c ON c."id" = t."unirsindication_id"
UNION ALL
SELECT 'decision', d."id", l."prescription_id", d."line_id", 0, NULL, NULL, NULL, NULL,
  d."decided_at", d."result", d."modality", d."act_number", d."act_date",
  d."technical_justification", d."observations", e."name"
FROM "prescriptions_juntadecision" d
JOIN "prescriptions_technologyline" l ON l."id" = d."line_id"
JOIN "entities_entity" e ON e."id" = d."entity_id"
"""

# A consulta's row: the patient and the professional joined, the other names as scalar
# subqueries run only for the rows a page returns (each joined table adds planning time).
# Filters and order stay on the prescription's columns, so its `presc_*_recent` indexes serve.
CONSULTA_ROW = """
CREATE VIEW "prescriptions_consulta_row" AS
SELECT p."id", p."external_id", p."number", p."prescribed_at", p."status", p."entity_id",
  p."prescriber_id", p."payer_id", pa."document_number" AS "patient_document_number",
  concat_ws(' ', NULLIF(pa."first_name", ''), NULLIF(pa."middle_name", ''),
    NULLIF(pa."first_surname", ''), NULLIF(pa."second_surname", '')) AS "patient_name",
  pa."document_type" || ' ' || pa."document_number" AS "patient_document",
  concat_ws(' ', NULLIF(u."first_name", ''), NULLIF(u."middle_name", ''),
    NULLIF(u."first_surname", ''), NULLIF(u."second_surname", '')) AS "prescriber_name",
  (SELECT "name" FROM "entities_entity" WHERE "id" = p."entity_id") AS "entity_name",
  (SELECT "name" FROM "entities_entity" WHERE "id" = p."payer_id") AS "payer_name",
  (SELECT "code" FROM "entities_payercode" WHERE "id" = p."payer_code_id") AS "payer_code",
  (SELECT "code" FROM "prescriptions_diagnosis" WHERE "id" = p."diagnosis_id")
    AS "diagnosis_code"
FROM "prescriptions_prescription" p
JOIN "prescriptions_patient" pa ON pa."id" = p."patient_id"
JOIN "accounts_user" u ON u."id" = p."prescriber_id"
"""

# A line as the consultas name it, as `selectors.prescriptions.technology_label` does (and
# supply_deliverable_row): its description, a medicine's ingredients with their
# concentrations, else its catalog row's name; null when only its type's name is left.
LINE_SUMMARY = """
CREATE VIEW "prescriptions_line_summary" AS
SELECT l."id", l."prescription_id", l."technology_type", l."order",
  l."technology_type" || l."order" AS "key", l."junta_status",
  CASE
    WHEN l."description" <> '' THEN l."description"
    WHEN l."technology_type" = 'M' THEN (
      SELECT string_agg(i."name" || ' ' || trim_scale(li."concentration")::text, ' + '
        ORDER BY li."order")
      FROM "prescriptions_lineactiveingredient" li
      JOIN "prescriptions_activeingredient" i ON i."id" = li."ingredient_id"
      WHERE li."line_id" = l."id")
    ELSE COALESCE(
      (SELECT "name" FROM "prescriptions_nutritionalproduct"
        WHERE "id" = l."nutritional_product_id"),
      (SELECT "name" FROM "prescriptions_cupsprocedure" WHERE "id" = l."procedure_id"),
      (SELECT "name" FROM "prescriptions_devicetype" WHERE "id" = l."device_type_id"),
      (SELECT "name" FROM "prescriptions_complementaryservice"
        WHERE "id" = l."complementary_service_id"),
      (SELECT "name" FROM "prescriptions_nutritionalproducttype"
        WHERE "id" = l."nutritional_type_id"))
  END AS "label"
FROM "prescriptions_technologyline" l
"""


class Migration(migrations.Migration):
    dependencies = [
        ("prescriptions", "0009_prescriber_entity_recent_index"),
    ]

    operations = [
        migrations.RunSQL(LINE_SUMMARY, 'DROP VIEW "prescriptions_line_summary"'),
        migrations.RunSQL(LINE_DETAIL, 'DROP VIEW "prescriptions_line_detail"'),
        migrations.RunSQL(LINE_ITEM, 'DROP VIEW "prescriptions_line_item"'),
        migrations.RunSQL(CONSULTA_ROW, 'DROP VIEW "prescriptions_consulta_row"'),
        migrations.CreateModel(
            name="LineDetail",
            fields=[
                (
                    "line",
                    models.OneToOneField(
                        db_column="id",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="prescriptions.technologyline",
                        verbose_name="tecnología prescrita (ID)",
                    ),
                ),
                ("prescription_id", models.BigIntegerField(verbose_name="prescripción")),
                (
                    "technology_type",
                    models.CharField(
                        choices=[
                            ("M", "Medicamento"),
                            ("P", "Procedimiento"),
                            ("D", "Dispositivo médico"),
                            ("N", "Producto nutricional"),
                            ("S", "Servicio complementario"),
                        ],
                        max_length=1,
                        verbose_name="tipo de tecnología",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(verbose_name="consecutivo")),
                ("key", models.CharField(max_length=8, verbose_name="tecnología")),
                (
                    "supply_type",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "Única"), (2, "Sucesiva")], verbose_name="tipo de prestación"
                    ),
                ),
                (
                    "junta_status",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "No requiere junta de profesionales"),
                            (2, "Requiere junta de profesionales y pendiente evaluación"),
                            (3, "Evaluada por la junta de profesionales y fue aprobada"),
                            (4, "Evaluada por la junta de profesionales y no fue aprobada"),
                        ],
                        verbose_name="estado junta",
                    ),
                ),
                ("justification", models.TextField(verbose_name="justificación")),
                ("recommendations", models.TextField(verbose_name="recomendaciones")),
                (
                    "medicine_type",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Medicamento"),
                            (2, "Vital no disponible"),
                            (3, "Preparación magistral"),
                            (7, "UNIRS"),
                            (9, "Urgencia médica (solo transcripción)"),
                        ],
                        null=True,
                        verbose_name="tipo de medicamento",
                    ),
                ),
                (
                    "special_indication",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Administración en dosis única"),
                            (2, "Administración inmediata"),
                            (3, "Administrar en bolo"),
                            (4, "Administrar en goteo"),
                            (5, "Infusión continua"),
                            (6, "Infusión intermitente"),
                            (7, "Infusión intermitente simultánea con perfusión de otra solución"),
                            (8, "Microgoteo"),
                            (9, "Perfusión"),
                            (10, "Sin indicación especial"),
                        ],
                        null=True,
                        verbose_name="indicación especial",
                    ),
                ),
                (
                    "nutritional_route",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "Oral"), (2, "Sonda")],
                        null=True,
                        verbose_name="vía del producto nutricional",
                    ),
                ),
                (
                    "dose",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, null=True, verbose_name="dosis"
                    ),
                ),
                (
                    "quantity_per_use",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, null=True, verbose_name="cantidad por uso"
                    ),
                ),
                ("frequency_every", models.PositiveIntegerField(null=True, verbose_name="cada")),
                (
                    "frequency_unit",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Minuto(s)"),
                            (2, "Hora(s)"),
                            (3, "Día(s)"),
                            (4, "Semana(s)"),
                            (5, "Mes(es)"),
                            (6, "Año(s)"),
                            (7, "Según respuesta al tratamiento"),
                            (8, "Única"),
                        ],
                        null=True,
                        verbose_name="unidad de frecuencia",
                    ),
                ),
                (
                    "duration_amount",
                    models.PositiveIntegerField(null=True, verbose_name="duración"),
                ),
                (
                    "duration_unit",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Minuto(s)"),
                            (2, "Hora(s)"),
                            (3, "Día(s)"),
                            (4, "Semana(s)"),
                            (5, "Mes(es)"),
                            (6, "Año(s)"),
                            (7, "Según respuesta al tratamiento"),
                            (8, "Única"),
                        ],
                        null=True,
                        verbose_name="unidad de duración",
                    ),
                ),
                (
                    "total_quantity",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="cantidad total"
                    ),
                ),
                ("dose_unit", models.TextField(null=True, verbose_name="unidad de dosis")),
                (
                    "presentation_unit",
                    models.TextField(null=True, verbose_name="unidad de presentación"),
                ),
                (
                    "pharmaceutical_form",
                    models.TextField(null=True, verbose_name="forma farmacéutica"),
                ),
                ("route", models.TextField(null=True, verbose_name="vía de administración")),
                ("procedure", models.TextField(null=True, verbose_name="procedimiento (CUPS)")),
                ("device_type", models.TextField(null=True, verbose_name="tipo de dispositivo")),
                (
                    "complementary_service",
                    models.TextField(null=True, verbose_name="servicio complementario"),
                ),
                (
                    "nutritional_type",
                    models.TextField(null=True, verbose_name="tipo de producto nutricional"),
                ),
                (
                    "nutritional_product",
                    models.TextField(null=True, verbose_name="producto nutricional"),
                ),
                (
                    "nutritional_form",
                    models.TextField(null=True, verbose_name="forma del producto nutricional"),
                ),
                ("label", models.TextField(null=True, verbose_name="descripción")),
            ],
            options={
                "verbose_name": "detalle de tecnología",
                "verbose_name_plural": "detalles de tecnologías",
                "db_table": "prescriptions_line_detail",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="LineItem",
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
                ("kind", models.CharField(max_length=10, verbose_name="clase")),
                ("record_id", models.BigIntegerField(verbose_name="ID")),
                ("prescription_id", models.BigIntegerField(verbose_name="prescripción")),
                ("line_id", models.BigIntegerField(verbose_name="tecnología prescrita")),
                ("position", models.IntegerField(verbose_name="posición")),
                ("code", models.CharField(max_length=20, null=True, verbose_name="código")),
                ("name", models.TextField(null=True, verbose_name="nombre")),
                (
                    "concentration",
                    models.DecimalField(
                        decimal_places=4, max_digits=12, null=True, verbose_name="concentración"
                    ),
                ),
                ("unit", models.CharField(max_length=255, null=True, verbose_name="unidad")),
                ("decided_at", models.DateTimeField(null=True, verbose_name="procesada")),
                (
                    "result",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "No requiere junta de profesionales"),
                            (2, "Requiere junta de profesionales y pendiente evaluación"),
                            (3, "Evaluada por la junta de profesionales y fue aprobada"),
                            (4, "Evaluada por la junta de profesionales y no fue aprobada"),
                        ],
                        null=True,
                        verbose_name="decisión",
                    ),
                ),
                (
                    "modality",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "Presencial"), (2, "Virtual")],
                        null=True,
                        verbose_name="modalidad",
                    ),
                ),
                (
                    "act_number",
                    models.CharField(max_length=30, null=True, verbose_name="número de acta"),
                ),
                ("act_date", models.DateField(null=True, verbose_name="fecha del acta")),
                (
                    "technical_justification",
                    models.TextField(null=True, verbose_name="justificación técnica"),
                ),
                ("observations", models.TextField(null=True, verbose_name="observaciones")),
                (
                    "entity_name",
                    models.CharField(max_length=255, null=True, verbose_name="entidad"),
                ),
            ],
            options={
                "verbose_name": "fila bajo una tecnología",
                "verbose_name_plural": "filas bajo las tecnologías",
                "db_table": "prescriptions_line_item",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="LineSummary",
            fields=[
                (
                    "line",
                    models.OneToOneField(
                        db_column="id",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="prescriptions.technologyline",
                        verbose_name="tecnología prescrita (ID)",
                    ),
                ),
                ("prescription_id", models.BigIntegerField(verbose_name="prescripción")),
                (
                    "technology_type",
                    models.CharField(
                        choices=[
                            ("M", "Medicamento"),
                            ("P", "Procedimiento"),
                            ("D", "Dispositivo médico"),
                            ("N", "Producto nutricional"),
                            ("S", "Servicio complementario"),
                        ],
                        max_length=1,
                        verbose_name="tipo de tecnología",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(verbose_name="consecutivo")),
                ("key", models.CharField(max_length=8, verbose_name="tecnología")),
                (
                    "junta_status",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "No requiere junta de profesionales"),
                            (2, "Requiere junta de profesionales y pendiente evaluación"),
                            (3, "Evaluada por la junta de profesionales y fue aprobada"),
                            (4, "Evaluada por la junta de profesionales y no fue aprobada"),
                        ],
                        verbose_name="estado junta",
                    ),
                ),
                ("label", models.TextField(null=True, verbose_name="descripción")),
            ],
            options={
                "verbose_name": "resumen de tecnología",
                "verbose_name_plural": "resúmenes de tecnologías",
                "db_table": "prescriptions_line_summary",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PrescriptionRow",
            fields=[
                (
                    "prescription",
                    models.OneToOneField(
                        db_column="id",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="prescriptions.prescription",
                        verbose_name="prescripción (ID)",
                    ),
                ),
                ("external_id", models.UUIDField(verbose_name="ID público")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("prescribed_at", models.DateTimeField(verbose_name="prescrita")),
                (
                    "status",
                    models.PositiveSmallIntegerField(
                        choices=[(4, "Activa"), (2, "Anulada")], verbose_name="estado"
                    ),
                ),
                ("entity_id", models.BigIntegerField(verbose_name="IPS")),
                ("prescriber_id", models.BigIntegerField(verbose_name="profesional")),
                ("payer_id", models.BigIntegerField(verbose_name="pagador")),
                (
                    "patient_document_number",
                    models.CharField(
                        max_length=20, verbose_name="número de documento del paciente"
                    ),
                ),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
                (
                    "patient_document",
                    models.CharField(max_length=24, verbose_name="documento del paciente"),
                ),
                ("prescriber_name", models.CharField(max_length=255, verbose_name="profesional")),
                ("entity_name", models.CharField(max_length=255, null=True, verbose_name="IPS")),
                ("payer_name", models.CharField(max_length=255, null=True, verbose_name="pagador")),
                (
                    "payer_code",
                    models.CharField(max_length=20, null=True, verbose_name="código EPS"),
                ),
                (
                    "diagnosis_code",
                    models.CharField(
                        max_length=20, null=True, verbose_name="diagnóstico principal"
                    ),
                ),
            ],
            options={
                "verbose_name": "fila de consulta",
                "verbose_name_plural": "filas de consulta",
                "db_table": "prescriptions_consulta_row",
                "managed": False,
            },
        ),
    ]
