"""Public UUIDs for memberships and links (STYLE R5: no integer ids in URLs). Added in three
steps so existing rows each get their own UUID before the unique index."""

import uuid

from django.db import migrations, models

MODELS = ("membership", "networklink", "territoriallink")


def fill(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("entities", name)
        for row in model.objects.filter(external_id__isnull=True).only("pk"):
            model.objects.filter(pk=row.pk).update(external_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("entities", "0004_entity_registration")]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="external_id",
                field=models.UUIDField(null=True, editable=False),
            )
            for name in MODELS
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=name,
                name="external_id",
                field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
            )
            for name in MODELS
        ),
    ]
