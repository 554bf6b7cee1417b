"""The 33 DIVIPOLA departments and their capitals, shipped with the repository
(entities/data/divipola_departamentos.csv). The full list loads with `load_divipola`."""

from django.db import migrations


def load(apps, schema_editor):
    from entities.divipola import import_municipalities, starter_rows

    Department = apps.get_model("entities", "Department")
    Municipality = apps.get_model("entities", "Municipality")
    import_municipalities(starter_rows(), Department, Municipality)


def unload(apps, schema_editor):
    from entities.divipola import starter_rows

    codes = {row["code"] for row in starter_rows()}
    apps.get_model("entities", "Municipality").objects.filter(code__in=codes).delete()
    departments = {row["department_code"] for row in starter_rows()}
    apps.get_model("entities", "Department").objects.filter(code__in=departments).delete()


class Migration(migrations.Migration):
    dependencies = [("entities", "0002_audit_append_only")]
    operations = [migrations.RunPython(load, unload)]
