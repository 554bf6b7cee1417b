"""bench/run.py's preparation of who each page runs as and what it writes: the as= pages'
path placeholders ({entity}, {prescription}…) and the ws= and write pages' values and
targets, found in the seeded database through `manage.py shell`; the login through the real
form (a session cookie for wrk) and the web-service token (GenerarToken).
"""

from __future__ import annotations

import http.client
import json
import re
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

from bench.pages import HOST, PLACEHOLDER, WS_PLACEHOLDERS, Page, SetupError
from bench.server import http_request, run_shell

WRITE_ITEMS = 8000  # distinct writes prepared per write page (more than a run can use)
RESOLVE_CODE = """
import json
from accounts.models import User
from entities.models import Entity
from prescriptions.models import Prescription
from supply.models import Deliverable, Direccionamiento, Programacion
found = {}
for key, (document_type, document_number, nit) in json.loads(WANTED).items():
    user = User.objects.get(document_type=document_type, document_number=document_number)
    entity = Entity.objects.get(nit=nit)
    newest = Prescription.objects.select_related("patient").order_by("-prescribed_at", "-id")
    prescription = (
        newest.filter(entity=entity, prescriber=user).first()
        or newest.filter(entity=entity).first()
        or newest.filter(payer=entity).first()
    )
    found[key] = {"entity": str(entity.external_id)}
    # The newest prescription with a supply chain the entity takes part in (it pays it, or
    # a direccionamiento or a programación names it), for the supply timeline.
    deliverable = (
        Deliverable.objects.filter(payer=entity).order_by("-id").first()
        or getattr(
            Direccionamiento.objects.filter(provider=entity).order_by("-id").first(),
            "deliverable", None,
        )
        or getattr(
            Programacion.objects.filter(entity=entity).order_by("-id").first(),
            "deliverable", None,
        )
    )
    if deliverable is not None:
        found[key]["supply-number"] = deliverable.prescription.number
    if prescription is not None:
        found[key]["prescription"] = str(prescription.external_id)
        found[key]["number"] = prescription.number
        found[key]["document"] = prescription.patient.document_number
print(json.dumps(found))
"""
# For each ws= caller (its entity's NIT and payer code): the day holding most of the
# direccionamientos it sees (a proveedor: those directed to it; a payer code: its own), the
# 30 busiest days (the burst), a prescription number of its payer code, and for each write
# page the targets of distinct writes (body=entrega: active programaciones of the entity,
# each delivered once through PUT Entrega; body=programacion: active direccionamientos to
# the as= user's entity, each programmed once through the browser form; body=prescripcion:
# the prescription form's fields, a prescription each, bench/prescribe.py).
WRITES_CODE = """
import json
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from entities.models import Entity, Sede
from prescriptions.models import Prescription
from supply.models import Direccionamiento, Programacion
found = {}
today = timezone.localdate().isoformat()
for key, wanted in json.loads(WANTED).items():
    entity = Entity.objects.get(nit=wanted["nit"])
    code = wanted.get("payer_code")
    out = found[key] = {}
    if wanted.get("ws"):
        if code:
            seen = Direccionamiento.objects.filter(payer_code__code=code)
            newest = Prescription.objects.filter(payer_code__code=code).order_by("-id").first()
            if newest is not None:
                out["ws-number"] = newest.number
        else:
            seen = Direccionamiento.objects.filter(provider=entity)
        days = list(
            seen.annotate(day=TruncDate("created_at"))
            .values("day").annotate(n=Count("id")).order_by("-n", "-day")[:30]
        )
        if days:
            out["date"] = days[0]["day"].isoformat()
            out["date_records"] = days[0]["n"]
            out["burst_days"] = [[d["day"].isoformat(), d["n"]] for d in days]
    if wanted.get("body") == "entrega":
        rows = (
            Programacion.objects.filter(entity=entity, status=1)
            .order_by("-id").values_list("deliverable_id", "technology_code", "quantity")
        )[:LIMIT]
        out["items"] = [
            json.dumps({
                "ID": d, "CodSerTecEntregado": c, "CantTotEntregada": str(q.normalize()),
                "EntTotal": 1, "CausaNoEntrega": 0, "FecEntrega": today, "NoLote": "LB1",
                "TipoIDRecibe": "CC", "NoIDRecibe": "1000000999",
            }) for d, c, q in rows
        ]
    if wanted.get("body") == "programacion":
        sede = Sede.objects.filter(entity=entity, active=True).order_by("code").first()
        pks = Direccionamiento.objects.filter(provider=entity, status=1).order_by("-id")
        out["items"] = [
            [pk, sede.pk] for pk in pks.values_list("id", flat=True)[:LIMIT]
        ]
    if wanted.get("body") == "prescripcion":
        from bench.prescribe import issue_targets
        out["items"] = issue_targets(
            document_type=wanted["document_type"], document_number=wanted["document_number"],
            nit=wanted["nit"], limit=LIMIT,
        )
print(json.dumps(found))
"""


def prepare_ws_and_writes(env: dict[str, str], pages: list[Page], callers: dict) -> dict:
    """Fill the ws= pages' placeholders except {token} (asked for once gunicorn serves) and
    prepare each write page's distinct targets. Returns what was found per caller."""
    wanted = {}
    for page in pages:
        if page.ws or page.body:
            who = callers[page.ws_key] if page.ws else callers[page.label]
            key = page.label
            wanted[key] = {
                "nit": who.get("nit") or who.get("entity_nit"),
                "payer_code": who.get("payer_code"),
                "ws": bool(page.ws),
                "body": page.body,
                "document_type": who.get("document_type"),
                "document_number": who.get("document_number"),
            }
    if not wanted:
        return {}
    print(f"==> preparing {len(wanted)} web-service or write page(s)", flush=True)
    code = WRITES_CODE.replace("WANTED", repr(json.dumps(wanted))).replace(
        "LIMIT", str(WRITE_ITEMS)
    )
    return run_shell(env, code, "preparing web-service and write pages")


def fill_placeholders(env: dict[str, str], pages: list[Page], accounts: dict) -> None:
    """Replace {entity}, {prescription}, {number} and {document} in the pages' paths with
    what they name for each page's as= user (ids exist only once the database is seeded)."""
    wanted = {
        page.session_key: [
            accounts[page.session_key][key]
            for key in ("document_type", "document_number", "entity_nit")
        ]
        for page in pages
        if PLACEHOLDER.search(page.path)
    }
    code = RESOLVE_CODE.replace("WANTED", repr(json.dumps(wanted)))
    print(f"==> filling path placeholders for {len(wanted)} user(s)", flush=True)
    found = run_shell(env, code, "resolving path placeholders")
    for page in pages:
        if not page.selector:
            continue
        values = found.get(page.session_key, {})
        for name in PLACEHOLDER.findall(page.path):
            if name in WS_PLACEHOLDERS or name == "id":
                continue
            if name not in values:
                raise SetupError(
                    f"{page.label}: no prescription visible to its as= user for {{{name}}}"
                )
        page.path = PLACEHOLDER.sub(
            lambda match, v=values: v.get(match.group(1), match.group(0)), page.path
        )


# A cookie that lasts less than this is gone, in a browser, by the time the pages are
# measured: the primary-reads pin a login sets for REPLICA_PIN_SECONDS (mipres.db). Sent
# with every request, it would keep every page of the run reading afresh, as right after
# a write.
SHORT_COOKIE_SECONDS = 60


def set_cookies(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for header in headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            if morsel["max-age"] and int(morsel["max-age"]) < SHORT_COOKIE_SECONDS:
                jar.pop(name, None)
                continue
            jar[name] = morsel.value


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def login(port: int, login_path: str, user: dict) -> str:
    """Log in through the real form; return a Cookie header value carrying the session.

    The cookies are marked Secure with DEBUG off; we handle them by hand, so plain http works.
    """
    jar: dict[str, str] = {}
    status, headers, body = http_request(port, "GET", login_path)
    if status != 200:
        raise SetupError(f"GET {login_path} answered {status}")
    set_cookies(headers, jar)
    match = re.search(r'name="csrfmiddlewaretoken"[^>]*?value="([^"]+)"', body)
    if not match:
        raise SetupError(f"no csrfmiddlewaretoken in {login_path}")
    form = {
        "csrfmiddlewaretoken": match.group(1),
        "document_type": user["document_type"],
        "document_number": user["document_number"],
        "password": user["password"],
    }
    status, headers, _ = http_request(
        port,
        "POST",
        login_path,
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header(jar),
            "Referer": f"http://{HOST}:{port}{login_path}",
        },
    )
    before = dict(jar)
    set_cookies(headers, jar)
    if status not in (301, 302, 303) or jar == before:
        who = f"{user['document_type']} {user['document_number']}"
        raise SetupError(f"login as {who} refused (status {status}, no new session cookie)")
    return cookie_header(jar)


def generate_token(port: int, caller: dict) -> str:
    """A temporal token for a web-service caller, asked for once (GenerarToken)."""
    path = f"/WSSUMMIPRESNOPBS/api/GenerarToken/{caller['nit']}/{caller['guid']}"
    status, _, body = http_request(port, "GET", path)
    if status != 200:
        raise SetupError(f"GenerarToken for NIT {caller['nit']} answered {status}: {body[:200]}")
    return quote(json.loads(body), safe="")
