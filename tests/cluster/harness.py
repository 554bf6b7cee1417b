"""A scaled-out MIPRES on this machine: PostgreSQL primary and streaming replica, PgBouncer in
transaction mode, Redis, two gunicorn app servers behind HAProxy, and one task worker.

Every piece is the machine's Debian binary started as an ordinary process on 127.0.0.1 (as
mipres/lib/pgtemp.py does for the test database): no containers. docker-compose.yml
describes the same topology with the same settings (tests/cluster/test_compose.py checks
that the two agree). `Cluster.env` is the environment every app process gets.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from mipres.lib.pgtemp import APP_ROLE, find_bindir

REPO = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
DATABASE = "mipres"
# What the app servers and the worker share with docker-compose.yml's services.
SERVICES = ("primary", "replica", "pgbouncer", "redis", "app1", "app2", "haproxy", "worker")
SHARED_SETTINGS = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "DATABASE_PREPARE_THRESHOLD",
    "DATABASE_SERVER_SIDE_CURSORS",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "MIGRATE_ON_START",
)


# The task worker (docker-compose.yml's `worker` runs the same, after "python").
WORKER_COMMAND = ("manage.py", "db_worker", "--queue-name=*", "--no-reload", "--interval", "1")


def app_environment(*, database_url: str, replica_url: str, redis_url: str, prepared: bool):
    """The settings every app server and the worker get (docker-compose.yml's too)."""
    return {
        # Through PgBouncer to the primary; the replica directly (reads only).
        "DATABASE_URL": database_url,
        "DATABASE_REPLICA_URL": replica_url,
        # PgBouncer before 1.21 cannot follow prepared statements in transaction mode.
        "DATABASE_PREPARE_THRESHOLD": "5" if prepared else "",
        "DATABASE_SERVER_SIDE_CURSORS": "false",
        "REDIS_URL": redis_url,
        "SECRET_KEY": "cluster-test-secret-key-" + "c" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "MIGRATE_ON_START": "false",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else "")
    if not path:
        raise RuntimeError(f"{name} not found: apt-get install -y {name} (make system-deps)")
    return path


def pgbouncer_version() -> tuple[int, ...]:
    out = subprocess.run([_tool("pgbouncer"), "--version"], capture_output=True, text=True)
    words = (out.stdout or out.stderr).split()
    return tuple(int(part) for part in words[1].split(".")[:2])


def wait_for(check, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Postgres:
    """A primary (`init`) or a streaming replica of one (`init_replica`), on TCP."""

    def __init__(self, base: Path, name: str) -> None:
        self.bindir = find_bindir()
        self.dir = base / name
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, user="postgres", group="postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = self.dir / "server.log"

    def _run(self, *args: str) -> None:
        command = _as_postgres([str(self.bindir / args[0]), *args[1:]])
        subprocess.run(command, check=True, capture_output=True, start_new_session=True)

    def init(self) -> "Postgres":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "fsync = off\nsynchronous_commit = off\nmax_connections = 200\n"
            )
        return self

    def init_replica(self, primary: "Postgres") -> "Postgres":
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        return self

    def start(self) -> "Postgres":
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, port: int | None = None, user: str = APP_ROLE) -> str:
        """As the application's role by default; `user="postgres"`: the owner."""
        return f"postgres://{user}@127.0.0.1:{port or self.port}/{DATABASE}"

    def sql(self, statement: str, database: str = DATABASE) -> str:
        psql = [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port)]
        command = _as_postgres([*psql, "-U", "postgres", "-d", database, "-tAc", statement])
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


class Process:
    """A long-running process with its output in a log file."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict | None = None):
        self.name, self.command, self.log, self.env = name, command, log, env
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


class Cluster:
    """Start with `start()`, stop with `stop()`; the balancer answers at `url`."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="mipres-cluster-"))
        os.chmod(self.base, 0o755)
        self.primary = Postgres(self.base, "primary")
        self.replica = Postgres(self.base, "replica")
        self.ports = {name: free_port() for name in ("pgbouncer", "redis", "app1", "app2")}
        self.ports["haproxy"] = free_port()
        self.url = f"http://127.0.0.1:{self.ports['haproxy']}"
        self.processes: dict[str, Process] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            "DJANGO_SETTINGS_MODULE": "tests.cluster.settings",
            **app_environment(
                database_url=self.primary.url(self.ports["pgbouncer"]),
                replica_url=self.replica.url(),
                redis_url=f"redis://127.0.0.1:{self.ports['redis']}/0",
                prepared=pgbouncer_version() >= (1, 21),
            ),
            # Short windows, so the scenarios can wait them out.
            "RETHUS_LOOKUPS_PER_MINUTE": "4",
            "REPLICA_MAX_LAG_SECONDS": "8",
            "REPLICA_CHECK_SECONDS": "0.5",
            "REPLICA_PIN_SECONDS": "5",
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONUNBUFFERED": "1",
        }

    def log(self, name: str) -> Path:
        return self.base / f"{name}.log"

    # -- the pieces -----------------------------------------------------------------------

    def create_database(self) -> None:
        """The database, owned by the superuser that migrates, and the application's role
        (docs/database-roles.md; `migrate` grants it what it may do)."""
        self.primary.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        self.primary.sql(f'CREATE ROLE "{APP_ROLE}" LOGIN', database="postgres")

    def start_databases(self) -> None:
        self.primary.init().start()
        self.create_database()
        self.replica.init_replica(self.primary).start()

    def start_pgbouncer(self) -> None:
        conf = self.base / "pgbouncer.ini"
        users = self.base / "userlist.txt"
        users.write_text(f'"postgres" ""\n"{APP_ROLE}" ""\n')
        prepared = "max_prepared_statements = 200\n" if pgbouncer_version() >= (1, 21) else ""
        conf.write_text(
            f"[databases]\n{DATABASE} = host=127.0.0.1 port={self.primary.port} "
            f"dbname={DATABASE}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.ports['pgbouncer']}\n"
            f"unix_socket_dir =\nauth_type = trust\nauth_file = {users}\n"
            "pool_mode = transaction\ndefault_pool_size = 10\nmax_client_conn = 500\n"
            # Django sends these at connect time; PgBouncer passes on only what it knows.
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"{prepared}"
        )
        if os.geteuid() == 0:
            for path in (self.base, conf, users):
                shutil.chown(path, user="postgres")
        command = _as_postgres([_tool("pgbouncer"), str(conf)])
        self.processes["pgbouncer"] = Process("pgbouncer", command, self.log("pgbouncer")).start()
        wait_for(lambda: port_open(self.ports["pgbouncer"]), "PgBouncer")

    def start_redis(self) -> None:
        command = [
            _tool("redis-server"), "--port", str(self.ports["redis"]), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.base),
        ]  # fmt: skip
        self.processes["redis"] = Process("redis", command, self.log("redis")).start()
        wait_for(lambda: port_open(self.ports["redis"]), "Redis")

    def manage(self, *args: str) -> str:
        # Not through PgBouncer; migrations as the owner, which then grants the app's role.
        env = {
            **self.env,
            "DATABASE_URL": self.primary.url(),
            "DATABASE_OWNER_URL": self.primary.url(user="postgres"),
        }
        result = subprocess.run(
            [str(PYTHON), "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def start_app(self, name: str) -> None:
        port = self.ports[name]
        command = [
            str(PYTHON), "-m", "gunicorn", "mipres.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket",
            "--graceful-timeout", "5",
        ]  # fmt: skip
        self.processes[name] = Process(name, command, self.log(name), self.env).start()

    def wait_for_app(self, name: str) -> None:
        url = f"http://127.0.0.1:{self.ports[name]}/healthz"
        wait_for(lambda: urllib.request.urlopen(url, timeout=5).status == 200, name, 90)

    def start_haproxy(self) -> None:
        conf = self.base / "haproxy.cfg"
        servers = "".join(
            f"    server {name} 127.0.0.1:{self.ports[name]} check inter 300 fall 2 rise 2\n"
            for name in ("app1", "app2")
        )
        conf.write_text(
            "global\n    maxconn 500\n"
            "defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n"
            "    timeout server 60s\n    retries 3\n    option redispatch\n"
            # Only a connection that never reached a server is tried again elsewhere: a
            # request a server received may have written, and is never sent twice.
            "    retry-on conn-failure\n"
            f"frontend web\n    bind 127.0.0.1:{self.ports['haproxy']}\n    default_backend apps\n"
            "backend apps\n    balance roundrobin\n    option httpchk GET /healthz\n"
            "    http-check send hdr Host 127.0.0.1\n"
            f"{servers}"
        )
        command = [_tool("haproxy"), "-db", "-f", str(conf)]
        self.processes["haproxy"] = Process("haproxy", command, self.log("haproxy")).start()
        wait_for(lambda: port_open(self.ports["haproxy"]), "HAProxy")

    def start_worker(self) -> None:
        command = [str(PYTHON), *WORKER_COMMAND]
        self.processes["worker"] = Process("worker", command, self.log("worker"), self.env).start()

    # -- all of it ------------------------------------------------------------------------

    def start(self) -> "Cluster":
        self.start_databases()
        self.start_pgbouncer()
        self.start_redis()
        self.manage("migrate", "--noinput")
        self.manage("seed_demo")
        for name in ("app1", "app2"):
            self.start_app(name)
        self.start_worker()
        for name in ("app1", "app2"):
            self.wait_for_app(name)
        self.start_haproxy()
        return self

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        for server in (self.replica, self.primary):
            with contextlib.suppress(subprocess.CalledProcessError):  # a scenario stopped it
                server.stop("immediate")
        if os.environ.get("CLUSTER_KEEP_LOGS"):
            print(f"cluster logs kept in {self.base}")
        else:
            shutil.rmtree(self.base, ignore_errors=True)
