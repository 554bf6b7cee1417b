import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from entities.permissions import Role
from mipres.lib import localenv

from ..entities.factories import EntityFactory, grant

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_home_lists_the_users_entities_and_roles_and_links_only_to_them(client, ips, owner):
    eps = EntityFactory(entity_type="EPS", name="EPS Pagadora")
    grant(owner, eps, Role.JUNTA)
    unrelated = EntityFactory(name="Entidad Ajena")
    client.force_login(owner)
    page = client.get(reverse("home")).content.decode()
    assert ips.name in page and "EPS Pagadora" in page
    assert "Delegado" in page and "Junta de Profesionales" in page
    assert reverse("entities:detail", args=[ips.external_id]) in page
    assert reverse("entities:detail", args=[eps.external_id]) in page
    assert unrelated.name not in page
    assert reverse("admin:index") not in page


@pytest.mark.django_db
def test_home_without_roles_explains_how_to_get_them(client):
    from ..accounts.factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert "aún no tiene roles activos" in page


@pytest.mark.django_db
def test_staff_see_the_admin_link(client, ministry_admin):
    client.force_login(ministry_admin)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_help_page_is_public_and_shows_the_support_desk(client, settings):
    page = client.get(reverse("help")).content.decode()
    assert "(57-1) 5893750 opción 4" in page
    assert "01800960020 opción 4" in page
    assert "soporteprescripcion1328@minsalud.gov.co" in page
    assert "Sábados de 8:00 a.m. a 1:00 p.m. jornada continua" in page
    settings.SUPPORT = {**settings.SUPPORT, "email": "mesa@salud.example.org"}
    assert "mesa@salud.example.org" in client.get(reverse("help")).content.decode()


@pytest.mark.django_db
def test_divipola_page(client):
    page = client.get(reverse("divipola", args=["05001"])).content.decode()
    assert "Medellín" in page and "Antioquia" in page
    assert client.get(reverse("divipola", args=["00000"])).status_code == 404


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(client, django_db_blocker):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]  # nothing listens here once the socket closes
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(dead_port))
        try:
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_deploy_checks_are_clean_with_debug_off(tmp_path):
    # A deployment's settings, not the local .env that an earlier manage.py call (make
    # test's migration check) wrote for plain-http localhost and the console mailer: the
    # file is not read, and what settings copied from it into this process's environment
    # is left out.
    local = {line.split("=")[0] for line in localenv.TEMPLATE.splitlines() if "=" in line}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in local and not k.startswith(("DJANGO_", "DATABASE_URL", "DEBUG"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mipres.settings",
        MIPRES_ENV_FILE=str(tmp_path / "none.env"),
        DEBUG="0",
        SECRET_KEY="x7#Lq2!vR9p@Zt4&Wm8^Kd1*Hs6(Fy3)Jb5_Nc0+Ge2=Ua9-Ow4~Ix7`Qe1Ty8Rp",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_server_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    # manage.py writes a local .env on first use (tests/site/test_local_env.py); the WSGI
    # application a deployment serves never does.
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(
        DJANGO_SETTINGS_MODULE="mipres.settings",
        DEBUG="0",
        MIPRES_ENV_FILE=str(tmp_path / ".env"),
    )
    result = subprocess.run(
        [sys.executable, "-c", "import mipres.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / ".env").exists()


@pytest.mark.django_db
def test_home_reads_the_users_roles_once(client, ips, owner, django_assert_num_queries):
    client.force_login(owner)
    client.get(reverse("home"))
    # The session and the user with their active roles come from the cache (accounts.backends),
    # shared by the page and the navigation bar: no query of their own.
    with django_assert_num_queries(0):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_the_navigation_bar_names_the_users_entities_escaped_and_logs_out(client, owner):
    hostile = EntityFactory(entity_type="IPS", name='IPS <script>alert("x")</script>')
    grant(owner, hostile, Role.PRESCRIPTOR)
    client.force_login(owner)
    page = client.get(reverse("help")).content.decode()
    nav = page[page.index('<div class="collapse navbar-collapse"') : page.index("</nav>")]
    assert "<script>" not in nav
    assert "IPS &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in nav
    assert f'href="{reverse("entities:detail", args=[hostile.external_id])}"' in nav
    assert "(Prescriptor)" in nav and "Mis entidades" in nav
    assert owner.get_full_name() in nav and owner.username in nav
    assert f'href="{reverse("accounts:password_change")}"' in nav
    # The logout form carries a working CSRF token.
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(owner)
    csrf_client.get(reverse("help"))
    page = csrf_client.get(reverse("help")).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = csrf_client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert csrf_client.get(reverse("home")).status_code == 302  # logged out


def test_anonymous_navigation_offers_help_and_login(client):
    page = client.get(reverse("help")).content.decode()
    nav = page[page.index('<div class="collapse navbar-collapse"') : page.index("</nav>")]
    assert f'href="{reverse("accounts:login")}"' in nav and "Ingresar" in nav
    assert f'href="{reverse("help")}"' in nav
    assert "Mis entidades" not in nav and "Salir" not in nav


@pytest.mark.django_db
def test_the_navigation_bar_follows_a_change_of_name_role_or_entity(client, owner, ips):
    """The bar is kept per process by what it shows: each change is seen on the next page."""
    client.force_login(owner)

    def nav():
        page = client.get(reverse("help")).content.decode()
        return page[page.index('<div class="collapse navbar-collapse"') : page.index("</nav>")]

    before = nav()
    assert ips.name in before and owner.get_full_name() in before
    owner.first_name = "Renombrada"
    owner.save(update_fields=["first_name"])
    ips.name = "IPS con otro nombre"
    ips.save(update_fields=["name"])
    grant(owner, ips, Role.ANULADOR)
    after = nav()
    assert "Renombrada" in after and "IPS con otro nombre" in after and "Anulador" in after
    assert nav().split('value="')[0] == after.split('value="')[0]  # same bar, new token
