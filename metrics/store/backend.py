"""What differs between the engines a store runs on, and nothing else: how to connect and hold a
unit of work, how writers are kept apart, how a table of rows is handed to SQL, the migrations,
where uploaded files are kept, and how cheaply the data version is read. The rules (permissions,
validation, audit, locked months, messages) are all in `Store`, the same on every engine.

Like Superset's db_engine_specs, one small class per engine holds only the differences; the SQL
in `Store` is kept to what DuckDB, PostgreSQL, openGauss and KingbaseES all accept.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

import pandas as pd

Migration = tuple[int, "str | Callable[[Connection], None]"]


class Result(Protocol):
    def fetchall(self) -> list[tuple]: ...

    def df(self) -> pd.DataFrame: ...


class Connection(Protocol):
    """What `Store` uses of a connection: `?` placeholders, results fetched at once."""

    def execute(self, sql: str, params: Sequence | None = None) -> Result: ...

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None: ...


class Backend(ABC):
    dialect: str
    migrations: Sequence[Migration]

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data is, as messages name it (a file, or a server and database)."""

    @property
    def path(self) -> Path | None:
        """The database file, for an embedded engine."""
        return None

    @property
    @abstractmethod
    def work_folder(self) -> Path:
        """A folder on this server's disk for the store's own files (the database file, or the upload
        archive's local copies): the disk whose filling stops uploads, and where a restore stages."""

    def swap_file(self, replacement: Path, kept: Path) -> bool:
        """Put the DuckDB file `replacement` (in `work_folder`) in place of the database by renaming
        files, the replaced one renamed to `kept` whatever state it is in; False for an engine whose
        data is no file of its own, to be replaced row by row instead."""
        return False

    @abstractmethod
    def open(self) -> AbstractContextManager[Connection]:
        """A connection for one unit of work, waiting while another program holds the data."""

    @abstractmethod
    def writers(self) -> AbstractContextManager[None]:
        """Held around every write transaction of this process."""

    def begin(self, con: Connection) -> None:
        """Start a write transaction; from here to its commit no other writer commits, so the audit
        log's chain, the data version and what a write checked stay as it read them."""
        con.execute("BEGIN TRANSACTION")

    def begin_overlapping(self, con: Connection) -> None:
        """Start a write transaction that other writers may overlap until it calls `take_turn`: what
        it checks is kept as it read it by the rows it `lock`s and by the schema's unique keys,
        instead of by the turn. Where writers take turns for whole transactions (`writers`), the
        same as `begin`."""
        self.begin(con)

    def take_turn(self, con: Connection) -> None:
        """Wait for this transaction's turn among the writers, held until its commit: taken just
        before the audit log is appended to, so that the chain's head it reads is the one the
        previous writer committed. Nothing where `writers` already holds writers apart."""

    def lock(self, con: Connection, select_sql: str, params: Sequence | None = None, *,
             shared: bool = False) -> int | None:
        """Lock the rows `select_sql` reads until the transaction ends, against other writers'
        changes (`shared`: against changes, not against other shared locks), in its ORDER BY so that
        two writers lock in the same order; how many rows were locked. None where writers take turns
        for whole transactions and nothing needs locking."""
        return None

    def begin_reading(self, con: Connection) -> None:
        """Start a read-only transaction whose every statement sees the store as of one moment, however
        much is written meanwhile (a backup of a store in use)."""
        con.execute("BEGIN TRANSACTION")

    def migrating(self) -> AbstractContextManager[None]:
        """Held while migrations run, so that servers starting at once migrate one at a time."""
        return self.writers()

    @abstractmethod
    def conflict(self, exc: BaseException) -> bool:
        """Whether `exc` means another writer committed to the same rows first (retry the write)."""

    @abstractmethod
    def storage_failed(self, exc: BaseException) -> bool:
        """Whether `exc` is a failure to write (disk full, I/O), reported as such."""

    @abstractmethod
    def frame(self, con: Connection, name: str, rows: pd.DataFrame) -> AbstractContextManager[None]:
        """`rows` as a table called `name` that the statements inside may read."""

    @abstractmethod
    def insert_frame(self, con: Connection, table: str, rows: pd.DataFrame) -> None:
        """Append `rows` (named as the table's columns) to `table`, in bulk."""

    @abstractmethod
    def restart_sequence(self, con: Connection, name: str, start: int) -> None:
        """Make the sequence's next value `start` (after rows are copied in with their ids)."""

    def data_version(self, read: Callable[[], int]) -> int:
        """The store's data version, read with `read` (an engine may answer more cheaply)."""
        return read()

    # ---- the upload archive --------------------------------------------------------------

    @abstractmethod
    def archive_put(self, name: str, data: bytes) -> Path:
        """Keep an uploaded file under its name (SHA-256 and extension), committed at once, before the
        file is even read; returns a path this process can read it from."""

    @abstractmethod
    def archive_get(self, name_prefix: str) -> Path | None:
        """The archived file whose name starts with `name_prefix` (its SHA-256), as a readable path."""

    @abstractmethod
    def archive_names(self) -> list[str]:
        """Every archived file's name."""

    @abstractmethod
    def archive_read(self, name: str) -> bytes:
        ...
