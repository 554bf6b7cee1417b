"""Issue 17 item 20: a Content-Security-Policy without inline scripts, a Permissions-Policy,
no-store on what views produce, sessions that end when idle, and no traceback in the log
for an ordinary 403 (mipres/lib/security.py, settings)."""

import logging
import re
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from ..accounts.factories import UserFactory
from ..entities.factories import grant
from ..prescriptions.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if INLINE_SCRIPT.search(text) or EVENT_ATTRIBUTE.search(text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_the_csp_and_the_permissions_policy(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src == "'self'"
    assert "unsafe-inline" not in script_src and "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_api_docs_need_no_inline_script(client):
    content = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(content)


@pytest.mark.django_db
def test_patient_pages_are_not_stored_by_the_browser(client, ips):
    user = UserFactory()
    grant(user, ips, "admision")
    client.force_login(user)
    patient = PatientFactory()
    url = reverse("prescriptions:patient_detail", args=[ips.external_id, patient.external_id])
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get(reverse("home"))["Cache-Control"]


@pytest.mark.django_db
def test_a_session_ends_after_30_idle_minutes_and_slides_with_activity(client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    user = UserFactory()
    client.force_login(user)
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    assert abs((expiry - timezone.now()).total_seconds() - 30 * 60) < 60
    # A request a while after the last save writes a new expiry (and cookie).
    session = client.session
    session["_seen"] = 0
    session.save()
    response = client.get(reverse("home"))
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    # Right after, nothing is written again.
    assert "sessionid" not in client.get(reverse("home")).cookies
    # Once idle past its age the session is over.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    from django.core.cache import caches

    caches[settings.SESSION_CACHE_ALIAS].clear()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_an_ordinary_403_is_logged_without_a_traceback(client, ips, member_readonly, caplog):
    client.force_login(member_readonly)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("accounts:module_users", args=[ips.external_id]))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(record.exc_info is None for record in records)
