"""bench/run.py's `presc-issue` write (body=prescripcion) and its --mixed writes: the
prepared form bodies each issue a new prescription through the real form (CSRF token from
the session's cookie, a one-time key each); write.lua counts a redirect to the issued
prescription as accepted and a re-rendered form or a redirect elsewhere as refused."""

import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from bench.measure import run_writes, write_command, write_lines, write_result
from bench.pages import DEFAULT_URLS, Page, SetupError, load_pages, pick_user
from bench.prescribe import issue_targets
from bench.run import parse_args
from entities.models import Entity
from prescriptions.models import Prescription

pytestmark = pytest.mark.django_db
ISSUED = re.compile(r"^/prescripciones/[0-9a-f-]+/[0-9a-f-]+/$")  # write.lua's pattern


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo world, once for the module inside a transaction rolled back at its end;
    returns the demo IPS Prescriptor's credentials as run.py picks them."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        out = io.StringIO()
        call_command("demo_credentials", "--json", stdout=out)
        users = json.loads(out.getvalue())["users"]
        yield pick_user(users, {"entity_type": "IPS", "role": "prescriptor"})
        transaction.set_rollback(True)


def presc_issue_page(user) -> Page:
    [_floor, page] = load_pages(DEFAULT_URLS, "presc-issue")
    entity = Entity.objects.get(nit=user["entity_nit"])
    page.path = page.path.replace("{entity}", str(entity.external_id))
    page.items = issue_targets(
        document_type=user["document_type"],
        document_number=user["document_number"],
        nit=user["entity_nit"],
        limit=30,
    )
    return page


def logged_in(user) -> tuple[Client, str]:
    """A client that enforces CSRF as the server does, logged in through the real form;
    and its cookies as run.py passes them to wrk."""
    client = Client(enforce_csrf_checks=True)
    client.get("/cuentas/ingresar/")
    response = client.post(
        "/cuentas/ingresar/",
        {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "document_type": user["document_type"],
            "document_number": user["document_number"],
            "password": user["password"],
        },
    )
    assert response.status_code == 302
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    return client, cookie


def test_every_prepared_body_issues_a_prescription(demo):
    page = presc_issue_page(demo)
    assert page.method == "POST" and page.body == "prescripcion"
    keys = [item["submission_key"] for item in page.items]
    patients = {item["document_number"] for item in page.items}
    assert len(page.items) == 30 and len(set(keys)) == 30
    assert 1 < len(patients) < 30  # the demo's few patients come back, with other codes
    client, cookie = logged_in(demo)
    before = Prescription.objects.count()
    statuses = []
    for line in write_lines(page, cookie):
        path, body = line.split("\t")
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        statuses.append(response.status_code)
        if response.status_code == 302:
            assert ISSUED.match(response["Location"]), response["Location"]
    assert statuses == [302] * 30
    assert Prescription.objects.count() == before + statuses.count(302)
    issued = Prescription.objects.filter(submission_key__in=keys)
    assert issued.count() == 30
    assert {p.prescriber.document_number for p in issued} == {demo["document_number"]}
    for prescription in issued:
        assert sorted(prescription.lines.values_list("technology_type", flat=True)) == [
            "M",
            "M",
            "P",
        ]
    # Prepared again, the targets avoid what was just issued: they issue as well.
    again = presc_issue_page(demo)
    path, body = write_lines(again, cookie)[0].split("\t")
    response = client.post(path, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302


def test_a_repeated_technology_is_a_re_render_not_an_issue(demo):
    """What write.lua refuses: the same lines again for the patient (a new key) stop at the
    «already prescribed» caution, and the form comes back with 200."""
    page = presc_issue_page(demo)
    client, cookie = logged_in(demo)
    path, body = write_lines(page, cookie)[0].split("\t")
    first = client.post(path, body, content_type="application/x-www-form-urlencoded")
    assert first.status_code == 302
    fields = parse_qs(body)
    fields["submission_key"] = ["00000000-0000-4000-8000-000000000001"]
    before = Prescription.objects.count()
    response = client.post(path, {k: v[0] for k, v in fields.items()})
    assert response.status_code == 200
    assert Prescription.objects.count() == before


class _Server(BaseHTTPRequestHandler):
    """Answers a form post as the prescription view does: /ok/ with a redirect to an issued
    prescription, /login/ with a redirect to the login page, anything else with the form
    re-rendered and an error beside a field; /healthz as the app does."""

    def do_GET(self):
        body = b'{"status": "ok", "database": "ok"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.startswith("/ok/"):
            self.send_response(302)
            self.send_header("Location", "/prescripciones/0a1b-2c/3d4e-5f/")
            body = b""
        elif self.path.startswith("/login/"):
            self.send_response(302)
            self.send_header("Location", "/cuentas/ingresar/?next=/x/")
            body = b""
        else:
            self.send_response(200)
            body = '<div class="invalid-feedback">Elija el ámbito de atención.</div>'.encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("path", "accepted"), [("/ok/", True), ("/login/", False), ("/form/", False)]
)
def test_write_lua_accepts_only_a_redirect_to_the_issued_prescription(
    server, tmp_path, path, accepted
):
    page = Page("presc-issue", path, method="POST", body="prescripcion")
    page.items = [{"submission_key": str(n), "care_setting": "12"} for n in range(20)]
    args = parse_args(["-t1", "-c2", "-d5s"])
    command, env = write_command(args, server, page, "csrftoken=abc", tmp_path)
    [figures] = run_writes([(command, env)])
    result = write_result(page, figures)
    # Every target sent is answered once and counted (wrk builds the first only to check
    # it, unsent); the idle GETs sent meanwhile are not counted.
    assert result.wrk["ran_out"]
    if accepted:
        assert (result.writes_ok, result.writes_rejected) == (19, 0)
        assert not result.failed
    else:
        assert (result.writes_ok, result.writes_rejected) == (0, 19)
        assert result.failed
        sample = result.wrk["sample"]
        assert sample == (
            "302 -> /cuentas/ingresar/?next=/x/"
            if path == "/login/"
            else "200 Elija el ámbito de atención."
        )


def test_mixed_writes_are_the_write_pages_measured_together():
    pages = load_pages(DEFAULT_URLS, "ayuda", parse_args(["--mixed"]).mixed)
    by_label = {page.label: page for page in pages}
    assert [p.label for p in pages if p.mixed] == ["presc-issue", "sum-program", "ws-entrega"]
    assert not by_label["ayuda"].mixed and not by_label["floor"].mixed
    assert {by_label[label].body for label in ("presc-issue", "sum-program", "ws-entrega")} == {
        "prescripcion",
        "programacion",
        "entrega",
    }
    with pytest.raises(SetupError, match="ayuda"):
        load_pages(DEFAULT_URLS, None, "presc-issue,ayuda")
