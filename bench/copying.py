"""What the volume loaders (bench/volume.py, bench/volume_supply.py) share: COPY through
psycopg 3 from a feeding thread, the set-based foreign-key check that replaces PostgreSQL's
per-row one, a batched weighted picker and a phase clock."""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Sequence


class VolumeError(Exception):
    """The generator cannot run on this database; the message says why."""


class Clock:
    """`with clock("phase"):` adds the time spent inside to `report.seconds["phase"]`."""

    def __init__(self, report) -> None:
        self.report = report

    def __call__(self, phase: str) -> Clock:
        self.phase = phase
        return self

    def __enter__(self) -> None:
        self.started = time.monotonic()

    def __exit__(self, *exc) -> None:
        spent = time.monotonic() - self.started
        self.report.seconds[self.phase] = self.report.seconds.get(self.phase, 0.0) + spent


def column(model, name: str) -> str:
    return model._meta.get_field(name).column


def copy_escape(text: str) -> str:
    """A value for COPY's text format (tab-separated, \\N for NULL)."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Picker:
    """Draws from `values` (with optional weights) in batches: `random.choices` once per
    4,096 draws costs a fraction of calling it per draw."""

    __slots__ = ("_batch", "_cum", "_rng", "_values")

    def __init__(self, rng: random.Random, values: Sequence, weights=None) -> None:
        if not values:
            raise ValueError("nothing to pick from")
        self._rng = rng
        self._values = list(values)
        self._cum = None
        if weights is not None:
            total, self._cum = 0.0, []
            for weight in weights:
                total += weight
                self._cum.append(total)
        self._batch: list = []

    def __call__(self):
        if not self._batch:
            self._batch = self._rng.choices(self._values, cum_weights=self._cum, k=4096)
        return self._batch.pop()


def prepare_load(cursor, set_based: bool) -> None:
    if set_based:
        cursor.execute("SET LOCAL session_replication_role = replica")
    else:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def verify_references(cursor, set_based: bool, models: Sequence, before: dict) -> None:
    """Every foreign key of every row newer than `before` points at an existing row, or
    VolumeError (and the transaction rolls back)."""
    if not set_based:
        return  # PostgreSQL checked them row by row
    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    cursor.execute("SET LOCAL work_mem = '512MB'")  # so each NOT IN is one hash table
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            "SELECT a.attname, c.confrelid::regclass::text, f.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        keys = cursor.fetchall()
        if not keys:
            continue
        counts = ", ".join(
            f'count(*) FILTER (WHERE "{column}" IS NOT NULL AND "{column}" NOT IN '
            f'(SELECT "{target}" FROM {parent}))'
            for column, parent, target in keys
        )
        cursor.execute(f"SELECT {counts} FROM {table} WHERE id > %s", [before[model]])
        broken = [f"{key[0]} ({n})" for key, n in zip(keys, cursor.fetchone(), strict=True) if n]
        if broken:
            raise VolumeError(f"{table}: rows point at missing rows: {', '.join(broken)}")


def copy_in(cursor, sql: str, data: bytes) -> None:
    """Run `sql` (a `COPY … FROM STDIN`) on `cursor` with `data`, written in blocks of 1 MiB
    through psycopg 3's `cursor.copy()`."""
    block = 1 << 20
    view = memoryview(data)
    with cursor.copy(sql) as copy:
        for start in range(0, len(view), block):
            copy.write(view[start : start + block])


class Copier:
    """One connection, fed from its own thread: psycopg releases the GIL while it waits
    for the server, so Python generates the next chunk while PostgreSQL stores this one."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def copy(self, sql: str, rows: list[str]) -> None:
        """Run `sql` (a `COPY … FROM STDIN`) with `rows` (text format lines), soon."""
        if rows:
            data = "".join(rows).encode()
            self.run(lambda cursor: copy_in(cursor, sql, data))

    def run(self, work: Callable) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._loop, name="volume-copy", daemon=True)
            self.thread.start()
        self._raise()
        self.queue.put(work)

    def finish(self) -> None:
        """Wait until everything queued is done; raise its error if any."""
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        self._raise()

    def stop(self) -> None:
        """Skip what is still queued, wait for the work under way, raise nothing: for
        cleaning up after an error, before the connection is rolled back or closed."""
        if self.thread is not None:
            self.error = self.error or RuntimeError("stopped")
            self.queue.put(None)
            self.thread.join()
            self.thread = None

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _loop(self) -> None:
        with self.raw.cursor() as cursor:
            while (work := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        work(cursor)
                    except BaseException as error:  # raised again in the main thread
                        self.error = error
