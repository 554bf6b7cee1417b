"""bench/run.py's measurements: the wrk command (report.lua, or write.lua for a write page)
and its figures parsed; a write page's targets sent once each, its warm-up write, and
`run_writes`, which runs write.lua wrks at once and ends each when its targets are
answered; and the burst of a ws= …XFecha page's busiest days at once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.pages import BENCH_DIR, HOST, Page, Result, SetupError
from bench.server import http_request

LUA_REPORT = BENCH_DIR / "report.lua"
LUA_WRITE = BENCH_DIR / "write.lua"
JSON_MARKER = "@@BENCH_JSON@@"
WRITES_MARKER = "@@BENCH_WRITES@@"  # write.lua: how many writes the server accepted
REJECTED_MARKER = "@@BENCH_REJECTED@@"  # write.lua: how many it answered otherwise
SAMPLE_MARKER = "@@BENCH_SAMPLE@@"  # write.lua: the first refusal (status and message)
BURST_TIMEOUT = 120  # s: 30 one-day queries at once queue behind 2 workers


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
