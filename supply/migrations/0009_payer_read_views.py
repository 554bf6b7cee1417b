"""The rows of the payer's worklists as PostgreSQL views read through unmanaged models
(supply.models.payer_reads; issue 13 §4, STYLE R20). They replace the statements
`supply.selectors.payer_sql` wrote by hand; each view's SQL is frozen here, as a
migration's must be. Each holds its worklist's standing conditions with their constants
written in (StepStatus 1 ACTIVO, 2 PROCESADO; PrescriptionStatus 4 ACTIVA), which the
partial indexes of in-force records match on."""

from django.db import migrations, models

IN_FORCE = "(1, 2)"  # StepStatus.ACTIVO, StepStatus.PROCESADO

# Lines of active prescriptions (status 4) whose prescribed total is not all assigned:
# in-force direccionamientos plus in-force entregas en ámbito of their deliverables (at most
# one of each per deliverable), less what their partial entregas left undelivered, as
# `services.common.assigned_quantity` computes it; with no no direccionamiento and no
# procedure carrying them in force. The assigned quantity is a lateral subquery kept apart
# (OFFSET 0) and the two exclusions one OR: each probes its in-force index per line.
PAYER_LINE = f"""
CREATE VIEW "supply_payer_line" AS
SELECT l."id", p."payer_id", l."technology_type" || l."order" AS "key",
  l."description" AS "label", l."technology_type", l."supply_type", l."total_quantity",
  l."junta_status", a."assigned", p."number", p."prescribed_at", p."care_setting",
  p."payer_code_id",
  concat_ws(' ', NULLIF(pa."first_name", ''), NULLIF(pa."middle_name", ''),
    NULLIF(pa."first_surname", ''), NULLIF(pa."second_surname", '')) AS "patient_name",
  pa."document_type", pa."document_number",
  l."technology_type" = 'D' AND a."assigned" = 0 AND EXISTS (
    SELECT FROM "prescriptions_technologyline" x
    WHERE x."prescription_id" = l."prescription_id" AND x."technology_type" = 'P'
  ) AS "has_procedure"
FROM "prescriptions_prescription" p
JOIN "prescriptions_technologyline" l ON l."prescription_id" = p."id"
JOIN "prescriptions_patient" pa ON pa."id" = p."patient_id"
CROSS JOIN LATERAL (
  SELECT COALESCE(SUM(COALESCE(di."quantity", 0) + COALESCE(en."quantity", 0)
    - COALESCE(pe."pending_quantity", 0)), 0) AS "assigned"
  FROM "supply_deliverable" d
  LEFT JOIN "supply_direccionamiento" di ON di."deliverable_id" = d."id"
    AND di."status" IN {IN_FORCE}
  LEFT JOIN "supply_entrega" en ON en."deliverable_id" = d."id"
    AND en."status" IN {IN_FORCE} AND en."in_ambito"
  LEFT JOIN "supply_entrega" pe ON pe."deliverable_id" = d."id"
    AND pe."status" IN {IN_FORCE} AND NOT pe."in_ambito" AND NOT pe."total"
  WHERE d."line_id" = l."id"
  OFFSET 0
) a
WHERE p."status" = 4 AND a."assigned" < l."total_quantity"
  AND NOT (
    EXISTS (SELECT FROM "supply_nodireccionamiento" n WHERE n."line_id" = l."id"
      AND n."status" IN {IN_FORCE})
    OR EXISTS (SELECT FROM "supply_proceduresupply" s WHERE s."line_id" = l."id"
      AND s."status" IN {IN_FORCE})
  )
"""

# What every list shows of a record's delivery: prescription number, line, delivery (NoEntrega
# or NoEntrega.NoSubEntrega) and patient.
CHAIN = """r."id", r."entity_id", r."deliverable_id", p."number",
  l."technology_type" || l."order" AS "line_key",
  d."delivery_number"::text
    || CASE WHEN d."sub_number" <> 0 THEN '.' || d."sub_number" ELSE '' END AS "delivery_label",
  concat_ws(' ', NULLIF(pa."first_name", ''), NULLIF(pa."middle_name", ''),
    NULLIF(pa."first_surname", ''), NULLIF(pa."second_surname", '')) AS "patient_name",
  pa."document_type", pa."document_number\""""
CHAIN_JOIN = """JOIN "supply_deliverable" d ON d."id" = r."deliverable_id"
JOIN "prescriptions_technologyline" l ON l."id" = d."line_id"
JOIN "prescriptions_prescription" p ON p."id" = d."prescription_id"
JOIN "prescriptions_patient" pa ON pa."id" = p."patient_id\""""


def in_force(table: str, extra: str = "") -> str:
    """Whether the record's deliverable has a record of `table` in force."""
    return (
        f'EXISTS (SELECT FROM "{table}" s WHERE s."deliverable_id" = r."deliverable_id"'
        f' AND s."status" IN {IN_FORCE}{extra})'
    )


# A direccionamiento with how far its chain went (an entrega, reporte, facturación in
# force) and its proveedor's name and NIT (a left join, left out of the plan when not read).
PAYER_DIRECCIONAMIENTO = f"""
CREATE VIEW "supply_payer_direccionamiento" AS
SELECT {CHAIN}, r."status", r."provider_id", pr."name" AS "provider_name",
  pr."nit" AS "provider_nit", r."quantity", r."max_delivery_date", r."created_at",
  r."municipality_id", r."technology_code",
  {in_force("supply_entrega")} AS "has_entrega",
  {in_force("supply_reporteentrega")} AS "has_reporte",
  {in_force("supply_facturacion")} AS "has_factura"
FROM "supply_direccionamiento" r
{CHAIN_JOIN}
LEFT JOIN "entities_entity" pr ON pr."id" = r."provider_id"
"""

# A direccionamiento in force no entrega in force delivered in full (total or en ámbito),
# with what a partial one left undelivered.
PAYER_PENDING = f"""
CREATE VIEW "supply_payer_pending" AS
SELECT {CHAIN}, r."status", r."provider_id", pr."name" AS "provider_name", r."quantity",
  r."max_delivery_date",
  (SELECT s."pending_quantity" FROM "supply_entrega" s
    WHERE s."deliverable_id" = r."deliverable_id" AND s."status" IN {IN_FORCE})
    AS "undelivered"
FROM "supply_direccionamiento" r
{CHAIN_JOIN}
LEFT JOIN "entities_entity" pr ON pr."id" = r."provider_id"
WHERE r."status" IN {IN_FORCE}
  AND NOT {in_force("supply_entrega", ' AND (s."total" OR s."in_ambito")')}
"""

# In-force entregas with no suministro in force, and the payer of their deliverable.
PAYER_ENTREGA = f"""
CREATE VIEW "supply_payer_entrega" AS
SELECT {CHAIN}, d."payer_id", e."name" AS "entity_name", r."delivered_on", r."total",
  r."in_ambito", r."quantity"
FROM "supply_entrega" r
{CHAIN_JOIN}
JOIN "entities_entity" e ON e."id" = r."entity_id"
WHERE r."status" IN {IN_FORCE} AND NOT {in_force("supply_suministro")}
"""

# Active facturaciones (no datos facturados yet), and the payer of their deliverable.
PAYER_FACTURACION = f"""
CREATE VIEW "supply_payer_facturacion" AS
SELECT {CHAIN}, d."payer_id", e."name" AS "entity_name", r."invoice_number", r."units",
  r."total_value"
FROM "supply_facturacion" r
{CHAIN_JOIN}
JOIN "entities_entity" e ON e."id" = r."entity_id"
WHERE r."status" = 1
"""

# Active suministros and datos facturados (`entity_id` the payer that recorded them).
PAYER_SUMINISTRO = f"""
CREATE VIEW "supply_payer_suministro" AS
SELECT {CHAIN}, r."created_at", r."complete", c."code" AS "cause_code", r."last_delivery",
  r."quantity", r."value"
FROM "supply_suministro" r
{CHAIN_JOIN}
LEFT JOIN "prescriptions_nondeliverycause" c ON c."id" = r."cause_id"
WHERE r."status" = 1
"""

PAYER_DATOS_FACTURADOS = f"""
CREATE VIEW "supply_payer_datos_facturados" AS
SELECT {CHAIN}, r."created_at", r."comparator", r."total_delivered"
FROM "supply_datosfacturados" r
{CHAIN_JOIN}
WHERE r."status" = 1
"""

VIEWS = {
    "supply_payer_line": PAYER_LINE,
    "supply_payer_direccionamiento": PAYER_DIRECCIONAMIENTO,
    "supply_payer_pending": PAYER_PENDING,
    "supply_payer_entrega": PAYER_ENTREGA,
    "supply_payer_facturacion": PAYER_FACTURACION,
    "supply_payer_suministro": PAYER_SUMINISTRO,
    "supply_payer_datos_facturados": PAYER_DATOS_FACTURADOS,
}


class Migration(migrations.Migration):
    dependencies = [
        ("supply", "0008_read_views"),
    ]

    operations = [
        *(migrations.RunSQL(sql, f'DROP VIEW "{name}"') for name, sql in VIEWS.items()),
        migrations.CreateModel(
            name="PayerDatosFacturados",
            fields=[
                (
                    "id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("entity_id", models.BigIntegerField(verbose_name="entidad")),
                ("deliverable_id", models.BigIntegerField(verbose_name="entregable (ID)")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("line_key", models.CharField(max_length=8, verbose_name="tecnología")),
                ("delivery_label", models.CharField(max_length=24, verbose_name="entrega")),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
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
                ("created_at", models.DateTimeField(verbose_name="fecha")),
                (
                    "comparator",
                    models.PositiveSmallIntegerField(verbose_name="comparador administrativo"),
                ),
                (
                    "total_delivered",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="cantidad total entregada"
                    ),
                ),
            ],
            options={
                "verbose_name": "datos facturados registrados",
                "verbose_name_plural": "datos facturados registrados",
                "db_table": "supply_payer_datos_facturados",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PayerDireccionamiento",
            fields=[
                (
                    "id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("entity_id", models.BigIntegerField(verbose_name="entidad")),
                ("deliverable_id", models.BigIntegerField(verbose_name="entregable (ID)")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("line_key", models.CharField(max_length=8, verbose_name="tecnología")),
                ("delivery_label", models.CharField(max_length=24, verbose_name="entrega")),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
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
                ("status", models.PositiveSmallIntegerField(verbose_name="estado")),
                ("provider_id", models.BigIntegerField(verbose_name="proveedor")),
                (
                    "provider_name",
                    models.CharField(max_length=255, verbose_name="nombre del proveedor"),
                ),
                ("provider_nit", models.CharField(max_length=15, verbose_name="NIT del proveedor")),
                (
                    "quantity",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="cantidad a entregar"
                    ),
                ),
                ("max_delivery_date", models.DateField(verbose_name="fecha máxima de entrega")),
                ("created_at", models.DateTimeField(verbose_name="fecha")),
                (
                    "municipality_id",
                    models.CharField(max_length=5, verbose_name="municipio de entrega"),
                ),
                (
                    "technology_code",
                    models.CharField(max_length=20, verbose_name="código a entregar"),
                ),
                ("has_entrega", models.BooleanField(verbose_name="con entrega")),
                ("has_reporte", models.BooleanField(verbose_name="con reporte de entrega")),
                ("has_factura", models.BooleanField(verbose_name="con facturación")),
            ],
            options={
                "verbose_name": "direccionamiento del pagador",
                "verbose_name_plural": "direccionamientos del pagador",
                "db_table": "supply_payer_direccionamiento",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PayerEntrega",
            fields=[
                (
                    "id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("entity_id", models.BigIntegerField(verbose_name="entidad")),
                ("deliverable_id", models.BigIntegerField(verbose_name="entregable (ID)")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("line_key", models.CharField(max_length=8, verbose_name="tecnología")),
                ("delivery_label", models.CharField(max_length=24, verbose_name="entrega")),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
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
                ("payer_id", models.BigIntegerField(verbose_name="pagador")),
                ("entity_name", models.CharField(max_length=255, verbose_name="proveedor")),
                ("delivered_on", models.DateField(verbose_name="fecha de entrega")),
                ("total", models.BooleanField(verbose_name="entrega total")),
                ("in_ambito", models.BooleanField(verbose_name="entrega en ámbito")),
                (
                    "quantity",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="cantidad entregada"
                    ),
                ),
            ],
            options={
                "verbose_name": "entrega por reportar suministro",
                "verbose_name_plural": "entregas por reportar suministro",
                "db_table": "supply_payer_entrega",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PayerFacturacion",
            fields=[
                (
                    "id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("entity_id", models.BigIntegerField(verbose_name="entidad")),
                ("deliverable_id", models.BigIntegerField(verbose_name="entregable (ID)")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("line_key", models.CharField(max_length=8, verbose_name="tecnología")),
                ("delivery_label", models.CharField(max_length=24, verbose_name="entrega")),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
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
                ("payer_id", models.BigIntegerField(verbose_name="pagador")),
                ("entity_name", models.CharField(max_length=255, verbose_name="proveedor")),
                (
                    "invoice_number",
                    models.CharField(max_length=100, verbose_name="número de factura"),
                ),
                (
                    "units",
                    models.DecimalField(
                        decimal_places=3,
                        max_digits=12,
                        verbose_name="unidades mínimas de dispensación",
                    ),
                ),
                (
                    "total_value",
                    models.DecimalField(
                        decimal_places=2, max_digits=16, verbose_name="valor total facturado"
                    ),
                ),
            ],
            options={
                "verbose_name": "facturación por registrar datos facturados",
                "verbose_name_plural": "facturaciones por registrar datos facturados",
                "db_table": "supply_payer_facturacion",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PayerLine",
            fields=[
                (
                    "id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("payer_id", models.BigIntegerField(verbose_name="pagador")),
                ("key", models.CharField(max_length=8, verbose_name="consecutivo")),
                ("label", models.TextField(verbose_name="descripción")),
                (
                    "technology_type",
                    models.CharField(max_length=1, verbose_name="tipo de tecnología"),
                ),
                (
                    "supply_type",
                    models.PositiveSmallIntegerField(verbose_name="tipo de prestación"),
                ),
                (
                    "total_quantity",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="cantidad total"
                    ),
                ),
                ("junta_status", models.PositiveSmallIntegerField(verbose_name="estado junta")),
                (
                    "assigned",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="cantidad asignada"
                    ),
                ),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("prescribed_at", models.DateTimeField(verbose_name="fecha de prescripción")),
                ("care_setting", models.PositiveSmallIntegerField(verbose_name="ámbito")),
                ("payer_code_id", models.BigIntegerField(null=True, verbose_name="código EPS")),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
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
                ("has_procedure", models.BooleanField(verbose_name="con procedimiento")),
            ],
            options={
                "verbose_name": "tecnología por direccionar",
                "verbose_name_plural": "tecnologías por direccionar",
                "db_table": "supply_payer_line",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PayerPending",
            fields=[
                (
                    "id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("entity_id", models.BigIntegerField(verbose_name="entidad")),
                ("deliverable_id", models.BigIntegerField(verbose_name="entregable (ID)")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("line_key", models.CharField(max_length=8, verbose_name="tecnología")),
                ("delivery_label", models.CharField(max_length=24, verbose_name="entrega")),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
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
                ("status", models.PositiveSmallIntegerField(verbose_name="estado")),
                ("provider_id", models.BigIntegerField(verbose_name="proveedor")),
                (
                    "provider_name",
                    models.CharField(max_length=255, verbose_name="nombre del proveedor"),
                ),
                (
                    "quantity",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="cantidad a entregar"
                    ),
                ),
                ("max_delivery_date", models.DateField(verbose_name="fecha máxima de entrega")),
                (
                    "undelivered",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, null=True, verbose_name="sin entregar"
                    ),
                ),
            ],
            options={
                "verbose_name": "entrega pendiente del pagador",
                "verbose_name_plural": "entregas pendientes del pagador",
                "db_table": "supply_payer_pending",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PayerSuministro",
            fields=[
                (
                    "id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("entity_id", models.BigIntegerField(verbose_name="entidad")),
                ("deliverable_id", models.BigIntegerField(verbose_name="entregable (ID)")),
                ("number", models.CharField(max_length=20, verbose_name="número de prescripción")),
                ("line_key", models.CharField(max_length=8, verbose_name="tecnología")),
                ("delivery_label", models.CharField(max_length=24, verbose_name="entrega")),
                ("patient_name", models.CharField(max_length=255, verbose_name="paciente")),
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
                ("created_at", models.DateTimeField(verbose_name="fecha")),
                ("complete", models.BooleanField(verbose_name="entrega completa")),
                ("cause_code", models.CharField(max_length=20, null=True, verbose_name="causa")),
                ("last_delivery", models.BooleanField(verbose_name="última entrega")),
                (
                    "quantity",
                    models.DecimalField(decimal_places=3, max_digits=12, verbose_name="cantidad"),
                ),
                (
                    "value",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="valor"),
                ),
            ],
            options={
                "verbose_name": "suministro reportado",
                "verbose_name_plural": "suministros reportados",
                "db_table": "supply_payer_suministro",
                "managed": False,
            },
        ),
    ]
