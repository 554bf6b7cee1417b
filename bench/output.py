"""bench/run.py's output: the results table printed after the run, a write page's refusals,
and the run's JSON (bench/results/<timestamp>.json) with the commit, machine and versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess

from bench.pages import REPO, Result


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
    print(
        "vs floor = req/s of the page / req/s of the floor page in this run (measured first"
        " and, after three pages or more, last: the higher divides)."
    )
    if any(result.page.needs_login for result in results):
        print("* measured with a logged-in session.")
    if any((r.preflight_status or 0) >= 300 for r in results):
        print("[nnn] the page answered nnn to a single GET before the run.")


def refusals(result: Result) -> str:
    """ ", N refused (first: …)" for a write page whose server refused some writes."""
    if not result.writes_rejected:
        return ""
    return f", {result.writes_rejected:,} refused; first: {result.wrk.get('sample')}"


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
                "records": r.page.records,
            }
            for r in run["results"]
        ],
    }
