"""Issue 17 item 19: `manage.py` works with no variables set, writing a local `.env` (DEBUG
off, its own secret key, plain http on localhost), and `make run` no longer turns DEBUG on,
so its visitors see the project's Spanish error pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from mipres.lib import localenv

ROOT = Path(__file__).resolve().parents[2]
SHOW_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.DEBUG, s.LOCAL_HTTP, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
    "s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1], len(s.SECRET_KEY) >= 50)"
)


def _bare_environment(env_file: Path) -> dict:
    keep = {"PATH", "HOME", "LANG", "TMPDIR"}
    environment = {key: value for key, value in os.environ.items() if key in keep}
    environment["MIPRES_ENV_FILE"] = str(env_file)
    return environment


def test_manage_py_runs_without_variables_and_writes_the_local_env(tmp_path):
    env_file = tmp_path / ".env"
    command = [sys.executable, "manage.py", "check"]
    result = subprocess.run(
        command, cwd=ROOT, env=_bare_environment(env_file), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    text = env_file.read_text()
    assert "DEBUG=0" in text and "LOCAL_HTTP=1" in text
    secret = next(line for line in text.splitlines() if line.startswith("SECRET_KEY="))
    assert len(secret) > 60
    # The same file serves the next command: same key, DEBUG off, plain http.
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=_bare_environment(env_file),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "True", "False", "False", "StaticFilesStorage", "True"
    ]  # fmt: skip
    assert env_file.read_text() == text


def test_a_configured_environment_gets_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("MIPRES_ENV_FILE", str(tmp_path / ".env"))
    assert localenv.ensure(tmp_path) is None
    assert not (tmp_path / ".env").exists()


def test_make_run_leaves_debug_off():
    makefile = (ROOT / "Makefile").read_text()
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "DEBUG" not in serve


@pytest.mark.django_db
def test_with_debug_off_a_missing_page_is_the_spanish_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "No encontrado" in response.content.decode()
    assert reverse("home") in response.content.decode()
