"""Test settings: production settings with the few overrides tests need (STYLE R13)."""

import os

# A PostgreSQL placeholder so the engine is PostgreSQL when settings load; tests/conftest.py
# points it at a throwaway cluster it starts. Tests never run on SQLite.
os.environ["DATABASE_URL"] = "postgres://postgres@localhost:5432/mipres"
# pytest-django migrates the test database as the cluster's superuser; tests/conftest.py
# then connects as the application role (docs/database-roles.md).
os.environ["DATABASE_OWNER_URL"] = ""
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "k" * 50)
# pytest-playwright runs an event loop in the test thread; Django's ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from mipres.settings import *  # noqa: F403
from mipres.settings import STORAGES, TASKS

# Plain http for the test client and the live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's test setup switches every mailer to the locmem backend (mail.outbox).
# Serve static files from the app folders (no collectstatic in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tasks run inline where they are enqueued, so a test sees its e-mail in mail.outbox at once;
# tests/jobs switches to the database backend and runs the real worker.
TASKS = {
    "default": {**TASKS["default"], "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
}
