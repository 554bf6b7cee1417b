"""bench/run.py's page list: urls.txt parsed into `Page`s, the demo user or web-service caller
each page runs as (`pick_user`), and each page's measured `Result`. `SetupError`, raised by
every bench/run.py module when the run cannot be prepared, lives here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DEFAULT_URLS = BENCH_DIR / "urls.txt"
HOST = "127.0.0.1"
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
FLOOR_LABEL = "floor"
FLOOR_END_LABEL = "floor-end"  # the floor measured again after the other pages (run.py)


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
    records: int | None = None  # rows one response carries (the XFecha day), when known
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
