"""bench/run.py's processes: the management commands run in the benchmark's environment
(`manage`, `seed`, `run_shell`), the volume loaders (bench/volume.py, bench/volume_supply.py),
gunicorn started, checked and stopped, and `http_request`, the one plain HTTP request every
other module sends (the standard library only; redirects are never followed).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.pages import BENCH_DIR, HOST, REPO, SetupError

VOLUME_MARKER = "@@VOLUME_JSON@@"  # bench/volume.py --json
SUPPLY_MARKER = "@@VOLUME_SUPPLY_JSON@@"  # bench/volume_supply.py --json


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


def _run_loader(env: dict[str, str], script: str, options: list[str], marker: str) -> dict:
    """Run one of the volume loaders with `--json` in the benchmark's environment, showing
    its progress; return its report (the line after `marker`) with the wall-clock time."""
    print(f"==> {script} {' '.join(options)}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / script), "--json", *options],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    report = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(marker):
            report = json.loads(line[len(marker) :])
        else:
            print(f"    {line}", end="", flush=True)
    if process.wait() or report is None:
        raise SetupError(f"{script} exited with {process.returncode}")
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    return report


def load_volume(env: dict[str, str], args: argparse.Namespace) -> dict:
    """Run bench/volume.py (national-scale prescriptions); return its report."""
    options = ["--prescriptions", str(args.volume)]
    if args.catalog_dir:
        options += ["--catalog-dir", str(args.catalog_dir)]
    report = _run_loader(env, "volume.py", options, VOLUME_MARKER)
    size = report["database_bytes"] / 2**20
    print(
        f"    done in {report['wall_seconds']:.1f}s: {report['total_rows']:,} rows, load "
        f"{report['load_seconds']:.1f}s ({report['rows_per_second']:,} rows/s), {size:,.0f} MiB",
        flush=True,
    )
    return report


def load_supply_volume(env: dict[str, str], args: argparse.Namespace) -> dict:
    """Run bench/volume_supply.py (deliverables with their chains) after volume.py."""
    options = ["--deliverables", str(args.supply_volume)]
    report = _run_loader(env, "volume_supply.py", options, SUPPLY_MARKER)
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
