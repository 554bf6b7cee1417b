"""Idempotency keys scoped to (credential, method, path) and claimed before the write
(issue 12.5). The stored answers are replay caches: the old rows, scoped per entity, are
dropped rather than guessed into the new scope."""

import django.db.models.deletion
from django.db import migrations, models


def drop_answers(apps, schema_editor):
    apps.get_model("webservices", "IdempotentResponse").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("webservices", "0001_credentials"),
    ]

    operations = [
        migrations.RunPython(drop_answers, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="idempotentresponse", name="ws_idempotency_key_unique"
        ),
        migrations.RemoveField(model_name="idempotentresponse", name="entity"),
        migrations.RemoveField(model_name="idempotentresponse", name="payer_code"),
        migrations.AddField(
            model_name="idempotentresponse",
            name="credential",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="webservices.credential",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotentresponse",
            name="method",
            field=models.CharField(max_length=8),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotentresponse",
            name="path",
            field=models.CharField(max_length=300),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotentresponse",
            name="fingerprint",
            field=models.CharField(max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="idempotentresponse", name="body", field=models.TextField()
        ),
        migrations.AddConstraint(
            model_name="idempotentresponse",
            constraint=models.UniqueConstraint(
                fields=("credential", "method", "path", "key"), name="ws_idempotency_scope"
            ),
        ),
    ]
