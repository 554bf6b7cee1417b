"""A throwaway PostgreSQL cluster built from the machine's binaries, for tests and benchmarks.

PostgreSQL refuses to run as root, so when we are root the server runs as the `postgres`
system user through `runuser`. The cluster trades durability for speed (fsync off): its
data is thrown away when it stops.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

FAST_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
)


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl, newest PostgreSQL version first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise RuntimeError(
        "PostgreSQL server binaries not found. Install them with: apt-get install -y postgresql"
    )


def _version_key(path: str) -> int:
    version = Path(path).parent.name
    return int(version) if version.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TempCluster:
    """Start with `start()`, read `host`/`port`/`user`, and `stop()` when done."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else _current_user()
        self.port = _free_port()
        self.base = Path(tempfile.mkdtemp(prefix="mipres-pg-"))
        self.datadir = self.base / "data"
        self.host = str(self.base)  # the Unix socket directory

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> "TempCluster":
        if self.as_root:
            shutil.chown(self.base, user="postgres", group="postgres")
        self._run("initdb", "-D", str(self.datadir), "-U", self.user, "-A", "trust", "--no-sync")
        options = f"-k {self.base} -p {self.port} -c listen_addresses='' {FAST_OPTIONS}"
        log = str(self.base / "server.log")
        self._run("pg_ctl", "-D", str(self.datadir), "-o", options, "-l", log, "-w", "start")
        return self

    def url(self, dbname: str = "postgres") -> str:
        """A DATABASE_URL for django-environ (socket directory passed as a query parameter)."""
        return f"postgres://{self.user}@/{dbname}?host={self.host}&port={self.port}"

    def createdb(self, dbname: str) -> None:
        self._run("createdb", "-h", self.host, "-p", str(self.port), "-U", self.user, dbname)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name
