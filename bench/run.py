"""Load driver: measure each page's throughput against the one-query floor page.

Run from the repository root with `.venv/bin/python bench/run.py` (or `make bench`). It starts
a throwaway PostgreSQL, migrates and seeds it (and with `--volume N` bulk-loads N
prescriptions with bench/volume.py), serves the project with gunicorn in a production-like
configuration (DEBUG off, whitenoise manifest storage, persistent database connections) and
points wrk at every page of bench/urls.txt. It prints one table and writes
the same figures to bench/results/<timestamp>.json. Everything it started is stopped on exit,
Ctrl-C or error. The exit status is 1 when a page answered 4xx/5xx, 2 when setup failed.

This module is the entry point (options, the run in order, the exit status); the parts are
bench/pages.py, server.py, prepare.py, measure.py, mixed.py and output.py (bench/README.md,
"Code"). See bench/README.md and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

if __name__ == "__main__":  # run as a script: bench/ is on sys.path, the repository root not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import burst, measure_write, run_wrk, wrk_command
from bench.mixed import DEFAULT_MIXED, measure_mixed, print_mixed
from bench.output import number, print_table, refusals, to_json
from bench.pages import (
    BENCH_DIR,
    DEFAULT_URLS,
    FLOOR_END_LABEL,
    FLOOR_LABEL,
    HOST,
    PLACEHOLDER,
    REPO,
    WS_PLACEHOLDERS,
    Page,
    Result,
    SetupError,
    load_pages,
    pick_user,
)
from bench.prepare import fill_placeholders, generate_token, login, prepare_ws_and_writes
from bench.server import (
    free_port,
    http_request,
    load_supply_volume,
    load_volume,
    manage,
    seed,
    start_gunicorn,
    stop_gunicorn,
    tail,
    wait_healthy,
)

RESULTS_DIR = BENCH_DIR / "results"
BUSY_LOAD = 0.7  # 1-minute load average above which other work skews the figures


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


def benchmark(args: argparse.Namespace, pages: list[Page], workdir: Path) -> dict:
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
                    page.records = found["date_records"]
                    page.note = f"day {found['date']}: {page.records:,} records"
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

        for page in pages + floor_again(pages):
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


def floor_again(pages: list[Page]) -> list[Page]:
    """The floor page once more after the others (labelled `floor-end`) when a run measures
    several: a run's first page may share the machine with the database's own work after
    the preparation (a 621 req/s floor at the start of a run, 1,100 alone), and every ratio
    divides by the floor. The higher of the two divides: the ratios can only come out lower."""
    if sum(not page.mixed for page in pages) < 3:
        return []
    floor = next(page for page in pages if page.label == FLOOR_LABEL)
    return [replace(floor, label=FLOOR_END_LABEL)]


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
    floors = [r.requests_per_s for r in results if r.page.label in (FLOOR_LABEL, FLOOR_END_LABEL)]
    floor_rps = max(floors)
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs; gunicorn {args.workers} x "
        f"{args.worker_class}; wrk -t{args.threads} -c{args.connections} -d{args.duration}; "
        f"load average at start {load:.2f}; floor {' and '.join(f'{f:,.0f}' for f in floors)} "
        f"req/s, the higher divides"
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
