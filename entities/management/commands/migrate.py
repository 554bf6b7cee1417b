"""Django's `migrate`, run as the tables' owner when DATABASE_OWNER_URL is set, followed by
the application role's grants (entities/db_roles.py, docs/database-roles.md)."""

import environ
from django.conf import settings
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from entities.db_roles import grant_app_role

OWNER_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


class Command(migrate.Command):
    def handle(self, *args, **options):
        owner_url = getattr(settings, "DATABASE_OWNER_URL", "")
        if not owner_url or options["database"] != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        connection = connections[DEFAULT_DB_ALIAS]
        app_settings = {key: connection.settings_dict[key] for key in OWNER_KEYS}
        app_options = dict(connection.settings_dict["OPTIONS"])
        owner = environ.Env.db_url_config(owner_url)
        connection.close()
        connection.settings_dict.update({key: owner[key] for key in OWNER_KEYS})
        # A Unix socket directory travels as ?host= (OPTIONS).
        connection.settings_dict["OPTIONS"] = {**app_options, **owner.get("OPTIONS", {})}
        try:
            super().handle(*args, **options)
            if app_settings["USER"] != connection.settings_dict["USER"]:
                grant_app_role(app_settings["USER"])
        finally:
            connection.close()
            connection.settings_dict.update(app_settings)
            connection.settings_dict["OPTIONS"] = app_options
