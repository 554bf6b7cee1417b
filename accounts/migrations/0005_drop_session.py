# Sessions are Django's own again (cached_db, table django_session): the custom table that
# carried the user's id goes, and with it every open session (everyone logs in once more).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_session"),
    ]

    operations = [
        migrations.DeleteModel(name="Session"),
    ]
