"""PostgreSQL, for deployments that outgrow one machine: many app processes, on many servers, share
one database, and uploaded files are kept in it so that every server reaches them.

Only the DB-API subset that psycopg 3, openGauss's `gaussdb` driver and KingbaseES's `ksycopg2`
share is used (execute, executemany, fetchall, description, `%s` placeholders); COPY is used where
the driver has it. `Store`'s `?` placeholders are translated here.
"""
from __future__ import annotations

import hashlib
import importlib
import math
import queue
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from .backend import Backend
from .errors import StoreBusy, StoreCorrupt, StoreError, storage_failure
from .migrations_postgres import MIGRATIONS

# Another writer committed to the same rows first: unique violation, serialization failure, deadlock.
CONFLICT_STATES = {"23505", "40001", "40P01"}
# Writes that failed for want of room or a working disk (class 53: insufficient resources; 58: I/O).
STORAGE_STATES = ("53", "58")
WRITERS_LOCK = 727_367  # pg_advisory_xact_lock's key for the writers' turn
# Held shared by writers that overlap, exclusive by writers that hold the turn throughout: those
# wait for the overlapping ones to finish before taking the turn, so that neither waits for
# the other's rows while holding what the other waits for.
OVERLAP_LOCK = 727_369
MIGRATION_LOCK = 727_368  # pg_advisory_lock's key for the one server that migrates
IDLE_CONNECTIONS = 8
# Drivers by URL scheme: psycopg for PostgreSQL; the 信创 databases' own forks of it.
DRIVERS = {"postgresql": "psycopg", "postgres": "psycopg", "opengauss": "gaussdb", "kingbase": "ksycopg2"}
# What to install for each driver, as the README's deployment section says.
DRIVER_INSTALLS = {"psycopg": "pip install -r requirements-postgres.txt（离线安装请用带 -postgres 的离线包）",
                   "gaussdb": "pip install gaussdb", "ksycopg2": "按 KingbaseES 的说明安装 ksycopg2"}
_TYPES = {"b": "BOOLEAN", "i": "BIGINT", "u": "BIGINT", "f": "DOUBLE PRECISION", "M": "TIMESTAMP"}


class PostgresBackend(Backend):
    dialect = "postgresql"
    migrations = MIGRATIONS

    def __init__(self, url: str):
        self.url = url
        scheme = urlsplit(url).scheme
        if scheme not in DRIVERS:
            raise StoreError(f"数据库地址以“{scheme}://”开头，本工具不支持这种数据库。请用 postgresql://（PostgreSQL）、"
                             "opengauss://（openGauss/GaussDB）或 kingbase://（KingbaseES）开头的地址；"
                             "用内置的 DuckDB 文件时不要设置 METRICS_DATABASE_URL，用 METRICS_DB 指定文件路径。")
        try:
            self._driver = importlib.import_module(DRIVERS[scheme])
        except ImportError:
            raise StoreError(f"连接 {self.location} 需要数据库驱动 {DRIVERS[scheme]}，本机的 Python 环境没有安装。"
                             f"请在本工具的环境中运行 {DRIVER_INSTALLS[DRIVERS[scheme]]}，然后重新启动。") from None
        # libpq and its forks take only these two schemes; the others just choose the driver.
        self._conninfo = "postgresql" + url[len(scheme):]
        self._idle: queue.LifoQueue = queue.LifoQueue(IDLE_CONNECTIONS)
        self._cache = Path(tempfile.gettempdir()) / f"metrics-archive-{hashlib.sha256(url.encode()).hexdigest()[:12]}"

    @property
    def location(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.hostname or 'localhost'}/{parts.path.lstrip('/')}"  # never the password

    @property
    def work_folder(self) -> Path:
        return self._cache.parent

    @contextmanager
    def open(self) -> Iterator["_Connection"]:
        raw = self._checkout()
        broken = False
        try:
            yield _Connection(raw)
        except self._driver.OperationalError as exc:
            broken = True
            raise StoreBusy(f"连接数据库 {self.location} 失败或中断（{exc}）。请稍后重试；如持续出现，请检查数据库服务。") from exc
        except self._driver.DataError as exc:
            raise StoreCorrupt(f"数据库 {self.location} 中的数据无法读取（{exc}）。请联系数据库管理员检查。") from exc
        finally:
            self._checkin(raw, broken)

    def _checkout(self):
        while True:
            try:
                raw = self._idle.get_nowait()
            except queue.Empty:
                break
            if not raw.closed:
                return raw
        try:
            connection = self._driver.connect(self._conninfo)
        except self._driver.OperationalError as exc:
            reason = " ".join(str(exc).split())  # the driver's text runs over several lines
            raise StoreBusy(f"无法连接数据库 {self.location}（{reason}）。"
                            "请检查 METRICS_DATABASE_URL、数据库服务是否运行，以及账户和密码。") from exc
        connection.autocommit = True  # `Store` says BEGIN and COMMIT itself
        return connection

    def _checkin(self, raw, broken: bool) -> None:
        if broken or raw.closed:
            return
        try:
            self._idle.put_nowait(raw)
        except queue.Full:
            raw.close()

    def writers(self):
        # Processes on several servers write; they take turns inside the database (`begin`).
        return _nothing()

    def begin(self, con) -> None:
        # Writers take turns, across every server, as DuckDB's do within its one process: under
        # read committed, each statement then sees what the writer before committed, so what a
        # write checks and the write it guards see the same rows. Readers never wait.
        # An overlapping writer locks its rows and then waits for the turn; one holding the turn
        # that then waited for those rows would deadlock with it (broken by PostgreSQL after a
        # second, and the write tried again), so the overlapping writers are let finish first.
        con.execute("BEGIN TRANSACTION")
        con.execute("SELECT pg_advisory_xact_lock(?)", [OVERLAP_LOCK])
        self.take_turn(con)

    def begin_overlapping(self, con) -> None:
        # Read committed, not repeatable read: the audit append's head, read after `take_turn`,
        # must be the head the previous writer committed, which a snapshot taken at the first
        # statement would not show. What the writer checks is held by `lock` instead.
        con.execute("BEGIN TRANSACTION")
        con.execute("SELECT pg_advisory_xact_lock_shared(?)", [OVERLAP_LOCK])

    def take_turn(self, con) -> None:
        # A writer that holds it already (`begin`) holds it once more, until the same commit.
        con.execute("SELECT pg_advisory_xact_lock(?)", [WRITERS_LOCK])

    def lock(self, con, select_sql: str, params=None, *, shared: bool = False) -> int:
        # Under read committed, FOR UPDATE waits for a writer holding a row and then locks the
        # row's latest version, so the statements after it read what is committed and stays so.
        return len(con.execute(f"{select_sql} FOR {'SHARE' if shared else 'UPDATE'}", params).fetchall())

    def begin_reading(self, con) -> None:
        # Read committed would let each statement see the writes committed before it: a batch's
        # figures without the batch.
        con.execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    @contextmanager
    def migrating(self) -> Iterator[None]:
        with self.open() as con:
            con.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
            try:
                yield
            finally:
                con.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])

    def conflict(self, exc: BaseException) -> bool:
        return getattr(_driver_error(exc), "sqlstate", None) in CONFLICT_STATES

    def storage_failed(self, exc: BaseException) -> bool:
        state = getattr(_driver_error(exc), "sqlstate", None) or ""
        return state.startswith(STORAGE_STATES)

    @contextmanager
    def frame(self, con, name: str, rows: pd.DataFrame) -> Iterator[None]:
        columns = ", ".join(f"{c} {_TYPES.get(rows[c].dtype.kind, 'VARCHAR')}" for c in rows.columns)
        con.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
        try:
            self.insert_frame(con, name, rows)
            yield
        finally:
            try:
                con.execute(f"DROP TABLE IF EXISTS {name}")
            except self._driver.Error:
                pass  # a failed transaction drops it at its rollback

    def insert_frame(self, con, table: str, rows: pd.DataFrame) -> None:
        columns = ", ".join(rows.columns)
        records = [tuple(_plain(v) for v in row) for row in rows.itertuples(index=False, name=None)]
        if not records:
            return
        cursor = con.raw.cursor()
        if hasattr(cursor, "copy"):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(rows.columns))})",
                               records)

    def restart_sequence(self, con, name: str, start: int) -> None:
        con.execute("SELECT setval(?, ?, false)", [name, start])

    # ---- the upload archive: in the database, read through a local cache ------------------------

    def archive_put(self, name: str, data: bytes) -> Path:
        try:
            with self.open() as con:
                if not con.execute("SELECT 1 FROM upload_file WHERE name = ?", [name]).fetchall():
                    con.execute("INSERT INTO upload_file VALUES (?, ?, now())", [name, data])
        except self._driver.Error as exc:
            if not self.conflict(exc):  # another server archived the same file a moment before
                raise storage_failure(exc) from exc
        return self._cached(name, data)

    def archive_get(self, name_prefix: str) -> Path | None:
        with self.open() as con:
            rows = con.execute("SELECT name, content FROM upload_file WHERE name LIKE ?",
                               [name_prefix + "%"]).fetchall()
        return self._cached(rows[0][0], bytes(rows[0][1])) if rows else None

    def archive_names(self) -> list[str]:
        with self.open() as con:
            return [row[0] for row in con.execute("SELECT name FROM upload_file ORDER BY name").fetchall()]

    def archive_read(self, name: str) -> bytes:
        with self.open() as con:
            return bytes(con.execute("SELECT content FROM upload_file WHERE name = ?", [name]).fetchall()[0][0])

    def _cached(self, name: str, data: bytes) -> Path:
        """The file on this server's disk, for the parse worker to read."""
        path = self._cache / name
        if not path.exists():
            self._cache.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{name}.{threading.get_ident()}")
            temporary.write_bytes(data)
            temporary.replace(path)
        return path


class _Connection:
    """A driver connection as `Store` uses one: `?` placeholders, results fetched at once."""

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params: Sequence | None = None) -> "_Result":
        cursor = self.raw.cursor()
        if params is None:
            cursor.execute(sql)
        else:
            cursor.execute(_placeholders(sql), [_plain(p) for p in params])
        return _Result(cursor)

    def executemany(self, sql: str, rows) -> None:
        self.raw.cursor().executemany(_placeholders(sql), [[_plain(v) for v in row] for row in rows])


class _Result:
    def __init__(self, cursor):
        self._cursor = cursor

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall() if self._cursor.description else []

    def df(self) -> pd.DataFrame:
        """The rows as a frame typed by the columns' SQL types, as DuckDB's would be: a column of
        NULLs that holds numbers is still numeric, so frames from the two engines compare equal."""
        description = self._cursor.description
        frame = pd.DataFrame.from_records(self._cursor.fetchall(), columns=[d[0] for d in description])
        for column in description:
            kind = _COLUMN_KINDS.get(column[1])
            if kind is not None:
                frame[column[0]] = frame[column[0]].astype(kind)
        return frame


# PostgreSQL type OIDs → pandas dtypes: float4, float8 and numeric; int2, int4 and int8 (nullable).
_COLUMN_KINDS = {700: "float64", 701: "float64", 1700: "float64", 21: "Int64", 23: "Int64", 20: "Int64"}


def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def _plain(value):
    """A value the driver can send: numpy scalars as Python ones; pandas' missing markers as NULL."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _driver_error(exc: BaseException):
    """The driver's error behind `exc`, which may have been raised from it."""
    while exc is not None and not hasattr(exc, "sqlstate"):
        exc = exc.__cause__
    return exc


@contextmanager
def _nothing():
    yield
