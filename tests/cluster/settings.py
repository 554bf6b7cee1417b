"""The cluster's app servers and worker: production settings (mipres/settings.py, every
value from the environment tests/cluster/harness.py gives), with static files served from
the app folders so that no collectstatic is needed."""

from mipres.settings import *  # noqa: F403
from mipres.settings import STORAGES

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_USE_FINDERS = True
# The cluster answers plain http on 127.0.0.1 (no TLS proxy in front, as in tests/settings.py).
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
