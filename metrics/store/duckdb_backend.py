"""The embedded engine: one DuckDB file, opened only for a unit of work so that another process (the
command line while the app runs) can get in, and the upload archive in a folder beside it."""
from __future__ import annotations

import os
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd

from .backend import Backend
from .errors import DiskFull, StoreBusy, StoreCorrupt, corrupt_message, storage_failure
from .migrations_duckdb import MIGRATIONS

LOCK_WAIT_SECONDS = 60.0

# One lock per database file for every write of this process. The app's sessions are threads
# sharing one DuckDB instance, whose transactions see a snapshot: two confirmations checked in
# parallel would both pass their check against the figures they replace. Serialised, the second
# sees the first's commit. (Other processes are kept out by DuckDB's own file lock.)
_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


class DuckDBBackend(Backend):
    dialect = "duckdb"
    migrations = MIGRATIONS

    def __init__(self, path: Path, lock_wait: float = LOCK_WAIT_SECONDS):
        self._path = Path(path)
        self.lock_wait = lock_wait
        self._version_seen: tuple[tuple, int] | None = None
        key = str(self._path.resolve())
        with _write_locks_guard:
            self._lock = _write_locks.setdefault(key, threading.RLock())

    @property
    def location(self) -> str:
        return str(self._path)

    @property
    def path(self) -> Path:
        return self._path

    @contextmanager
    def open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the file, waiting while another process holds it."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_wait
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self._path))
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    failure = storage_failure(exc)  # a new file cannot be made on a full disk
                    raise (failure if isinstance(failure, DiskFull) else
                           StoreCorrupt(corrupt_message(self.location, exc))) from exc
                if time.monotonic() > deadline:
                    raise StoreBusy(
                        f"数据库文件 {self._path} 正被另一个程序占用，等待 {self.lock_wait:.0f} 秒后仍未释放。"
                        "请稍后重试；如持续出现，请检查是否有卡住的导入程序。") from exc
                time.sleep(delay)
                delay = min(delay * 1.5, 0.25)
            except duckdb.Error as exc:  # checksums, a truncated or overwritten header: not ours to read
                raise StoreCorrupt(corrupt_message(self.location, exc)) from exc
        try:
            yield con
        except duckdb.Error as exc:
            # A damaged block is only found when a query reads it.
            if isinstance(exc, (duckdb.FatalException, duckdb.InternalException, duckdb.SerializationException)) \
                    or "corrupt" in str(exc).lower():
                raise StoreCorrupt(corrupt_message(self.location, exc)) from exc
            raise
        finally:
            con.close()

    def writers(self):
        return self._lock

    def conflict(self, exc: BaseException) -> bool:
        return False  # writers of this process take turns, and other processes wait for the file

    def storage_failed(self, exc: BaseException) -> bool:
        return isinstance(exc, (duckdb.IOException, duckdb.TransactionException, OSError))

    @contextmanager
    def frame(self, con, name: str, rows: pd.DataFrame) -> Iterator[None]:
        con.register(name, rows)
        try:
            yield
        finally:
            con.unregister(name)

    def insert_frame(self, con, table: str, rows: pd.DataFrame) -> None:
        with self.frame(con, "inserted_rows", rows):
            columns = ", ".join(rows.columns)
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM inserted_rows")

    def restart_sequence(self, con, name: str, start: int) -> None:
        # DuckDB cannot set a sequence; nothing depends on ours (inserts call nextval), so it is made anew.
        con.execute(f"DROP SEQUENCE {name}")
        con.execute(f"CREATE SEQUENCE {name} START {int(start)}")

    def data_version(self, read: Callable[[], int]) -> int:
        """The counter in the file, read only when the file has changed since it was last read: a page
        run asks several times, and opening the file costs more than the page's queries."""
        signature = tuple(_stamp(p) for p in (self._path, self._path.with_name(self._path.name + ".wal")))
        seen = self._version_seen
        if seen is not None and seen[0] == signature:
            return seen[1]
        version = read()
        self._version_seen = (signature, version)
        return version

    @property
    def work_folder(self) -> Path:
        return self._path.parent

    def swap_file(self, replacement: Path, kept: Path) -> bool:
        if self._path.exists():
            try:
                with self.open():
                    pass  # wait until no other process holds the live file
            except StoreCorrupt:
                pass  # nobody can hold a file that will not open; it is the one to put aside
            os.replace(self._path, kept)
        wal = self._path.with_name(self._path.name + ".wal")
        if wal.exists():  # the replaced file's unfinished writes belong with it, not with the backup
            os.replace(wal, kept.with_name(kept.name + ".wal"))
        os.replace(replacement, self._path)
        return True

    # ---- the upload archive: a folder beside the database --------------------------------------

    @property
    def archive_dir(self) -> Path:
        return self._path.parent / "uploads"

    def archive_put(self, name: str, data: bytes) -> Path:
        target = self.archive_dir / name
        if target.exists():
            return target
        # Written under a temporary name and renamed, so a half-written copy never carries the hash.
        temporary = None
        try:
            self.archive_dir.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.archive_dir, prefix=".upload-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except OSError as exc:
            if temporary is not None and os.path.exists(temporary):
                os.remove(temporary)
            raise storage_failure(exc) from exc
        return target

    def archive_get(self, name_prefix: str) -> Path | None:
        return next(self.archive_dir.glob(f"{name_prefix}*"), None) if self.archive_dir.exists() else None

    def archive_names(self) -> list[str]:
        if not self.archive_dir.exists():
            return []
        return sorted(f.name for f in self.archive_dir.iterdir() if f.is_file() and not f.name.startswith("."))

    def archive_read(self, name: str) -> bytes:
        return (self.archive_dir / name).read_bytes()


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)
