"""PostgreSQL clusters built from the machine's binaries: a throwaway one for tests and
benchmarks (`TempCluster`), and the one `make run` keeps under `var/postgres` (`LocalCluster`,
`python -m mipres.lib.pgtemp run -- COMMAND`).

PostgreSQL refuses to run as root, so when we are root the server runs as the `postgres`
system user through `runuser`. The throwaway cluster trades durability for speed (fsync off):
its data is thrown away when it stops. Both listen on a Unix socket in their own directory
only, never on TCP.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

# The role the application connects as; the cluster's superuser owns the tables and migrates.
APP_ROLE = "mipres_app"
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

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        # A session of its own: Ctrl-C in the terminal reaches the caller, which stops the
        # server cleanly, not the server itself.
        return subprocess.run(
            command,
            check=True,
            capture_output=True,
            start_new_session=True,
        )

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

    def create_app_role(self, role: str = APP_ROLE) -> None:
        """The login role the application connects as (docs/database-roles.md): it owns
        nothing; `manage.py migrate` grants it what it may do, the audit trail only
        SELECT and INSERT. Repeatable."""
        self._run(
            "psql", "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-tAc",
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f'THEN CREATE ROLE "{role}" LOGIN; END IF; END $$',
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


# The cluster `make run` keeps between runs: its data, and its socket directory.
LOCAL_DIR = Path(__file__).resolve().parents[2] / "var" / "postgres"
LOCAL_DATABASE = "mipres"


def local_database_url(user: str | None = None) -> str:
    """A URL of `make run`'s cluster: as `user`, by default its superuser, the owner that
    migrates (settings' DATABASE_OWNER_URL); the application connects as APP_ROLE."""
    user = user or ("postgres" if os.geteuid() == 0 else _current_user())
    return f"postgres://{user}@/{LOCAL_DATABASE}?host={LOCAL_DIR}&port=5432"


class LocalCluster(TempCluster):
    """`make run`'s cluster under var/postgres: created on first use, kept between runs
    (with the server's normal durability), stopped cleanly with `stop()`."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else _current_user()
        self.port = 5432  # names the socket file only: nothing listens on TCP
        self.base = LOCAL_DIR
        self.datadir = self.base / "data"
        self.host = str(self.base)

    def start(self) -> "LocalCluster":
        self.base.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            shutil.chown(self.base, user="postgres", group="postgres")
        if not (self.datadir / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.datadir), "-U", self.user, "-A", "trust")
        if not self.running():
            options = f"-k {self.base} -p {self.port} -c listen_addresses=''"
            log = str(self.base / "server.log")
            self._run("pg_ctl", "-D", str(self.datadir), "-o", options, "-l", log, "-w", "start")
        found = self._run(
            "psql", "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", "postgres",
            "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{LOCAL_DATABASE}'",
        )  # fmt: skip
        if not found.stdout.strip():
            self.createdb(LOCAL_DATABASE)
        self.create_app_role()
        return self

    def running(self) -> bool:
        command = [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "status"]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True).returncode == 0

    def stop(self) -> None:
        """A fast shutdown: open sessions end, the data stays."""
        if self.running():
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")


def uses_local_cluster(url: str | None) -> bool:
    """Whether a DATABASE_URL (None: unset) means `make run`'s own cluster."""
    if not url:
        return True
    host = parse_qs(urlsplit(url).query).get("host", [""])[0]
    return Path(host) == LOCAL_DIR if host else False


def run(command: list[str]) -> int:
    """Run `command` with `make run`'s cluster started for it, unless DATABASE_URL (from the
    environment or .env) points elsewhere; stop the cluster when the command ends, Ctrl-C
    included."""
    url = os.environ.get("DATABASE_URL") or _dotenv_value("DATABASE_URL")
    cluster = LocalCluster() if uses_local_cluster(url) else None
    if cluster is not None:
        print(f"PostgreSQL: the local cluster in {cluster.base} ({cluster.bindir})", flush=True)
        cluster.start()
    child = subprocess.Popen(command)
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # the terminal's Ctrl-C reached the command too
                child.send_signal(signal.SIGINT)
    finally:
        if cluster is not None:
            cluster.stop()
            print("PostgreSQL: the local cluster stopped.", flush=True)


def _dotenv_value(name: str) -> str | None:
    dotenv = LOCAL_DIR.parents[1] / ".env"
    if not dotenv.exists():
        return None
    for line in dotenv.read_text().splitlines():
        key, _, value = line.strip().partition("=")
        if key.strip() == name:
            return value.strip().strip("'\"") or None
    return None


if __name__ == "__main__":
    if sys.argv[1:2] != ["run"] or "--" not in sys.argv:
        sys.exit("usage: python -m mipres.lib.pgtemp run -- COMMAND [ARG...]")
    sys.exit(run(sys.argv[sys.argv.index("--") + 1 :]))
