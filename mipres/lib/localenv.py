"""The local `.env` that `manage.py` writes on first use when nothing configures the site.

`make run` and every `manage.py` command then run as a deployment does (DEBUG off: the
project's own Spanish 404/403/500 pages, errors logged to the console) with a secret key of
this machine, over plain http on localhost (LOCAL_HTTP). A deployment sets SECRET_KEY in its
environment and never gets this file; gunicorn (mipres/wsgi.py) never writes it.
"""

import os
import secrets
from pathlib import Path

TEMPLATE = """\
# Written by manage.py on first use for this machine; not in git. Every variable is in
# .env.example. Delete this file to get a new one; DEBUG=1 in the environment still wins.
SECRET_KEY={secret_key}
DEBUG=0
# Plain http on this machine (make run): no https redirect, HSTS or secure-only cookies.
LOCAL_HTTP=1
ALLOWED_HOSTS=127.0.0.1,localhost
EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
"""


def env_file(base_dir: Path) -> Path:
    """The `.env` settings read: MIPRES_ENV_FILE, else the project's own."""
    return Path(os.environ.get("MIPRES_ENV_FILE") or base_dir / ".env")


def ensure(base_dir: Path) -> Path | None:
    """Write the local `.env` unless it exists or the environment has a SECRET_KEY; the
    path written, or None."""
    path = env_file(base_dir)
    if path.exists() or os.environ.get("SECRET_KEY"):
        return None
    path.write_text(TEMPLATE.format(secret_key=secrets.token_urlsafe(50)))
    path.chmod(0o600)
    return path
