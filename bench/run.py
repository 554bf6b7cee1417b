"""Load driver: measure each page's throughput against the one-query floor page.

Run from the repository root with `.venv/bin/python bench/run.py` (or `make bench`). It starts
a throwaway PostgreSQL, migrates and seeds it (and with `--volume N` bulk-loads N
prescriptions with bench/volume.py), serves the project with gunicorn in a production-like
configuration (DEBUG off, whitenoise manifest storage, persistent database connections) and
points wrk at every page of bench/urls.txt. It prints one table and writes
the same figures to bench/results/<timestamp>.json. Everything it started is stopped on exit,
Ctrl-C or error. The exit status is 1 when a page answered 4xx/5xx, 2 when setup failed.

See bench/README.md and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DEFAULT_URLS = BENCH_DIR / "urls.txt"
RESULTS_DIR = BENCH_DIR / "results"
LUA_REPORT = BENCH_DIR / "report.lua"
LUA_WRITE = BENCH_DIR / "write.lua"
JSON_MARKER = "@@BENCH_JSON@@"
VOLUME_MARKER = "@@VOLUME_JSON@@"  # bench/volume.py --json
SUPPLY_MARKER = "@@VOLUME_SUPPLY_JSON@@"  # bench/volume_supply.py --json
WRITES_MARKER = "@@BENCH_WRITES@@"  # write.lua: how many writes the server accepted
REJECTED_MARKER = "@@BENCH_REJECTED@@"  # write.lua: how many it answered otherwise
SAMPLE_MARKER = "@@BENCH_SAMPLE@@"  # write.lua: the first refusal (status and message)
WRITE_ITEMS = 8000  # distinct writes prepared per write page (more than a run can use)
BURST_TIMEOUT = 120  # s: 30 one-day queries at once queue behind 2 workers
# Path placeholders, filled once the database is seeded, for the page's as= user: the
# public id of the user's entity, and the newest prescription the user may see (its public
# id, its number, its patient's document number).
PLACEHOLDERS = ("entity", "prescription", "number", "document", "supply-number")
# Web-service placeholders, filled for the page's ws= caller (an entry of demo_credentials'
# `web_services`): its NIT, GUID, a temporal token run.py asks GenerarToken for once, the day
# holding most of its direccionamientos, and a prescription number its payer code pays.
WS_PLACEHOLDERS = ("nit", "guid", "token", "date", "ws-number")
BODY_KINDS = ("entrega", "programacion", "prescripcion")  # body=<kind>: a write per request
PLACEHOLDER = re.compile(r"\{([\w-]+)\}")
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
FLOOR_LABEL = "floor"
# --mixed: the prescription issue and the supply steps a proveedor writes, at once.
DEFAULT_MIXED = "presc-issue,sum-program,ws-entrega"
PEAK_PRESCRIPTIONS_PER_S = 85  # Circular 044 of 2025: the national peak estimate
HOST = "127.0.0.1"
BUSY_LOAD = 0.7  # 1-minute load average above which other work skews the figures


class SetupError(Exception):
    """The environment could not be prepared; the message says what to do."""


@dataclass
class Page:
    label: str
    path: str
    selector: dict[str, str] = field(default_factory=dict)
    ws: dict[str, str] = field(default_factory=dict)  # ws=<selector>: a web-service caller
    method: str = "GET"
    body: str = ""  # body=<kind>: a write, each request with a target of its own
    items: list[str] = field(default_factory=list)  # "path\tbody" per request (writes)
    note: str = ""
    bearer: str = ""  # /fhir/ pages: the ws= caller's token, sent as a Bearer header
    mixed: bool = False  # --mixed: measured with the other mixed writes at once, not alone

    @property
    def needs_login(self) -> bool:
        return bool(self.selector)

    @property
    def session_key(self) -> str:
        return json.dumps(self.selector, sort_keys=True)

    @property
    def ws_key(self) -> str:
        return json.dumps(self.ws, sort_keys=True)


@dataclass
class Result:
    page: Page
    preflight_status: int | None
    wrk: dict
    preflight_error: str = ""
    writes_ok: int | None = None  # write pages: requests the server accepted
    writes_rejected: int | None = None  # write pages: answered otherwise (a re-render…)

    @property
    def requests_per_s(self) -> float:
        seconds = (self.wrk.get("duration_us") or 0) / 1e6
        requests = self.wrk.get("requests") or 0
        if self.page.body:  # the writes answered (not write.lua's idle GETs at the end)
            requests = (self.writes_ok or 0) + (self.writes_rejected or 0)
        return requests / seconds if seconds else 0.0

    def latency_ms(self, key: str) -> float | None:
        value = self.wrk.get("latency_us", {}).get(key)
        return None if value is None else value / 1000

    @property
    def bad_responses(self) -> int:
        """Responses with status >= 400 (wrk's "Non-2xx or 3xx responses")."""
        return int(self.wrk.get("errors", {}).get("status") or 0)

    @property
    def socket_errors(self) -> int:
        errors = self.wrk.get("errors", {})
        return int(sum(errors.get(k) or 0 for k in ("connect", "read", "write", "timeout")))

    @property
    def failed(self) -> bool:
        if self.page.body:  # a write: every measured request must have been accepted
            # Any refusal fails: a form re-rendered with its errors, a redirect to the login.
            return not self.writes_ok or bool(self.writes_rejected)
        preflight_bad = self.preflight_status is None or self.preflight_status >= 400
        return preflight_bad or self.bad_responses > 0


# ---------------------------------------------------------------------------------------------
# Configuration


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark MIPRES abierto's pages with wrk against gunicorn + PostgreSQL.",
    )
    parser.add_argument("--urls", type=Path, default=DEFAULT_URLS, help="page list (urls.txt)")
    parser.add_argument(
        "--only",
        help="comma-separated labels, or their beginnings, to measure (floor is always kept)",
    )
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("-c", "--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("-d", "--duration", help="wrk duration per page (10s; 3s with --quick)")
    parser.add_argument("--warmup", default="1s", help="unmeasured wrk run before each page")
    parser.add_argument("--timeout", default="2s", help="wrk request timeout (2s)")
    parser.add_argument(
        "--write-timeout",
        default="10s",
        help="wrk request timeout of write pages (10s): a write that times out is still "
        "made by the server but not counted, so it must wait its turn behind the others",
    )
    parser.add_argument(
        "--quick", action="store_true", help="3s per page: a smoke run, not figures to publish"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("BENCH_WORKERS", "2")),
        help="gunicorn workers (2, or $BENCH_WORKERS)",
    )
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync)")
    parser.add_argument(
        "--worker-threads", type=int, default=1, help="threads per worker (gthread only)"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="CONN_MAX_AGE for the app (default: the settings' own, 600 on PostgreSQL)",
    )
    parser.add_argument(
        "--catalog-dir",
        type=Path,
        default=os.environ.get("CATALOG_DIR") or None,
        help="load <dir>/municipios.csv with load_divipola ($CATALOG_DIR)",
    )
    parser.add_argument(
        "--volume",
        type=int,
        default=0,
        metavar="N",
        help="bulk-load N prescriptions with bench/volume.py before serving (0: none; "
        "with --catalog-dir the official catalogs are imported first)",
    )
    parser.add_argument(
        "--supply-volume",
        type=int,
        default=0,
        metavar="N",
        help="then bulk-load N deliverables with their supply chains with "
        "bench/volume_supply.py (0: none; needs --volume)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="measure an existing database, already seeded and loaded (for example the "
        "cluster of an earlier volume load kept running), instead of a throwaway one: it is "
        "migrated, nothing is loaded, and write pages consume its pending records",
    )
    parser.add_argument("--login-path", default="/cuentas/ingresar/", help="login page path")
    parser.add_argument(
        "--mixed",
        nargs="?",
        const=DEFAULT_MIXED,
        metavar="LABELS",
        help="after the pages, run these write pages at the same time for the duration and "
        f"report the writes/s together and of each (default: {DEFAULT_MIXED}); they are "
        "not measured alone",
    )
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/")
    parser.add_argument("-v", "--verbose", action="store_true", help="show commands' output")
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = "3s" if args.quick else "10s"
    if args.connections < args.threads:
        parser.error("wrk needs at least as many connections as threads")
    if args.supply_volume and not args.volume:
        parser.error("--supply-volume needs --volume (the chains are built on its prescriptions)")
    if args.database_url and (args.volume or args.supply_volume):
        parser.error("--database-url measures a database as it is: no --volume")
    return args


def load_pages(path: Path, only: str | None, mixed: str | None = None) -> list[Page]:
    pages: list[Page] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        fields = line.split()
        method = "GET"
        if len(fields) > 2 and fields[1] in ("GET", "POST", "PUT"):
            method = fields.pop(1)
        if len(fields) < 2 or not fields[1].startswith("/"):
            raise SetupError(
                f"{where}: expected 'label [METHOD] /path [as=…] [ws=…] [body=…]': {raw!r}"
            )
        options: dict[str, str] = {}
        for option in fields[2:]:
            key, sep, value = option.partition("=")
            if not sep or key not in ("as", "ws", "body") or key in options:
                raise SetupError(f"{where}: unknown or repeated option {option!r}")
            options[key] = value
        selector = parse_selector(options["as"], where=where) if "as" in options else {}
        ws = parse_selector(options["ws"], where=where) if "ws" in options else {}
        body = options.get("body", "")
        if body and body not in BODY_KINDS:
            raise SetupError(f"{where}: body= is one of {', '.join(BODY_KINDS)}")
        if (method == "GET") == bool(body):
            raise SetupError(f"{where}: a POST or PUT needs body=<kind>, a GET none")
        names = set(PLACEHOLDER.findall(fields[1]))
        unknown = names - set(PLACEHOLDERS) - set(WS_PLACEHOLDERS) - ({"id"} if body else set())
        if (
            unknown
            or (names & set(PLACEHOLDERS) and not selector)
            or (names & set(WS_PLACEHOLDERS) and not ws)
        ):
            raise SetupError(
                f"{where}: placeholders are "
                + ", ".join("{" + name + "}" for name in PLACEHOLDERS)
                + " (with as=<selector>) and "
                + ", ".join("{" + name + "}" for name in WS_PLACEHOLDERS)
                + " (with ws=<selector>)"
            )
        pages.append(Page(fields[0], fields[1], selector, ws, method, body))
    labels = [page.label for page in pages]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise SetupError(f"{path}: duplicate labels: {', '.join(duplicates)}")
    if FLOOR_LABEL not in labels:
        raise SetupError(f"{path}: no page labelled '{FLOOR_LABEL}' (the baseline)")
    all_pages = list(pages)
    if only:
        # A name is a label, or the start of some (`presc` is every `presc-…` page).
        names = {label.strip() for label in only.split(",") if label.strip()}
        unknown = {n for n in names if not any(label.startswith(n) for label in labels)}
        if unknown:
            raise SetupError(f"--only: no label is or starts with: {', '.join(sorted(unknown))}")
        wanted = {FLOOR_LABEL}
        for name in names:
            exact = name in labels
            wanted |= {
                label for label in labels if label == name or (not exact and label.startswith(name))
            }
        pages = [page for page in pages if page.label in wanted]
    if mixed:
        pages = mixed_pages(pages, all_pages, mixed, path)
    # The floor goes first so that every later page is compared with a warm server.
    pages.sort(key=lambda page: page.label != FLOOR_LABEL)
    return pages


def mixed_pages(pages: list[Page], all_pages: list[Page], mixed: str, path: Path) -> list[Page]:
    """`pages` with the --mixed write pages marked (added when --only left them out)."""
    by_label = {page.label: page for page in all_pages}
    names = [name.strip() for name in mixed.split(",") if name.strip()]
    wrong = [name for name in names if name not in by_label or not by_label[name].body]
    if wrong or not names:
        raise SetupError(f"--mixed: not write pages of {path}: {', '.join(wrong) or mixed!r}")
    chosen = {page.label for page in pages}
    pages = pages + [by_label[name] for name in names if name not in chosen]
    for page in pages:
        page.mixed = page.label in names
    return pages


def parse_selector(text: str, *, where: str) -> dict[str, str]:
    selector = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise SetupError(f"{where}: bad selector part {part!r} (expected key=value)")
        selector[key.strip().lower()] = value.strip()
    return selector


# ---------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def venv_tool(name: str) -> str:
    """A console script next to the running interpreter (the venv), else one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SetupError(
            f"{name} not found; install the requirements: pip install -r requirements.txt"
        )
    return found


def manage(env: dict[str, str], *args: str, verbose: bool = False) -> str:
    """Run a management command in the benchmark's environment; return its stdout."""
    started = time.monotonic()
    print(f"==> manage.py {' '.join(args)}", flush=True)
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if verbose or completed.returncode:
        sys.stdout.write(completed.stdout)
        sys.stderr.write(completed.stderr)
    if completed.returncode:
        raise SetupError(f"manage.py {' '.join(args)} exited with {completed.returncode}")
    print(f"    done in {time.monotonic() - started:.1f}s", flush=True)
    return completed.stdout


def seed(env: dict[str, str], args: argparse.Namespace) -> None:
    """The demo world and, with --catalog-dir, the whole DIVIPOLA list."""
    manage(env, "seed_demo", verbose=args.verbose)
    if args.catalog_dir:
        csv = Path(args.catalog_dir) / "municipios.csv"
        if csv.exists():
            manage(env, "load_divipola", str(csv), verbose=args.verbose)
        else:  # as `make run` does: the capitals from the migration are enough
            print(f"note: {csv} not found; only the department capitals are loaded")


def load_volume(env: dict[str, str], args: argparse.Namespace) -> dict:
    """Run bench/volume.py (national-scale prescriptions) in the benchmark's environment,
    showing its progress; return its report with the wall-clock time."""
    command = [sys.executable, str(BENCH_DIR / "volume.py"), "--json"]
    command += ["--prescriptions", str(args.volume)]
    if args.catalog_dir:
        command += ["--catalog-dir", str(args.catalog_dir)]
    print(f"==> volume.py --prescriptions {args.volume:,}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    report = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(VOLUME_MARKER):
            report = json.loads(line[len(VOLUME_MARKER) :])
        else:
            print(f"    {line}", end="", flush=True)
    if process.wait() or report is None:
        raise SetupError(f"volume.py exited with {process.returncode}")
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    size = report["database_bytes"] / 2**20
    print(
        f"    done in {report['wall_seconds']:.1f}s: {report['total_rows']:,} rows, load "
        f"{report['load_seconds']:.1f}s ({report['rows_per_second']:,} rows/s), {size:,.0f} MiB",
        flush=True,
    )
    return report


def load_supply_volume(env: dict[str, str], args: argparse.Namespace) -> dict:
    """Run bench/volume_supply.py (deliverables with their chains) after volume.py."""
    command = [sys.executable, str(BENCH_DIR / "volume_supply.py"), "--json"]
    command += ["--deliverables", str(args.supply_volume)]
    print(f"==> volume_supply.py --deliverables {args.supply_volume:,}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    report = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(SUPPLY_MARKER):
            report = json.loads(line[len(SUPPLY_MARKER) :])
        else:
            print(f"    {line}", end="", flush=True)
    if process.wait() or report is None:
        raise SetupError(f"volume_supply.py exited with {process.returncode}")
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    print(
        f"    done in {report['wall_seconds']:.1f}s: {report['total_rows']:,} rows, load "
        f"{report['load_seconds']:.1f}s ({report['rows_per_second']:,} rows/s)",
        flush=True,
    )
    return report


def run_shell(env: dict[str, str], code: str, what: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", code],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        raise SetupError(f"{what} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


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


def start_gunicorn(env: dict[str, str], args: argparse.Namespace, port: int, log: Path):
    command = [
        venv_tool("gunicorn"),
        "mipres.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.worker_threads)]
    if (
        "--no-control-socket"
        in subprocess.run(
            [command[0], "--help"], check=False, capture_output=True, text=True
        ).stdout
    ):
        # gunicorn >= 24 opens a control socket at one fixed path in $HOME by default; two
        # servers (this one and a developer's) would fight over it.
        command.append("--no-control-socket")
    print(f"==> {' '.join(command[1:])}", flush=True)
    # A session of its own: Ctrl-C reaches only us, and we stop gunicorn in order. The app's
    # own log lines (Django logs to stderr) go to the same file as gunicorn's.
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, command


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # graceful: the master stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn leads (start_new_session)
        process.wait(timeout=5)


def wait_healthy(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        try:
            status, _, _ = http_request(port, "GET", "/healthz")
            if status == 200:
                return
            last = f"status {status}"
        except OSError as error:
            last = str(error)
        time.sleep(0.2)
    raise SetupError(f"/healthz did not answer 200 in {timeout:.0f}s ({last}):\n{tail(log)}")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---------------------------------------------------------------------------------------------
# HTTP helpers (the standard library only; redirects are never followed)


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body=None,
    timeout: float = 10,
) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return response.status, response.headers, text
    finally:
        connection.close()


def set_cookies(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for header in headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
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


# How each write kind is sent and which answer is an accepted write: (content type, status,
# a Lua pattern the Location of a redirect must match, or "" for any). A form's re-render
# (200, its errors beside the fields) or a redirect elsewhere (the login page) is refused.
WRITE_KINDS = {
    "entrega": ("application/json", 200, ""),
    "programacion": ("application/x-www-form-urlencoded", 302, "/por%-programar/$"),
    "prescripcion": (
        "application/x-www-form-urlencoded",
        302,
        "^/prescripciones/[%x%-]+/[%x%-]+/$",
    ),
}


def write_lines(page: Page, cookie: str) -> list[str]:
    """write.lua's "path<TAB>body" line of each of the page's targets; a browser form gets
    the session's CSRF token (from its cookie)."""
    match = re.search(r"csrftoken=([^;]+)", cookie)
    csrf = {"csrfmiddlewaretoken": match.group(1) if match else ""}
    lines = []
    for item in page.items:
        if page.body == "programacion":
            pk, sede = item
            form = urlencode({**csrf, "sede": sede})
            lines.append(f"{page.path.replace('{id}', str(pk))}\t{form}")
        elif page.body == "prescripcion":  # the form's fields, its one-time key included
            lines.append(f"{page.path}\t{urlencode({**csrf, **item})}")
        else:
            lines.append(f"{page.path}\t{item}")
    return lines


def write_command(
    args: argparse.Namespace, port: int, page: Page, cookie: str, workdir: Path, **wrk
) -> tuple[list[str], dict[str, str]]:
    """The wrk command and environment that send each of the page's targets once."""
    bodies = workdir / f"{page.label}.items"
    bodies.write_text("\n".join(write_lines(page, cookie)) + "\n", encoding="utf-8")
    content_type, ok_status, ok_location = WRITE_KINDS[page.body]
    threads = wrk.get("threads", args.threads)
    env = {
        **os.environ,
        "BENCH_ITEMS": str(bodies),
        "BENCH_METHOD": page.method,
        "BENCH_CONTENT_TYPE": content_type,
        "BENCH_OK_STATUS": str(ok_status),
        "BENCH_OK_LOCATION": ok_location,
        "BENCH_THREADS": str(threads),
        "BENCH_REPORT_LUA": str(LUA_REPORT),
        "BENCH_OUT": str(workdir / f"{page.label}.out"),  # .<thread>: its targets ran out
    }
    url = f"http://{HOST}:{port}{page.path.replace('{id}', '0')}"
    headers = {"Cookie": cookie} if cookie else {}
    args = argparse.Namespace(**{**vars(args), "timeout": args.write_timeout, **wrk})
    return wrk_command(args, url, args.duration, headers, write=True), env


def warm_write(port: int, page: Page, cookie: str) -> None:
    """One write of the page's first target, not measured, so the workers have imported
    its code, compiled its templates and read its caches before wrk starts."""
    first = Page(page.label, page.path, body=page.body, items=page.items[:1])
    path, body = write_lines(first, cookie)[0].split("\t", 1)
    headers = {"Content-Type": WRITE_KINDS[page.body][0]}
    if cookie:
        headers["Cookie"] = cookie
    status, _, _ = http_request(port, page.method, path, headers=headers, body=body.encode())
    page.items = page.items[1:]
    page.note = f"{len(page.items) + 1:,} targets prepared, one for a warm-up ({status})"


def write_result(page: Page, figures: dict) -> Result:
    page.note = page.note or f"{len(page.items):,} targets prepared"
    return Result(page, 200, figures, "", figures.get("writes_ok"), figures.get("writes_rejected"))


def measure_write(
    args: argparse.Namespace, port: int, page: Page, cookie: str, workdir: Path
) -> Result:
    """wrk with write.lua: each request writes a target of its own (after one warm-up
    write); the server's acceptances are counted by the script."""
    warm_write(port, page, cookie)
    [figures] = run_writes([write_command(args, port, page, cookie, workdir)])
    return write_result(page, figures)


def run_writes(commands: list[tuple[list[str], dict[str, str]]]) -> list[dict]:
    """Run write.lua wrks at once. One whose targets are all answered (each of its threads
    wrote its BENCH_OUT.<n> file) is ended there with SIGINT (wrk then reports as at the
    end of its duration), so its rate is over its own window and no connection of its is
    left holding a worker; the others go on. Returns each one's figures."""
    outs = [
        [Path(f"{env['BENCH_OUT']}.{n}") for n in range(int(env["BENCH_THREADS"]))]
        for _command, env in commands
    ]
    for out in (path for paths in outs for path in paths):
        out.unlink(missing_ok=True)
    running = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for command, env in commands
    ]
    ended = set()
    while any(process.poll() is None for process in running):
        for number, (process, out) in enumerate(zip(running, outs, strict=True)):
            done = all(path.exists() for path in out)
            if number not in ended and done and process.poll() is None:
                process.send_signal(signal.SIGINT)
                ended.add(number)
        time.sleep(0.05)
    figures = []
    for process, out in zip(running, outs, strict=True):
        stdout, stderr = process.communicate()
        if process.returncode:
            raise SetupError(f"wrk exited with {process.returncode}:\n{stderr.decode()}")
        ran_out = all(path.exists() for path in out)
        figures.append({**wrk_figures(stdout.decode()), "ran_out": ran_out})
    return figures


def measure_mixed(
    args: argparse.Namespace, port: int, pages: list[Page], cookies: list[str], workdir: Path
) -> dict:
    """The write pages at the same time, each through a wrk of its own (one thread, an
    equal share of the connections) for the duration: what one app server and one database
    sustain together. A kind whose targets run out stops there; the others go on."""
    share = max(1, args.connections // len(pages))
    print(
        f"==> mixed writes at once: {', '.join(p.label for p in pages)} "
        f"({share} connections each, {args.duration})",
        flush=True,
    )
    for page, cookie in zip(pages, cookies, strict=True):
        warm_write(port, page, cookie)
    commands = [
        write_command(args, port, page, cookie, workdir, threads=1, connections=share)
        for page, cookie in zip(pages, cookies, strict=True)
    ]
    results = [
        write_result(page, figures)
        for page, figures in zip(pages, run_writes(commands), strict=True)
    ]
    longest = max((r.wrk.get("duration_us") or 0) / 1e6 for r in results)
    kinds = []
    for result in results:
        seconds = (result.wrk.get("duration_us") or 0) / 1e6
        accepted = result.writes_ok or 0
        kinds.append(
            {
                "label": result.page.label,
                "kind": result.page.body,
                "accepted": accepted,
                "refused": result.writes_rejected or 0,
                "socket_errors": result.socket_errors,
                "requests": result.wrk.get("requests"),
                "seconds": round(seconds, 2),
                "writes_per_s": round(accepted / seconds, 1) if seconds else 0.0,
                "ran_out": result.wrk.get("ran_out", False),
                "targets": len(result.page.items),
                "p50_ms": result.latency_ms("p50"),
                "p99_ms": result.latency_ms("p99"),
                "first_refusal": result.wrk.get("sample"),
            }
        )
    prescriptions = sum(k["accepted"] for k in kinds if k["kind"] == "prescripcion")
    steps = sum(k["accepted"] for k in kinds if k["kind"] != "prescripcion")
    return {
        "connections_each": share,
        "seconds": round(longest, 2),
        "kinds": kinds,
        "writes_per_s": round((prescriptions + steps) / longest, 1),
        "prescriptions_per_s": round(prescriptions / longest, 1),
        "supply_steps_per_s": round(steps / longest, 1),
        "peak_prescriptions_per_s": PEAK_PRESCRIPTIONS_PER_S,
        "results": results,
    }


def print_mixed(mixed: dict) -> None:
    print(f"Mixed writes at once ({mixed['connections_each']} connections each):")
    header = ("label", "kind", "accepted", "refused", "seconds", "writes/s", "p50 ms", "p99 ms")
    rows = [
        (
            k["label"],
            k["kind"],
            f"{k['accepted']:,}",
            f"{k['refused']:,}",
            f"{k['seconds']:.1f}" + (" (ran out)" if k["ran_out"] else ""),
            f"{k['writes_per_s']:,.1f}",
            number(k["p50_ms"]),
            number(k["p99_ms"]),
        )
        for k in mixed["kinds"]
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(
        f"together: {mixed['writes_per_s']:,.1f} writes/s over {mixed['seconds']:.1f} s = "
        f"{mixed['prescriptions_per_s']:,.1f} prescriptions/s + "
        f"{mixed['supply_steps_per_s']:,.1f} supply steps/s "
        f"(Circular 044's peak: {mixed['peak_prescriptions_per_s']} prescriptions/s)"
    )
    if any(k["ran_out"] for k in mixed["kinds"]):
        print("(ran out): that kind used up its targets and stopped there; the others went on")
        print("without it, so «together» mixes windows: prepare more (a volume load) for one.")
    print()


def refusals(result: Result) -> str:
    """ ", N refused (first: …)" for a write page whose server refused some writes."""
    if not result.writes_rejected:
        return ""
    return f", {result.writes_rejected:,} refused; first: {result.wrk.get('sample')}"


def burst(port: int, page: Page, date: str, days: list) -> dict:
    """`len(days)` one-day queries at once, one connection each, as a client's batch sends
    them: each request's time and the burst's wall time."""
    import concurrent.futures

    def one(day: str) -> tuple[int, float, int]:
        started = time.monotonic()
        try:
            status, _, body = http_request(
                port, "GET", page.path.replace(date, day), timeout=BURST_TIMEOUT
            )
        except OSError:  # a timeout: counted as status 0
            status, body = 0, ""
        return status, (time.monotonic() - started) * 1000, len(body)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(days)) as pool:
        answers = list(pool.map(one, [day for day, _n in days]))
    wall = (time.monotonic() - started) * 1000
    times = sorted(ms for _s, ms, _b in answers)
    report = {
        "label": page.label,
        "days": len(days),
        "records": sum(n for _d, n in days),
        "statuses": sorted({s for s, _ms, _b in answers}),
        "wall_ms": round(wall, 1),
        "p50_ms": round(times[len(times) // 2], 1),
        "max_ms": round(times[-1], 1),
        "bytes": sum(b for _s, _ms, b in answers),
    }
    print(
        f"--> burst {page.label}: {report['days']} days ({report['records']:,} records) at once"
        f" in {report['wall_ms']:,.0f} ms; p50 {report['p50_ms']:,.0f} ms, max "
        f"{report['max_ms']:,.0f} ms; statuses {report['statuses']}",
        flush=True,
    )
    return report


def matches(value, wanted: str) -> bool:
    if isinstance(value, list | tuple):
        return any(matches(item, wanted) for item in value)
    if isinstance(value, dict):
        return any(matches(item, wanted) for item in value.values())
    return str(value).strip().lower() == wanted.strip().lower()


def pick_user(users: list[dict], selector: dict[str, str]) -> dict:
    for user in users:
        if all(
            matches(user.get("roles" if key == "role" else key), value)
            for key, value in selector.items()
        ):
            return user
    wanted = ",".join(f"{key}={value}" for key, value in selector.items())
    raise SetupError(f"no demo user matches as={wanted} (see manage.py demo_credentials --json)")


# ---------------------------------------------------------------------------------------------
# wrk


def wrk_command(
    args: argparse.Namespace, url: str, duration: str, headers: dict, *, write: bool = False
) -> list[str]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}",
        "--timeout",
        args.timeout,
        "-s",
        str(LUA_WRITE if write else LUA_REPORT),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return [*command, url]


def run_wrk(command: list[str], env: dict[str, str] | None = None) -> tuple[dict, str]:
    completed = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if completed.returncode:
        raise SetupError(f"wrk exited with {completed.returncode}:\n{completed.stderr}")
    return wrk_figures(completed.stdout), completed.stdout


def wrk_figures(stdout: str) -> dict:
    """report.lua's figures, and write.lua's counts for a write."""
    writes = {}
    for line in stdout.splitlines():
        if line.startswith(WRITES_MARKER):
            writes["writes_ok"] = int(line[len(WRITES_MARKER) :])
        elif line.startswith(REJECTED_MARKER):
            writes["writes_rejected"] = int(line[len(REJECTED_MARKER) :])
        elif line.startswith(SAMPLE_MARKER):
            writes["sample"] = line[len(SAMPLE_MARKER) :].strip()
    for line in stdout.splitlines():
        if line.startswith(JSON_MARKER):
            figures = json.loads(line[len(JSON_MARKER) :])
            figures.update(writes)
            return figures
    raise SetupError(f"wrk printed no {JSON_MARKER} line:\n{stdout}")


# ---------------------------------------------------------------------------------------------
# Output


def number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(results: list[Result], floor_rps: float) -> None:
    header = ("label", "path", "req/s", "p50 ms", "p99 ms", "4xx/5xx", "sock err", "vs floor")
    rows = []
    for result in results:
        rps = result.requests_per_s
        label = result.page.label + (" *" if result.page.needs_login else "")
        if result.preflight_status is not None and result.preflight_status >= 300:
            label += f" [{result.preflight_status}]"
        rows.append(
            (
                label,
                result.page.path,
                number(rps, 0),
                number(result.latency_ms("p50")),
                number(result.latency_ms("p99")),
                str(result.bad_responses),
                str(result.socket_errors),
                f"{rps / floor_rps:.2f}" if floor_rps else "-",
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {0, 1}

    def line(cells) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i in left else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        )

    print()
    print(line(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))
    print()
    print("vs floor = req/s of the page / req/s of the floor page in this run.")
    if any(result.page.needs_login for result in results):
        print("* measured with a logged-in session.")
    if any((r.preflight_status or 0) >= 300 for r in results):
        print("[nnn] the page answered nnn to a single GET before the run.")


def git_commit() -> str | None:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            check=False,
            cwd=REPO,
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    if completed.returncode != 0:
        return None  # e.g. no commit yet
    return completed.stdout.strip() or None


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for module in ("django", "gunicorn", "psycopg"):
        try:
            found[module] = __import__(module).__version__.split()[0]
        except (ImportError, AttributeError):
            found[module] = None
    wrk = subprocess.run(["wrk", "--version"], check=False, capture_output=True, text=True)
    found["wrk"] = (wrk.stdout or wrk.stderr).split("\n", 1)[0].split(" Copyright")[0].strip()
    return found


# ---------------------------------------------------------------------------------------------
# Main


def benchmark(args: argparse.Namespace, pages: list[Page], workdir: Path) -> dict:
    sys.path.insert(0, str(REPO))
    from mipres.lib.pgtemp import TempCluster

    cluster = None
    if not args.database_url:
        try:
            cluster = TempCluster()
        except RuntimeError as error:  # no PostgreSQL binaries
            raise SetupError(str(error)) from error
    process: subprocess.Popen | None = None
    try:
        if cluster is None:
            print("==> PostgreSQL: the database given with --database-url", flush=True)
        else:
            print(f"==> PostgreSQL from {cluster.bindir}, port {cluster.port}", flush=True)
            try:
                cluster.start()
                cluster.createdb("mipres_bench")
            except subprocess.CalledProcessError as error:
                stderr = (error.stderr or b"").decode(errors="replace")
                raise SetupError(f"PostgreSQL did not start: {error}\n{stderr}") from error
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mipres.settings",
            "DATABASE_URL": args.database_url or cluster.url("mipres_bench"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(workdir / "static"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        if args.conn_max_age is not None:
            env["CONN_MAX_AGE"] = str(args.conn_max_age)

        manage(env, "migrate", "--noinput", verbose=args.verbose)
        if cluster is not None:
            seed(env, args)
        env["WS_RATE_LIMIT_PER_MINUTE"] = "100000000"  # wrk is one NIT at hundreds req/s
        volume = load_volume(env, args) if args.volume > 0 else None
        supply_volume = load_supply_volume(env, args) if args.supply_volume > 0 else None
        manage(env, "collectstatic", "--noinput", verbose=args.verbose)

        # Who each logged-in page runs as, settled before serving so that a bad selector
        # fails at once.
        accounts: dict[str, dict] = {}
        callers: dict[str, dict] = {}
        if any(page.needs_login or page.ws for page in pages):
            credentials = json.loads(manage(env, "demo_credentials", "--json"))
            for page in pages:
                if page.needs_login:
                    accounts[page.session_key] = pick_user(credentials["users"], page.selector)
                if page.ws:
                    callers[page.ws_key] = pick_user(credentials["web_services"], page.ws)
            if any(PLACEHOLDER.search(page.path) and page.selector for page in pages):
                fill_placeholders(env, [p for p in pages if p.selector], accounts)
        # A browser write's targets are its as= user's (and entity's), found by its label.
        writers = {
            p.label: {
                key: accounts[p.session_key][key]
                for key in ("entity_nit", "document_type", "document_number")
            }
            for p in pages
            if p.body and not p.ws
        }
        prepared = prepare_ws_and_writes(env, pages, {**callers, **writers})
        for page in pages:
            found = prepared.get(page.label, {})
            if page.ws:
                caller = callers[page.ws_key]
                by_date = "{date}" in page.path
                values = {"nit": caller["nit"], "guid": caller["guid"], **found}
                for name in PLACEHOLDER.findall(page.path):
                    if name in WS_PLACEHOLDERS and name != "token" and name not in values:
                        raise SetupError(f"{page.label}: nothing found for {{{name}}}")
                page.path = PLACEHOLDER.sub(
                    lambda m, v=values: (
                        str(v[m.group(1)])
                        if m.group(1) in v and m.group(1) != "token"
                        else m.group(0)
                    ),
                    page.path,
                )
                if by_date and "date_records" in found:
                    page.note = f"day {found['date']}: {found['date_records']:,} records"
            if page.body:
                page.items = found.get("items") or []
                if not page.items:
                    raise SetupError(f"{page.label}: no targets for body={page.body}")

        port = free_port()
        log = workdir / "gunicorn.log"
        process, gunicorn_command = start_gunicorn(env, args, port, log)
        wait_healthy(port, process, log)
        print(f"==> serving on http://{HOST}:{port}", flush=True)

        tokens: dict[str, str] = {}
        for page in pages:
            fhir = page.path.startswith("/fhir/")
            if page.ws and ("{token}" in page.path or fhir):
                if page.ws_key not in tokens:
                    tokens[page.ws_key] = generate_token(port, callers[page.ws_key])
                page.path = page.path.replace("{token}", tokens[page.ws_key])
                if fhir:  # tokens are kept URL-quoted for paths; a header takes them plain
                    page.bearer = unquote(tokens[page.ws_key])

        sessions: dict[str, str] = {}
        results: list[Result] = []
        bursts: list[dict] = []

        def cookie_for(page: Page) -> str:
            if page.needs_login and page.session_key not in sessions:
                user = accounts[page.session_key]
                sessions[page.session_key] = login(port, args.login_path, user)
            return sessions[page.session_key] if page.needs_login else ""

        for page in pages:
            if page.mixed:
                continue
            cookie = cookie_for(page)
            headers = {"Cookie": cookie} if cookie else {}
            if page.bearer:
                headers["Authorization"] = f"Bearer {page.bearer}"
            if page.body:
                result = measure_write(args, port, page, cookie, workdir)
                results.append(result)
                print(
                    f"--> {page.label:<16} {result.requests_per_s:>9,.0f} req/s"
                    f"  p50 {number(result.latency_ms('p50'))} ms"
                    f"  p99 {number(result.latency_ms('p99'))} ms"
                    f"  ({result.writes_ok:,} accepted{refusals(result)})",
                    flush=True,
                )
                continue
            try:
                status, _, _ = http_request(port, "GET", page.path, headers=headers)
                preflight_error = ""
            except OSError as error:
                status, preflight_error = None, str(error)
            url = f"http://{HOST}:{port}{page.path}"
            if args.warmup and args.warmup not in ("0", "0s"):
                run_wrk(wrk_command(args, url, args.warmup, headers))
            figures, text = run_wrk(wrk_command(args, url, args.duration, headers))
            result = Result(page, status, figures, preflight_error)
            found = prepared.get(page.label, {})
            if page.ws and found.get("burst_days") and "XFecha" in page.path:
                bursts.append(burst(port, page, found["date"], found["burst_days"]))
            results.append(result)
            print(
                f"--> {page.label:<16} {result.requests_per_s:>9,.0f} req/s"
                f"  p50 {number(result.latency_ms('p50'))} ms"
                f"  p99 {number(result.latency_ms('p99'))} ms"
                f"  (GET: {status if status is not None else preflight_error})",
                flush=True,
            )
            if args.verbose:
                print(text)
        together = [page for page in pages if page.mixed]
        mixed = None
        if together:
            cookies = [cookie_for(page) for page in together]
            mixed = measure_mixed(args, port, together, cookies, workdir)
        gunicorn_errors = tail(log, 20)
        return {
            "results": results,
            "mixed": mixed,
            "bursts": bursts,
            "volume": volume,
            "supply_volume": supply_volume,
            "gunicorn_command": gunicorn_command,
            "postgresql": str(cluster.bindir) if cluster else "--database-url",
            "gunicorn_log_tail": gunicorn_errors,
        }
    finally:
        if process is not None:
            stop_gunicorn(process)
        try:
            if cluster is not None:
                cluster.stop()
        except Exception as error:
            print(f"warning: stopping PostgreSQL failed: {error}", file=sys.stderr)


def to_json(
    args: argparse.Namespace, run: dict, started: dt.datetime, floor_rps: float, load: float
) -> dict:
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "load_average_at_start": round(load, 2),
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": versions(),
        "postgresql_bindir": run["postgresql"],
        "gunicorn": run["gunicorn_command"][1:],
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration": args.duration,
            "warmup": args.warmup,
            "timeout": args.timeout,
            "write_timeout": args.write_timeout,
        },
        "conn_max_age": args.conn_max_age,
        "catalog_dir": str(args.catalog_dir) if args.catalog_dir else None,
        "volume": run["volume"],
        "supply_volume": run["supply_volume"],
        "bursts": run["bursts"],
        "mixed": {k: v for k, v in run["mixed"].items() if k != "results"}
        if run["mixed"]
        else None,
        "floor_requests_per_s": round(floor_rps, 1),
        "pages": [
            {
                "label": r.page.label,
                "path": r.page.path,
                "as": r.page.selector or None,
                "preflight_status": r.preflight_status,
                "preflight_error": r.preflight_error or None,
                "requests_per_s": round(r.requests_per_s, 1),
                "p50_ms": r.latency_ms("p50"),
                "p90_ms": r.latency_ms("p90"),
                "p99_ms": r.latency_ms("p99"),
                "mean_ms": r.latency_ms("mean"),
                "max_ms": r.latency_ms("max"),
                "requests": r.wrk.get("requests"),
                "non_2xx_3xx": r.bad_responses,
                "socket_errors": r.wrk.get("errors"),
                "ratio_to_floor": round(r.requests_per_s / floor_rps, 3) if floor_rps else None,
                "method": r.page.method,
                "writes_ok": r.writes_ok,
                "writes_rejected": r.writes_rejected,
                "first_refusal": r.wrk.get("sample"),
                "note": r.page.note or None,
            }
            for r in run["results"]
        ],
    }


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed. Install it with: apt-get install -y wrk", file=sys.stderr)
        return 2
    # Ctrl-C and `kill` both clean up (SIGINT explicitly: a shell may start us ignoring it).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    started = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    if load > BUSY_LOAD:
        print(
            f"warning: load average {load:.2f} before starting: other work is using the CPU, "
            "so the figures will be low. Prefer a quiet machine for figures to publish.",
            file=sys.stderr,
        )
    try:
        pages = load_pages(args.urls, args.only, args.mixed)
        with tempfile.TemporaryDirectory(prefix="mipres-bench-") as workdir:
            run = benchmark(args, pages, Path(workdir))
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn and PostgreSQL stopped.", file=sys.stderr)
        return 130

    results: list[Result] = run["results"]
    floor = next(r for r in results if r.page.label == FLOOR_LABEL)
    floor_rps = floor.requests_per_s
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs; gunicorn {args.workers} x "
        f"{args.worker_class}; wrk -t{args.threads} -c{args.connections} -d{args.duration}; "
        f"load average at start {load:.2f}"
    )
    print_table(results, floor_rps)
    if run["mixed"]:
        print_mixed(run["mixed"])
        results = results + run["mixed"]["results"]

    if not args.no_json:
        RESULTS_DIR.mkdir(exist_ok=True)
        target = RESULTS_DIR / f"{started:%Y%m%dT%H%M%SZ}.json"
        data = to_json(args, run, started, floor_rps, load)
        target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results: {target.relative_to(REPO)}")

    failed = [r for r in results if r.failed]
    if any(r.socket_errors for r in results):
        print("warning: wrk saw socket errors (connect/read/write/timeout); see the JSON.")
    if failed:
        labels = ", ".join(r.page.label for r in failed)
        print(f"FAILED: 4xx/5xx responses or no answer from: {labels}", file=sys.stderr)
        if run["gunicorn_log_tail"].strip():
            print(f"gunicorn log (tail):\n{run['gunicorn_log_tail']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
