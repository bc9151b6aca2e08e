"""The store's rules, the same on every engine: figures as append-only revisions in batches, undo,
targets, locked months, accounts, entities, the ledger's edits and evidence, and the hash-chained
audit log, each write one transaction. What differs between engines (DuckDB, PostgreSQL) is behind `Backend`.

Observations are append-only: a correction is a new revision, an undo marks its batch undone,
and the current figure is the latest revision from a batch that is not undone and is approved.
With review on (审核), an upload's batch waits as pending: its figures are held, shown to staff as
待审核 and counted on the leaders' screens, but become current only when a reviewer approves it;
a rejected batch never does.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

from .. import catalog
from .. import ledger as ledger_rules
from ..auth import Actor, PermissionDenied, RecentFailures, require, sign_in_wait
from ..channels import channel_problem, contact_problem, shown_settings
from ..entity_names import EntityDirectory, canonical
from ..formatting import typed_text, writable
from ..tasks import explanation_problem, file_tasks, ownership_problem, task_problem
from .audit_chain import GENESIS_HASH, event_hash
from .backend import Backend, Connection
from .duckdb_backend import DuckDBBackend
from .errors import PeriodLocked, StaleEdit, StoreBusy, StoreError, WriteConflict, storage_failure
from .postgres_backend import PostgresBackend

DEFAULT_DB = Path("data") / "metrics.duckdb"
# What changes figures or the entities they belong to, and so is replayed to rebuild a store.
REPLAYED_ACTIONS = ("upload", "undo", "entity_add", "entity_rename", "entity_alias", "entity_alias_remove",
                    "entity_merge", "entity_delete", "review_mode", "approve", "reject")
SIGN_IN_WINDOW = dt.timedelta(minutes=15)  # failed sign-ins older than this are forgotten
WRITE_ATTEMPTS = 5  # a write another writer beat to the same rows is tried again, this many times in all


def backend_for(location: str | os.PathLike | None = None) -> Backend:
    """The engine a location names: a postgresql:// URL, else a DuckDB file. With none given,
    METRICS_DATABASE_URL, else METRICS_DB, else data/metrics.duckdb."""
    location = location if location is not None else (os.environ.get("METRICS_DATABASE_URL", "").strip()
                                                      or os.environ.get("METRICS_DB") or DEFAULT_DB)
    text = str(location)
    if "://" in text:  # a database server's URL; PostgresBackend refuses a kind it cannot reach
        return PostgresBackend(text)
    return DuckDBBackend(Path(text))


def writes(method):
    """A write method, tried again when another writer committed to the same rows first: it reads
    the store afresh each time, so what it checks (a preview's figures, a target's revision) is
    checked against what the other writer left."""
    @functools.wraps(method)
    def retried(self, *args, **kwargs):
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return method(self, *args, **kwargs)
            except WriteConflict:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise StoreBusy("同时修改同一批数据的人太多，本次没有写入任何数据。请稍后重试。") from None
    return retried


# The latest revision from a batch that is not undone and is approved, for the keys that `keys_sql` selects.
# Migrations name the columns of their own time; the current figure holds these now.
CURRENT_FIGURE_COLUMNS = "entity_id, indicator_code, period, id, months, value, batch_id, published_yoy"
_LATEST_REVISIONS = """
    SELECT {columns} FROM (
        SELECT o.*, row_number() OVER (
            PARTITION BY o.entity_id, o.indicator_code, o.period ORDER BY o.revision DESC) AS rn
        FROM observation o
        JOIN batch b ON b.id = o.batch_id
        JOIN ({keys_sql}) k ON k.entity_id = o.entity_id AND k.indicator_code = o.indicator_code
                           AND k.period = o.period
        WHERE b.undone_at IS NULL AND b.review = 'approved'
    ) ranked WHERE rn = 1
"""


_BATCH_KEYS = "SELECT DISTINCT entity_id, indicator_code, period FROM observation WHERE batch_id = ?"

# Incoming figures (a frame called incoming_rows) beside the current ones.
_DIFF = """
    SELECT i.*, c.value AS old_value, c.months AS old_months, coalesce(o.note, '') AS old_note,
           CASE WHEN c.value IS NULL THEN 'new'
                WHEN c.value = i.value AND c.months = i.months THEN 'unchanged'
                ELSE 'changed' END AS change,
           -- A 备注 given that the current figure does not carry: a blank one is none given.
           (i.note <> '' AND i.note <> coalesce(o.note, '')) AS new_note
    FROM incoming_rows i
    LEFT JOIN entity e ON e.name = i.entity AND e.removed_at IS NULL
    LEFT JOIN current_figure c
      ON c.entity_id = e.id AND c.indicator_code = i.indicator_code AND c.period = i.period
    LEFT JOIN observation o ON o.id = c.observation_id
    ORDER BY i.indicator_code, i.entity, i.period
"""
# The current figures of incoming_rows' keys.
_CURRENT_OF_INCOMING = """
    FROM current_figure c
    WHERE EXISTS (SELECT 1 FROM incoming_rows i JOIN entity e ON e.name = i.entity AND e.removed_at IS NULL
                  WHERE e.id = c.entity_id AND i.indicator_code = c.indicator_code AND i.period = c.period)
"""


class Where:
    """The WHERE clause of a read, from whichever filters are given (None: no filter), with its
    placeholders: the one place reads build their conditions, in SQL every engine takes."""

    def __init__(self, *conditions: str):
        self.conditions, self.params = list(conditions), []

    def equals(self, column: str, value) -> "Where":
        if value is not None:
            self.conditions.append(f"{column} = ?")
            self.params.append(value)
        return self

    def among(self, column: str, values) -> "Where":
        if values is not None:
            values = list(values)
            # An empty list matches nothing, as `IN ()` would if SQL allowed it.
            self.conditions.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "1 = 0")
            self.params.extend(values)
        return self

    def from_(self, column: str, value) -> "Where":
        if value is not None:
            self.conditions.append(f"{column} >= ?")
            self.params.append(value)
        return self

    def __str__(self) -> str:
        return f"WHERE {' AND '.join(self.conditions)}" if self.conditions else ""


@dataclass(frozen=True)
class BatchSummary:
    batch_id: int | None
    new: int
    changed: int
    unchanged: int
    review: str = "approved"  # or "pending": waiting for review before its figures are current
    new_notes: int = 0  # figures restated unchanged with a 备注 they did not carry (the month's 原因分析)


class Store:
    def __init__(self, location: str | os.PathLike | None = None, backend: Backend | None = None):
        self.backend = backend or backend_for(location)
        # Per thread, because the app's threads share one Store: the connection a `session` holds.
        self._held = threading.local()

    @property
    def path(self) -> Path | None:
        """The database file, for the embedded engine (None on a database server)."""
        return self.backend.path

    @property
    def location(self) -> str:
        return self.backend.location

    # ---- connections -------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for one call: the session's, or one opened for the call."""
        held = getattr(self._held, "connection", None)
        if held is not None:
            yield held
            return
        with self.backend.open() as con:
            yield con

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep one connection across the calls of one unit of work (an import, a page's reads):
        opening a DuckDB file costs some 13 ms whatever its size, several times what a small
        query costs. Other processes wait while a session runs, as for a call."""
        if getattr(self._held, "connection", None) is not None:
            yield
            return
        with self.backend.open() as con:
            self._held.connection = con
            try:
                yield
            finally:
                self._held.connection = None

    @contextmanager
    def transaction(self, overlapping: bool = False) -> Iterator[Connection]:
        """One transaction: all of it is written, or none of it. Another writer committing to the
        same rows first raises `WriteConflict`, which `writes` methods answer by trying again.

        Writers take turns for the whole transaction, unless `overlapping`: then, where the engine
        allows, other writers run beside it until it takes its turn (`Backend.take_turn`, at the
        latest in `_audit`), and it must `lock` what it checks itself. No write commits without
        its turn, so a transaction that takes the turn at its start sees nothing committed beside
        it until it ends."""
        with self.backend.writers(), self.connect() as con:
            (self.backend.begin_overlapping if overlapping else self.backend.begin)(con)
            try:
                yield con
                con.execute("COMMIT")
            except BaseException as exc:
                _rollback_quietly(con)
                if self.backend.conflict(exc):
                    raise WriteConflict() from exc
                if self.backend.storage_failed(exc):
                    raise storage_failure(exc) from exc
                raise

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A connection whose reads all see the store as of one moment, whatever other processes
        write meanwhile: a backup or a copy of a store in use holds each batch with its figures."""
        with self.connect() as con:
            self.backend.begin_reading(con)
            try:
                yield con
            finally:
                _rollback_quietly(con)

    def data_version(self) -> int:
        """Bumped by every write, in its transaction; cheap enough to call on every page run."""
        def read() -> int:
            with self.connect() as con:
                return con.execute("SELECT version FROM data_version").fetchall()[0][0]
        return self.backend.data_version(read)

    # ---- the upload archive ------------------------------------------------------------

    def archive(self, data: bytes, file_name: str) -> tuple[str, Path]:
        """Keep an uploaded file byte for byte under its SHA-256, before it is read (rejected ones
        too, so a database can be rebuilt from the archive); returns (sha256, a path to read it at)."""
        sha256 = hashlib.sha256(data).hexdigest()
        return sha256, self.backend.archive_put(f"{sha256}{Path(file_name).suffix.lower()}", data)

    def archived(self, sha256: str) -> Path | None:
        return self.backend.archive_get(sha256)

    def archive_names(self) -> list[str]:
        return self.backend.archive_names()

    def archive_read(self, name: str) -> bytes:
        return self.backend.archive_read(name)

    # ---- schema ------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.connect() as con:
            return _schema_version(con)

    @property
    def schema_latest(self) -> int:
        """The version this engine's migrations end at (each engine numbers its own)."""
        return self.backend.migrations[-1][0]

    def migrate(self, upto: int | None = None) -> list[int]:
        """Apply every migration after the database's version; returns the versions applied."""
        applied = []
        with self.backend.migrating(), self.connect() as con:
            for version, script in self.backend.migrations:
                if upto is not None and version > upto:
                    break
                if version <= _schema_version(con):
                    continue
                con.execute("BEGIN TRANSACTION")
                try:
                    script(con) if callable(script) else con.execute(script)
                    con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                applied.append(version)
        return applied

    def is_initialised(self) -> bool:
        if self.path is not None and not self.path.exists():
            return False
        with self.connect() as con:
            if _schema_version(con) == 0:
                return False
            return con.execute("SELECT count(*) FROM indicator").fetchall()[0][0] > 0

    # ---- reference data (catalogue, targets, report figures, ledger) --------------------

    @writes
    def load_reference(self, user: str = "系统初始化") -> None:
        """Load the catalogue, targets, report figures and ledger from data/; idempotent."""
        inds = catalog.indicators()
        led = catalog.ledger()
        with self.transaction() as con:
            con.execute("DELETE FROM indicator")
            con.execute("DELETE FROM indicator_problem")
            con.executemany(
                "INSERT INTO indicator VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [[i.code, pos, i.name, i.name_en, i.unit, i.category, i.kind, i.direction,
                  i.decimals, i.is_count, i.may_be_negative, i.definition, i.formula]
                 for pos, i in enumerate(inds.values())])
            pairs = [[i.code, p] for i in inds.values() for p in i.problems]
            if pairs:
                con.executemany("INSERT INTO indicator_problem VALUES (?, ?)", pairs)
            _reference_entity(con, catalog.ZONE)
            for t in catalog.targets():
                entity_id = _reference_entity(con, t.entity)
                _put_target(con, t.indicator, entity_id, t.year, t.kind, t.value, t.value_max,
                            t.phasing, t.illustrative, t.source, user, only_if_absent=True)
            for task in file_tasks():
                # Like targets: a task the database already holds (an administrator's edit) stays.
                entity_id = _reference_entity(con, task.entity)
                if _task_row(con, task.indicator, entity_id) is None:
                    _put_task(con, task.indicator, entity_id, task.department, task.due_day, task.editors, user)
            con.execute("DELETE FROM report_figure")
            con.executemany(
                "INSERT INTO report_figure VALUES (?,?,?,?,?,?,?,?,?,?)",
                [[pos, f.indicator, f.entity, f.year, f.scope, f.value, f.unit, f.section, f.phrase,
                  f.value_text] for pos, f in enumerate(catalog.report_figures())])
            con.execute("DELETE FROM ledger_summary")
            con.execute("INSERT INTO ledger_summary VALUES (?,?,?,?)",
                        [led.report_date, led.summary_done, led.summary_in_progress, led.summary_source])
            # The report's rows, reloaded as the file gives them; edits stay in ledger_edit,
            # measure_indicator and measure_evidence, laid over them by `ledger()`.
            con.execute("DELETE FROM problem")
            con.execute("DELETE FROM measure")
            con.executemany("INSERT INTO problem VALUES (?,?,?,?,?,?,?)",
                            [[p.id, pos, p.section, p.title, p.status, p.lead_unit, p.deadline]
                             for pos, p in enumerate(led.problems)])
            con.executemany("INSERT INTO measure VALUES (?,?,?,?,?)",
                            [[p.id, pos, m.ordinal, m.text, m.status]
                             for p in led.problems for pos, m in enumerate(p.measures)])

    # ---- observations ------------------------------------------------------------------

    def diff(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Compare incoming figures with the current ones without writing anything.

        rows: indicator_code, entity, period, months, value (and optionally note).
        Returns rows with `old_value`, `old_months` and `change` in (new, changed, unchanged).
        """
        with self.connect() as con:
            return self._diff(con, _normalise_rows(rows))

    @writes
    def commit_batch(self, rows: pd.DataFrame, *, actor: Actor, file_name: str, sha256: str,
                     source: str = "upload", illustrative: bool = False, lock_reason: str = "",
                     new_entities: dict[str, str] | None = None, before_commit=None) -> BatchSummary:
        """Write one batch in one transaction: new revisions, the batch record, and its audit event.

        rows: indicator_code, entity (a stored name), period, value, and optionally months, note and
        published_yoy (the 同比 the file published). Every entity must be held already, except those
        `new_entities` names (name → kind) for data the system itself brings (the illustrative
        series): an upload never creates one. The actor must be allowed to upload; figures for a
        locked month need an administrator and a reason, kept with the batch. A figure restated
        unchanged is written as a restating revision, so that undoing the batch that first brought
        it keeps what this one confirmed; a batch that changes nothing is not recorded. With review
        on, an upload (source "upload", whoever sends it) is written pending, its figures not yet
        current; what the system writes itself (the illustrative series, a merge) is not reviewed.
        `before_commit(con, diff)` may raise to abort (the caller's last checks, in the transaction).
        """
        # Confirmations overlap one another until their figures are written; then they take the
        # writers' turn for the short rest (the rules read again, the audit append). What they
        # compare is held by row locks (the entities, the keys' current figures) and by the unique
        # keys on revisions and current figures. Two racing confirmations of one key: the second
        # waits at the lock, then compares with what the first committed, and is refused.
        with self.transaction(overlapping=True) as con:
            return self._write_batch(con, rows, actor=actor, file_name=file_name, sha256=sha256, source=source,
                                     illustrative=illustrative, lock_reason=lock_reason,
                                     new_entities=new_entities, before_commit=before_commit)

    def _write_batch(self, con, rows: pd.DataFrame, *, actor: Actor, file_name: str, sha256: str, source: str,
                     illustrative: bool = False, lock_reason: str = "", new_entities: dict[str, str] | None = None,
                     before_commit=None) -> BatchSummary:
        """`commit_batch` inside a transaction the caller holds, so that a merge writes its batch and
        the rest of the merge as one unit of work."""
        require(actor, "upload")
        rows = _normalise_rows(rows)
        names = rows["entity"].unique().tolist()
        held = _entities_in(con, names, self.backend)
        unknown = sorted(set(names) - set(held) - set(new_entities or {}))
        if unknown:
            raise StoreError(f"没有这些主体：{'、'.join(unknown)}，本次没有写入任何数据。"
                             "上传不会新建主体：请改为已有的主体名称，或请管理员先在“主体管理”中新建或设置别名。")
        diff, locked = self._locked_diff(con, rows)
        counts = {k: int(v) for k, v in diff["change"].value_counts().items()}
        new, changed, unchanged = (counts.get(k, 0) for k in ("new", "changed", "unchanged"))
        writes = _batch_writes(diff, new + changed)
        def rules() -> tuple[str, str]:
            """Who may write these figures, locked months, review: the batch's note and review."""
            _check_owner(con, actor, rows[["indicator_code", "entity"]].drop_duplicates().itertuples(index=False),
                         "上传或更正这些数据")
            return (_locked_month_note(con, writes, actor, lock_reason),
                    "pending" if source == "upload" and _review_required(con) else "approved")
        note, review = rules()
        if before_commit is not None:
            before_commit(con, diff)
        if writes.empty:
            return BatchSummary(None, 0, 0, unchanged)
        writes = writes.assign(restated=writes["change"] == "unchanged")
        new_notes = int((writes["restated"] & writes["new_note"]).sum())
        batch_id = con.execute("SELECT nextval('batch_id_seq')").fetchall()[0][0]
        con.execute(
            """INSERT INTO batch (id, file_name, sha256, user_name, created_at, source, illustrative, n_new,
                                  n_changed, n_unchanged, n_new_notes, note, review)
               VALUES (?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?)""",
            [batch_id, file_name, sha256, actor.name, source, illustrative, new, changed, unchanged, new_notes,
             note, review])
        for name in sorted(set(new_entities or {}) - set(held)):
            _insert_entity(con, name, new_entities[name], illustrative=illustrative, batch_id=batch_id)
        incoming = writes[["indicator_code", "entity", "period", "months", "value", "note", "published_yoy",
                           "restated"]]
        with self.backend.frame(con, "incoming_writes", incoming):
            # The next revision of each key written: the keys first, then only their rows of the
            # history, rather than the latest revision of every key the store holds.
            con.execute(
                """
                INSERT INTO observation (id, indicator_code, entity_id, period, months, value, revision, batch_id,
                                         note, published_yoy, restated)
                SELECT nextval('observation_id_seq'), w.indicator_code, n.entity_id, w.period, w.months,
                       w.value, n.revision, ?, w.note, w.published_yoy, w.restated
                FROM incoming_writes w
                JOIN (
                    SELECT k.entity_id, k.name, k.indicator_code, k.period,
                           coalesce(max(o.revision), 0) + 1 AS revision
                    FROM (SELECT DISTINCT e.id AS entity_id, e.name, i.indicator_code, i.period
                          FROM incoming_writes i JOIN entity e ON e.name = i.entity AND e.removed_at IS NULL) k
                    LEFT JOIN observation o ON o.entity_id = k.entity_id
                         AND o.indicator_code = k.indicator_code AND o.period = k.period
                    GROUP BY k.entity_id, k.name, k.indicator_code, k.period
                ) n ON n.name = w.entity AND n.indicator_code = w.indicator_code AND n.period = w.period
                """, [batch_id])
        replaced = _refresh_current(con, batch_id)
        if locked is not None:  # the engine locks rows: this writer may have overlapped others until here
            # A key had no current figure to lock, and another writer committed its first one
            # after the lock: the comparison saw it unlocked, or did not see it at all. (A batch that
            # only brings 备注 replaces the current figures of the keys it writes, not of all it compared.)
            def held(frame: pd.DataFrame) -> int:
                return int((frame["change"] != "new").sum())
            if locked != held(diff) or replaced != held(writes):
                raise WriteConflict()
            # The rules are kept in rows no lock holds (a month's lock, tasks, settings); the
            # writers that change them hold the turn throughout, so read again in the turn they
            # are as this batch commits. Changed meanwhile, the batch is made again under them.
            self.backend.take_turn(con)
            if rules() != (note, review):
                raise WriteConflict()
        self._audit(con, actor, "upload", f"批次{batch_id} {file_name}", None,
                    {"new": new, "changed": changed, "unchanged": unchanged, "new_notes": new_notes,
                     "sha256": sha256, "source": source, "note": note, "review": review})
        return BatchSummary(batch_id, new, changed, unchanged, review, new_notes)

    def replay_events(self) -> list[dict]:
        """Every upload, undo, review and change of entities, in the order it happened (for `health --archive`):
        action, subject, and the before and after the audit log recorded."""
        with self.connect() as con:
            events = con.execute(
                f"""SELECT action, subject, before, after FROM audit_event
                    WHERE action IN ({', '.join("'" + a + "'" for a in REPLAYED_ACTIONS)}) ORDER BY seq""").fetchall()
        return [{"action": action, "subject": subject, "before": json.loads(before) if before else None,
                 "after": json.loads(after) if after else None} for action, subject, before, after in events]

    def batch_rows(self, batch_id: int) -> pd.DataFrame:
        """The figures one batch wrote, as `commit_batch` takes them."""
        with self.connect() as con:
            return con.execute(
                """SELECT o.indicator_code, e.name AS entity, o.period, o.months, o.value, o.note, o.published_yoy
                   FROM observation o JOIN entity e ON e.id = o.entity_id WHERE o.batch_id = ? ORDER BY o.id""",
                [batch_id]).df()

    def undo_effects(self, batch_id: int) -> pd.DataFrame:
        """What undoing a batch would do to the current figures, before anyone confirms it: for each
        figure it holds, the value and 备注 shown now and those shown after (None: no figure any more;
        a batch that only brought 备注 moves only those). Figures a later batch restated or changed do not move."""
        with self.connect() as con:
            return con.execute(
                """
                WITH keys AS (""" + _BATCH_KEYS + """),
                after AS (
                    SELECT entity_id, indicator_code, period, value, months, note FROM (
                        SELECT o.*, row_number() OVER (
                            PARTITION BY o.entity_id, o.indicator_code, o.period ORDER BY o.revision DESC) AS rn
                        FROM observation o JOIN batch b ON b.id = o.batch_id
                        JOIN keys k ON k.entity_id = o.entity_id AND k.indicator_code = o.indicator_code
                                   AND k.period = o.period
                        WHERE b.undone_at IS NULL AND b.review = 'approved' AND o.batch_id <> ?) ranked
                    WHERE rn = 1)
                SELECT k.indicator_code, e.name AS entity, k.period, c.value AS value_now, c.months AS months_now,
                       coalesce(o.note, '') AS note_now, a.value AS value_after, a.months AS months_after,
                       coalesce(a.note, '') AS note_after
                FROM keys k JOIN entity e ON e.id = k.entity_id
                LEFT JOIN current_figure c ON c.entity_id = k.entity_id AND c.indicator_code = k.indicator_code
                                          AND c.period = k.period
                LEFT JOIN observation o ON o.id = c.observation_id
                LEFT JOIN after a ON a.entity_id = k.entity_id AND a.indicator_code = k.indicator_code
                                 AND a.period = k.period
                WHERE c.batch_id = ?
                ORDER BY k.indicator_code, e.name, k.period
                """, [batch_id, batch_id, batch_id]).df()

    @writes
    def undo_batch(self, batch_id: int, actor: Actor) -> dict:
        """Undo one batch: its figures leave the current view and what they superseded returns.

        Editors undo their own uploads, administrators any; a batch waiting for review is withdrawn
        the same way. A batch whose figures are still current in a locked month is refused, since
        undoing it would change what was reported upward. Nothing is deleted: the batch and its rows
        stay in the history, marked undone.
        Entities the batch brought (the illustrative series') are removed with it when nothing else
        uses them.
        """
        with self.transaction() as con:
            rows = con.execute("SELECT id, user_name, undone_at, file_name, review FROM batch WHERE id = ?",
                              [batch_id]).fetchall()
            if not rows:
                raise StoreError(f"没有编号为 {batch_id} 的上传批次。请在上传页面的“上传历史”中查看批次编号。")
            row = rows[0]
            if row[2] is not None:
                raise StoreError(f"批次 {batch_id}（{row[3]}）已于 {row[2]:%Y-%m-%d %H:%M} 撤销过，无需再次撤销。")
            if row[4] == "rejected":
                raise StoreError(f"批次 {batch_id}（{row[3]}）审核时已被退回，其数据从未生效，无需撤销。")
            require(actor, "undo_own" if row[1] == actor.name else "undo_any")
            _check_owner(con, actor, con.execute(
                """SELECT DISTINCT o.indicator_code, e.name FROM observation o JOIN entity e ON e.id = o.entity_id
                   WHERE o.batch_id = ?""", [batch_id]).fetchall(), "撤销这些数据")
            # Only figures still current change when a batch is undone (a batch waiting for review has
            # none): in a locked month those are what was reported upward.
            locked = sorted({r[0] for r in con.execute("SELECT DISTINCT period FROM current_figure WHERE batch_id = ?",
                                                       [batch_id]).fetchall()} & _locked_periods(con))
            if locked:
                raise PeriodLocked(f"批次 {batch_id}（{row[3]}）的数据在已锁定月份（{'、'.join(locked)}，已报送上级）中仍在使用，"
                                   "撤销会改动已报送的数据，没有撤销。请先在“月份锁定”页面解锁这些月份，撤销后再锁定；"
                                   "或由管理员上传更正并填写原因。")
            moved = con.execute("SELECT count(*) FROM current_figure WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
            con.execute("UPDATE batch SET undone_at = now(), undone_by = ? WHERE id = ?", [actor.name, batch_id])
            _refresh_current(con, batch_id)
            removed = _remove_unused_entities(con, batch_id)
            self._audit(con, actor, "undo", f"批次{batch_id} {row[3]}", {"undone": False, "figures": moved},
                   {"undone": True, "removed_entities": removed})
            return {"batch_id": batch_id, "file_name": row[3], "figures": moved, "removed_entities": removed}

    def observations(self, entity: str | None = None, codes: list[str] | None = None, *,
                     entities: list[str] | None = None, since: str | None = None) -> pd.DataFrame:
        """Current figures: indicator_code, entity, period, months, value, illustrative.

        `entities` narrows to several entities and `since` to months from that one ("YYYY-MM") on:
        an upload's checks need its own entities' recent months, not the province's history.
        """
        where = (Where("e.removed_at IS NULL").equals("e.name", entity).among("e.name", entities)
                 .from_("o.period", since).among("o.indicator_code", codes or None))
        with self.connect() as con:
            return con.execute(
                f"""SELECT o.indicator_code, e.name AS entity, o.period, o.months, o.value,
                           b.illustrative, o.batch_id, o.published_yoy
                    FROM current_figure o
                    JOIN entity e ON e.id = o.entity_id
                    JOIN batch b ON b.id = o.batch_id
                    {where} ORDER BY o.indicator_code, e.name, o.period""", where.params).df()

    def figure_notes(self, code: str, entity: str, until: str) -> pd.DataFrame:
        """The 备注 notes uploads gave with the current figures of one indicator and entity, in the
        year up to `until` ("YYYY-MM"), oldest first: period, note. The illustrative series' own
        marker is not a note (the 示例数据 badge says it)."""
        with self.connect() as con:
            return con.execute(
                """SELECT c.period, o.note FROM current_figure c
                   JOIN entity e ON e.id = c.entity_id
                   JOIN observation o ON o.id = c.observation_id
                   JOIN batch b ON b.id = c.batch_id
                   WHERE c.indicator_code = ? AND e.name = ? AND c.period >= ? AND c.period <= ?
                     AND o.note IS NOT NULL AND o.note <> '' AND NOT b.illustrative
                   ORDER BY c.period""", [code, entity, until[:4] + "-01", until]).df()

    # ---- explanations (情况说明) ---------------------------------------------------------

    @writes
    def write_explanation(self, code: str, entity: str, period: str, *, reason: str | None = None,
                          next_steps: str | None = None, by: Actor) -> int:
        """Write 原因分析 and 下步措施 for one indicator, entity and month as its next revision (the
        latest is shown; earlier ones stay), audited; returns the revision. A part left None keeps
        what the explanation says now (an upload's 备注 included). Like figures, only the
        indicator's owner (metrics.tasks) or an administrator may write it, and nobody while its
        month is locked: what was reported upward stays as it was, until an administrator unlocks it."""
        require(by, "explain")
        with self.transaction() as con:
            entity_id = _existing_entity(con, entity)
            current = self._explanations(con, period, entity, code)
            before = None if current.empty else current[["reason", "next_steps", "source"]].iloc[0].to_dict()
            reason = (before or {}).get("reason", "") if reason is None else typed_text(reason)
            next_steps = (before or {}).get("next_steps", "") if next_steps is None else typed_text(next_steps)
            problem = explanation_problem(code, period, reason, next_steps)
            if problem:
                raise StoreError(problem)
            _check_owner(con, by, [(code, entity)], "填写这些指标的情况说明")
            if period in _locked_periods(con):
                raise PeriodLocked(f"{period} 已锁定（已报送上级），不能再填写、修改或删除该月的情况说明，本次没有写入任何内容。"
                                   "如需更正，请联系管理员在“月份锁定”页面先解锁该月，改完后再锁定。")
            revision = con.execute(
                """SELECT coalesce(max(revision), 0) + 1 FROM explanation
                   WHERE indicator_code = ? AND entity_id = ? AND period = ?""",
                [code, entity_id, period]).fetchall()[0][0]
            con.execute("INSERT INTO explanation VALUES (nextval('explanation_id_seq'), ?, ?, ?, ?, ?, ?, ?, now())",
                        [code, entity_id, period, revision, reason, next_steps, by.name])
            self._audit(con, by, "explain", f"{code} {entity} {period}", before,
                        {"reason": reason, "next_steps": next_steps, "revision": revision})
            return int(revision)

    def explanations(self, period: str | None = None, *, entity: str | None = None,
                     code: str | None = None) -> pd.DataFrame:
        """The explanation of each indicator, entity and month, the one answer every screen and
        export shows: indicator_code, entity, period, reason (原因分析), next_steps (下步措施),
        source, written_by, written_at. The latest written one (source `written`) wins; where none
        was written, the 备注 an upload gave with the month's current figure is its 原因分析 (source
        `note`). The illustrative series' marker is no explanation."""
        with self.connect() as con:
            return self._explanations(con, period, entity, code)

    def explanation_history(self, code: str, entity: str, period: str) -> pd.DataFrame:
        """Every written revision of one explanation, latest first: revision, reason, next_steps,
        written_by, written_at."""
        with self.connect() as con:
            return con.execute(
                """SELECT x.revision, x.reason, x.next_steps, x.written_by, x.written_at FROM explanation x
                   JOIN entity e ON e.id = x.entity_id
                   WHERE x.indicator_code = ? AND e.name = ? AND x.period = ? ORDER BY x.revision DESC""",
                [code, entity, period]).df()

    def _explanations(self, con, period: str | None, entity: str | None, code: str | None) -> pd.DataFrame:
        written = (Where("x.rn = 1", "e.removed_at IS NULL")
                   .equals("x.period", period).equals("e.name", entity).equals("x.indicator_code", code))
        noted = (Where("o.note IS NOT NULL", "o.note <> ''", "NOT b.illustrative", "e.removed_at IS NULL",
                       """NOT EXISTS (SELECT 1 FROM explanation w WHERE w.indicator_code = c.indicator_code
                                      AND w.entity_id = c.entity_id AND w.period = c.period)""")
                 .equals("c.period", period).equals("e.name", entity).equals("c.indicator_code", code))
        return con.execute(
            f"""SELECT * FROM (
                    SELECT x.indicator_code, e.name AS entity, x.period, x.reason, x.next_steps,
                           'written' AS source, x.written_by, x.written_at
                    FROM (SELECT w.*, row_number() OVER (
                              PARTITION BY w.indicator_code, w.entity_id, w.period ORDER BY w.revision DESC) AS rn
                          FROM explanation w) x
                    JOIN entity e ON e.id = x.entity_id
                    {written}
                    UNION ALL
                    SELECT c.indicator_code, e.name AS entity, c.period, o.note AS reason, '' AS next_steps,
                           'note' AS source, b.user_name AS written_by, b.created_at AS written_at
                    FROM current_figure c
                    JOIN entity e ON e.id = c.entity_id
                    JOIN observation o ON o.id = c.observation_id
                    JOIN batch b ON b.id = c.batch_id
                    {noted}
                ) explained ORDER BY period, indicator_code, entity""", written.params + noted.params).df()

    def history(self, code: str, entity: str) -> pd.DataFrame:
        """Every revision of one indicator for one entity, with who, when and from which upload."""
        with self.connect() as con:
            return con.execute(
                """
                SELECT o.period, o.months, o.value, o.revision, o.batch_id, b.file_name,
                       b.user_name, b.created_at, b.undone_at, b.illustrative, o.note, o.restated, o.published_yoy,
                       b.review, b.review_reason,
                       (c.observation_id IS NOT NULL) AS is_current
                FROM observation o
                JOIN entity e ON e.id = o.entity_id
                JOIN batch b ON b.id = o.batch_id
                LEFT JOIN current_figure c ON c.observation_id = o.id
                WHERE o.indicator_code = ? AND e.name = ? AND e.removed_at IS NULL
                ORDER BY o.period, o.revision
                """, [code, entity]).df()

    def latest_period(self, entity: str | None = None) -> str | None:
        periods = self.periods(entity)
        return periods[0] if periods else None

    # ---- accounts, audit log, locked months, health, backups ---------------------------

    def user_record(self, name: str) -> dict | None:
        with self.connect() as con:
            rows = con.execute("SELECT name, password_hash, role, disabled, created_at FROM app_user WHERE name = ?",
                               [name]).df()
        return None if rows.empty else rows.iloc[0].to_dict()

    def users(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute("SELECT name, role, disabled, created_at FROM app_user ORDER BY name").df()

    @writes
    def save_user(self, name: str, *, by: Actor, password_hash: str | None = None, role: str | None = None,
                  disabled: bool | None = None, create: bool = False) -> None:
        """Create or change one account, recording before → after (never the hash) in the audit log."""
        require(by, "accounts")
        with self.transaction() as con:
            rows = con.execute("SELECT role, disabled FROM app_user WHERE name = ?", [name]).fetchall()
            if create:
                if rows:
                    raise StoreError(f"用户“{name}”已存在。修改密码请用 `users passwd`，停用请用 `users disable`。")
                con.execute("INSERT INTO app_user VALUES (?, ?, ?, false, now())", [name, password_hash, role])
                self._audit(con, by, "user_add", name, None, {"role": role})
                return
            if not rows:
                raise StoreError(f"没有用户“{name}”。用 `python -m metrics users list` 查看全部账户。")
            before = {"role": rows[0][0], "disabled": rows[0][1]}
            after = dict(before)
            if password_hash is not None:
                con.execute("UPDATE app_user SET password_hash = ? WHERE name = ?", [password_hash, name])
                after["password"] = "已修改"
            if role is not None:
                con.execute("UPDATE app_user SET role = ? WHERE name = ?", [role, name])
                after["role"] = role
            if disabled is not None:
                con.execute("UPDATE app_user SET disabled = ? WHERE name = ?", [disabled, name])
                after["disabled"] = disabled
            self._audit(con, by, "user_change", name, before, after)

    def audit_log(self, limit: int | None = None, user: str | None = None, action: str | None = None) -> pd.DataFrame:
        where = Where().equals("user_name", user or None).equals("action", action or None)
        tail = f" LIMIT {int(limit)}" if limit else ""
        with self.connect() as con:
            return con.execute(f"""SELECT id, occurred_at, user_name, origin, action, subject, before, after
                                   FROM audit_event {where} ORDER BY id DESC{tail}""", where.params).df()

    @writes
    def begin_sign_in(self, name: str, client: str) -> float:
        """Count one sign-in attempt, atomically; returns the seconds still to wait, or 0 when it may go on.

        The wait is the rules' (`auth.sign_in_wait`), from the recent failures on the account, from
        this client and from all. An attempt allowed here is counted as a failure at once, so that
        forty guesses sent together each meet the count of those before them; `finish_sign_in`
        clears it when the password was right. One that must wait is not counted, so waiting out
        the delay is always enough.
        """
        now = dt.datetime.now()
        keys = {"client": f"{client}\x1f{name}", "account": name}
        with self.transaction() as con:
            held = {scope: (failures, last) for scope, failures, last in con.execute(
                """SELECT scope, failures, last_failure_at FROM sign_in_throttle
                   WHERE (scope = 'client' AND key = ?) OR (scope = 'account' AND key = ?)""",
                [keys["client"], keys["account"]]).fetchall()}
            counts, since = {}, {}
            for scope in keys:
                failures, last = held.get(scope, (0, None))
                recent = last is not None and now - last <= SIGN_IN_WINDOW
                counts[scope] = failures if recent else 0
                since[scope] = (now - last).total_seconds() if recent else float("inf")
            wait = sign_in_wait(RecentFailures(counts["client"], since["client"], counts["account"], since["account"]))
            if wait > 0:
                return wait
            for scope, key in keys.items():
                con.execute("DELETE FROM sign_in_throttle WHERE scope = ? AND key = ?", [scope, key])
                con.execute("INSERT INTO sign_in_throttle VALUES (?, ?, ?, ?)", [scope, key, counts[scope] + 1, now])
        return 0.0

    @writes
    def finish_sign_in(self, actor: Actor, client: str, succeeded: bool) -> None:
        """Record how an attempt `begin_sign_in` let through ended; a success clears the counts."""
        with self.transaction() as con:
            if succeeded:
                con.execute("DELETE FROM sign_in_throttle WHERE (scope = 'account' AND key = ?) "
                            "OR (scope = 'client' AND key = ?)", [actor.name, f"{client}\x1f{actor.name}"])
            # A sign-in changes nothing a page shows, so the pages' cached reads stay valid: bumping
            # the data version here made every sign-in recompute every screen, for everyone.
            self._audit(con, actor, "sign_in" if succeeded else "sign_in_failed", actor.name, None, None,
                        changes_data=False)

    @writes
    def set_period_lock(self, period: str, locked: bool, *, by: Actor, reason: str) -> None:
        require(by, "locks")
        if not reason.strip():
            raise StoreError("锁定或解锁月份需要填写原因，例如“已向县统计局报送”。")
        with self.transaction() as con:
            before = period in _locked_periods(con)
            con.execute("INSERT INTO period_lock VALUES (?, ?, ?, now(), ?)", [period, locked, by.name, reason])
            self._audit(con, by, "lock" if locked else "unlock", period, {"locked": before}, {"locked": locked, "reason": reason})

    def locked_periods(self) -> set[str]:
        with self.connect() as con:
            return _locked_periods(con)

    def health(self) -> dict:
        """Read and write the database without leaving a trace: a write inside a rolled-back transaction."""
        with self.connect() as con:
            version = _schema_version(con)
            figures = con.execute("SELECT count(*) FROM observation").fetchall()[0][0]
            con.execute("BEGIN TRANSACTION")
            con.execute("INSERT INTO period_lock VALUES ('health', false, 'health', now(), 'health')")
            con.execute("ROLLBACK")
        return {"schema_version": version, "figures": figures}

    def verify(self) -> list[str]:
        """Invariants every committed state keeps; an empty list means the file is consistent.

        Each batch holds exactly the figures it counted (all or nothing), no figure lacks its batch,
        each key has at most one current figure, the current figures are exactly the latest
        revisions from batches not undone, and the audit log's chain is whole.
        """
        problems = []
        with self.connect() as con:
            duplicated = con.execute(
                """SELECT count(*) FROM (SELECT 1 FROM current_figure GROUP BY entity_id, indicator_code, period
                                         HAVING count(*) > 1) d""").fetchall()[0][0]
            if duplicated:
                problems.append(f"有 {duplicated} 个指标-主体-月份同时有不止一个当前值（每个只应有一个）。")
            # A batch's restating revisions (figures it repeated unchanged) are not among those it counted.
            for batch_id, expected, held in con.execute(
                    """SELECT b.id, b.n_new + b.n_changed, count(CASE WHEN NOT o.restated THEN 1 END)
                       FROM batch b LEFT JOIN observation o ON o.batch_id = b.id
                       GROUP BY b.id, b.n_new, b.n_changed
                       HAVING count(CASE WHEN NOT o.restated THEN 1 END) <> b.n_new + b.n_changed""").fetchall():
                problems.append(f"批次 {batch_id} 应有 {expected} 个数据，实际 {held} 个。")
            orphans = con.execute(
                "SELECT count(*) FROM observation o WHERE NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = o.batch_id)"
            ).fetchall()[0][0]
            if orphans:
                problems.append(f"有 {orphans} 个数据不属于任何批次。")
            all_keys = "SELECT DISTINCT entity_id, indicator_code, period FROM observation"
            mismatched = con.execute(
                f"""SELECT count(*) FROM (
                        (SELECT entity_id, indicator_code, period, id, value FROM ({_LATEST_REVISIONS.format(keys_sql=all_keys, columns=CURRENT_FIGURE_COLUMNS)}) l
                         EXCEPT SELECT entity_id, indicator_code, period, observation_id, value FROM current_figure)
                        UNION ALL
                        (SELECT entity_id, indicator_code, period, observation_id, value FROM current_figure
                         EXCEPT SELECT entity_id, indicator_code, period, id, value FROM ({_LATEST_REVISIONS.format(keys_sql=all_keys, columns=CURRENT_FIGURE_COLUMNS)}) l2)
                    ) d""").fetchall()[0][0]
            if mismatched:
                problems.append(f"当前值表与修订历史不一致（{mismatched} 处）。")
            for _, names in con.execute(
                    """SELECT canonical, string_agg(name, '、') FROM entity WHERE removed_at IS NULL
                       GROUP BY canonical HAVING count(*) > 1""").fetchall():
                problems.append(f"主体 {names} 写法只差全角半角或空格，上传时无法区分。"
                                "请用 `python -m metrics entities merge` 合并为一个。")
            problems.extend(_audit_chain_problems(con))
        return problems

    # ---- entities, batches, targets, report, ledger -------------------------------------

    def entities(self, include_removed: bool = False) -> pd.DataFrame:
        """The entities held (and, asked for, those removed), with their aliases; `from_batch` says
        whether a batch brought the entity (the illustrative series) rather than an administrator."""
        with self.connect() as con:
            entities = con.execute(
                f"""SELECT id, name, kind, illustrative, created_by_batch IS NOT NULL AS from_batch,
                           removed_at IS NOT NULL AS removed
                    FROM entity {'' if include_removed else 'WHERE removed_at IS NULL'} ORDER BY id""").df()
            aliases: dict[int, list[str]] = {}
            for entity_id, alias in con.execute("SELECT entity_id, alias FROM entity_alias ORDER BY alias").fetchall():
                aliases.setdefault(entity_id, []).append(alias)
        entities["aliases"] = [aliases.get(i, []) for i in entities["id"].tolist()]
        return entities

    def entity_directory(self) -> EntityDirectory:
        """What an upload's names are matched against: every entity held, and every alias."""
        entities = self.entities()
        aliases = {alias: name for name, names in zip(entities["name"], entities["aliases"]) for alias in names}
        return EntityDirectory.of(entities["name"].tolist(), aliases)

    @writes
    def add_entity(self, name: str, kind: str, *, by: Actor) -> None:
        """A new zone or enterprise: only an administrator creates one, never an upload."""
        require(by, "entities")
        _check_entity_name(name)
        if kind not in set(catalog.EntityKind):
            raise StoreError(f"主体类型“{kind}”无效，应为 {'、'.join(catalog.EntityKind)} 之一（zone 园区，enterprise 企业）。")
        with self.transaction() as con:
            taken = _name_taken(con, name)
            if taken:
                raise StoreError(f"已有主体“{taken}”，与“{name}”只差全角半角或空格，视为同一个，没有新建。")
            _insert_entity(con, name.strip(), kind, illustrative=False, batch_id=None)
            self._audit(con, by, "entity_add", name.strip(), None, {"kind": kind})

    @writes
    def rename_entity(self, name: str, new_name: str, *, by: Actor) -> None:
        """A new name for an entity; the old one stays as an alias, so files that use it still match."""
        require(by, "entities")
        _check_entity_name(new_name)
        with self.transaction() as con:
            entity_id = _existing_entity(con, name)
            taken = _name_taken(con, new_name, except_id=entity_id)
            if taken:
                raise StoreError(f"“{new_name}”已是{taken}，不能重名。如果两者是同一个主体，请用合并。")
            con.execute("UPDATE entity SET name = ?, canonical = ? WHERE id = ?",
                        [new_name.strip(), canonical(new_name), entity_id])
            con.execute("DELETE FROM entity_alias WHERE canonical = ?", [canonical(new_name)])
            if canonical(name) != canonical(new_name):
                _put_alias(con, name, entity_id, by)
            self._audit(con, by, "entity_rename", name, {"name": name}, {"name": new_name.strip()})

    @writes
    def set_alias(self, alias: str, entity: str, *, by: Actor) -> None:
        """Another way files write an entity's name (XX经开区 for XX经济开发区)."""
        require(by, "entities")
        _check_entity_name(alias)
        with self.transaction() as con:
            entity_id = _existing_entity(con, entity)
            taken = _name_taken(con, alias)
            if taken:
                raise StoreError(f"“{alias}”已是{taken}，不能再作为“{entity}”的别名。")
            _put_alias(con, alias, entity_id, by)
            self._audit(con, by, "entity_alias", entity, None, {"alias": alias.strip()})

    @writes
    def remove_alias(self, alias: str, *, by: Actor) -> None:
        require(by, "entities")
        with self.transaction() as con:
            rows = con.execute("SELECT a.alias, e.name FROM entity_alias a JOIN entity e ON e.id = a.entity_id "
                               "WHERE a.canonical = ?", [canonical(alias)]).fetchall()
            if not rows:
                raise StoreError(f"没有别名“{alias}”。用 `python -m metrics entities list` 查看全部主体和别名。")
            con.execute("DELETE FROM entity_alias WHERE canonical = ?", [canonical(alias)])
            self._audit(con, by, "entity_alias_remove", rows[0][1], {"alias": rows[0][0]}, None)

    @writes
    def merge_entities(self, source: str, target: str, *, by: Actor) -> BatchSummary:
        """Move `source`'s figures to `target` as one batch (with its audit event), with their 备注
        (the target's where both have one), its written 情况说明 and its figures waiting for review,
        then make `source` an alias of `target` and remove it. A month both hold with different
        figures, or with different 情况说明, is refused: someone must say which is right first; so is one
        that would change a locked month's figures or 情况说明. All of it is one transaction: nothing is
        half merged."""
        require(by, "entities")
        with self.transaction() as con:
            source_id, target_id = _existing_entity(con, source), _existing_entity(con, target)
            if source_id == target_id:
                raise StoreError("合并的两个主体是同一个。")
            # The merge writes a revision of every key it moves, so each carries the 备注 shown now:
            # without it, a month both hold would lose the target's note (its 原因分析).
            moving = con.execute(
                """SELECT c.indicator_code, c.period, c.months, c.value, t.value AS target_value,
                          coalesce(nullif(tn.note, ''), sn.note) AS note,
                          coalesce(tn.published_yoy, sn.published_yoy) AS published_yoy
                   FROM current_figure c
                   JOIN observation sn ON sn.id = c.observation_id
                   LEFT JOIN current_figure t ON t.entity_id = ? AND t.indicator_code = c.indicator_code
                                             AND t.period = c.period
                   LEFT JOIN observation tn ON tn.id = t.observation_id
                   WHERE c.entity_id = ?""", [target_id, source_id]).df()
            clash = moving[moving["target_value"].notna() & (moving["target_value"] != moving["value"])]
            if len(clash):
                listed = "、".join(f"{r.indicator_code} {r.period}（{r.value:g} 对 {r.target_value:g}）"
                                   for r in clash.head(5).itertuples())
                raise StoreError(f"“{source}”和“{target}”有 {len(clash)} 个月份的数据不同：{listed}。"
                                 "请先更正其中一方，再合并。没有做任何改动。")
            explained = self._explanations(con, None, source, None).merge(
                self._explanations(con, None, target, None), on=["indicator_code", "period"], suffixes=("", "_kept"))
            differing = explained[(explained["reason"] != explained["reason_kept"])
                                  | (explained["next_steps"] != explained["next_steps_kept"])]
            if len(differing):
                listed = "、".join(f"{r.indicator_code} {r.period}" for r in differing.head(5).itertuples())
                raise StoreError(f"“{source}”和“{target}”有 {len(differing)} 个月份的情况说明不同：{listed}。"
                                 "请先改写其中一方，使两者一致，再合并。没有做任何改动。")
            rows = moving.assign(entity=target)[["indicator_code", "entity", "period", "months", "value", "note",
                                                 "published_yoy"]]
            source_events = con.execute("SELECT count(*) FROM target WHERE entity_id = ?", [source_id]).fetchall()
            if source_events[0][0]:
                raise StoreError(f"“{source}”设有目标，合并会丢失它们：请先在目标管理中把目标设到“{target}”。")
            explained_months = set(self._explanations(con, None, source, None).query("source == 'written'")["period"])
            locked = sorted((_written_periods(self._diff(con, _normalise_rows(rows))) | explained_months)
                            & _locked_periods(con))
            if locked:
                raise PeriodLocked(f"合并会改动已锁定月份（{'、'.join(locked)}，已报送上级）的数据或情况说明，没有做任何改动。"
                                   "请先在“月份锁定”页面解锁这些月份，合并后再锁定。")
            # The figures move as an ordinary batch, so history, undo and audit work as for any upload;
            # in the merge's own transaction, so that a failure after it leaves both entities as they were.
            summary = BatchSummary(None, 0, 0, 0)
            if len(rows):
                summary = self._write_batch(con, rows, actor=by, file_name=f"合并主体：{source} → {target}",
                                            sha256=f"merge:{source_id}:{target_id}", source="merge")
            explanations = _move_revisions(con, "explanation", source_id, target_id)
            # After the merge's batch, so that approving one still makes its figure current.
            pending = _move_revisions(con, "observation", source_id, target_id,
                                      "batch_id IN (SELECT id FROM batch WHERE review = 'pending' AND undone_at IS NULL)")
            con.execute("UPDATE entity SET removed_at = now() WHERE id = ?", [source_id])
            con.execute("UPDATE entity_alias SET entity_id = ? WHERE entity_id = ?", [target_id, source_id])
            _put_alias(con, source, target_id, by)
            self._audit(con, by, "entity_merge", f"{source} → {target}", {"entity": source},
                   {"into": target, "figures": len(rows), "batch": summary.batch_id,
                    "explanations": explanations, "pending": pending})
        return summary

    @writes
    def delete_entity(self, name: str, *, by: Actor) -> None:
        """Remove an entity nothing uses (no current figure, no target). Its history stays."""
        require(by, "entities")
        with self.transaction() as con:
            entity_id = _existing_entity(con, name)
            if name == catalog.ZONE:
                raise StoreError(f"“{catalog.ZONE}”是本区自身，不能删除。")
            figures = con.execute("SELECT count(*) FROM current_figure WHERE entity_id = ?", [entity_id]).fetchall()[0][0]
            targets = con.execute("SELECT count(*) FROM target WHERE entity_id = ?", [entity_id]).fetchall()[0][0]
            if figures or targets:
                raise StoreError(f"“{name}”还有 {figures} 个数据、{targets} 条目标，不能删除。"
                                 "如果它与另一个主体是同一个，请用合并；否则请先撤销或更正这些数据。")
            con.execute("UPDATE entity SET removed_at = now() WHERE id = ?", [entity_id])
            con.execute("DELETE FROM entity_alias WHERE entity_id = ?", [entity_id])
            self._audit(con, by, "entity_delete", name, {"entity": name}, None)

    def batches(self) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(
                """SELECT id, file_name, sha256, user_name, created_at, source, illustrative,
                          n_new, n_changed, n_unchanged, n_new_notes, note, undone_at, undone_by,
                          review, reviewed_by, reviewed_at, review_reason
                   FROM batch ORDER BY id DESC""").df()

    def targets(self, year: int | None = None) -> pd.DataFrame:
        """The current target per indicator, entity and year (latest revision)."""
        where = Where("""t.revision = (SELECT max(revision) FROM target t2 WHERE t2.indicator_code = t.indicator_code
                                        AND t2.entity_id = t.entity_id AND t2.year = t.year)""").equals("t.year", year)
        with self.connect() as con:
            df = con.execute(f"""SELECT t.indicator_code, e.name AS entity, t.year, t.kind, t.value, t.value_max,
                                        t.phasing, t.illustrative, t.source, t.revision, t.set_by, t.set_at
                                 FROM target t JOIN entity e ON e.id = t.entity_id
                                 {where} ORDER BY t.indicator_code, t.year""", where.params).df()
        df["phasing"] = df["phasing"].map(lambda s: tuple(json.loads(s)) if isinstance(s, str) else None)
        return df

    def target_history(self, code: str | None = None) -> pd.DataFrame:
        where = Where().equals("t.indicator_code", code or None)
        with self.connect() as con:
            return con.execute(f"""SELECT t.indicator_code, e.name AS entity, t.year, t.kind, t.value, t.value_max,
                                          t.illustrative, t.source, t.revision, t.set_by, t.set_at
                                   FROM target t JOIN entity e ON e.id = t.entity_id
                                   {where} ORDER BY t.indicator_code, t.year, t.revision""", where.params).df()

    @writes
    def set_target(self, code: str, year: int, kind: str, value: float, *, by: Actor, source: str,
                   entity: str = catalog.ZONE, value_max: float | None = None,
                   phasing: tuple[float, ...] | None = None, illustrative: bool = False,
                   expected_revision: int | None = None) -> None:
        """A new revision of one target; the previous ones stay in its history.

        `expected_revision`: the revision the editor saw (0 for none); if another has been saved
        since, as when two administrators save at once, nothing is written and `StaleEdit` is raised.
        """
        require(by, "targets")
        if code not in catalog.indicators():
            raise StoreError(f"没有指标编码“{code}”。")
        if kind not in set(catalog.TargetKind):
            raise StoreError(f"目标类型“{kind}”无效，应为 {'、'.join(catalog.TargetKind)} 之一。")
        if not source.strip():
            raise StoreError("请填写目标来源（例如文件名或会议纪要），以便日后核对。")
        with self.transaction() as con:
            entity_id = _entity_id(con, entity)
            if entity_id is None:
                raise StoreError(f"没有主体“{entity}”。请先在“主体管理”中新建，或用已有的主体名称。")
            before = con.execute(
                """SELECT kind, value, value_max, source, revision, set_by, set_at FROM target
                   WHERE indicator_code = ? AND entity_id = ? AND year = ? ORDER BY revision DESC LIMIT 1""",
                [code, entity_id, year]).df()
            seen = 0 if before.empty else int(before["revision"].iloc[0])
            if expected_revision is not None and expected_revision != seen:
                if before.empty:
                    raise StaleEdit("您看到的目标已不存在，本次没有保存。请刷新页面后再修改。")
                latest = before.iloc[0]
                raise StaleEdit(f"{year} 年“{catalog.indicator(code).name}”的目标在您打开页面后已被{latest['set_by']}于"
                                f"{latest['set_at']:%m-%d %H:%M} 改为 {latest['value']:g}，本次没有保存。"
                                "请查看最新目标后再决定是否修改。")
            before = before.drop(columns=["revision", "set_by", "set_at"])
            _put_target(con, code, entity_id, year, kind, value, value_max, phasing, illustrative,
                        source, by.name, only_if_absent=False)
            self._audit(con, by, "target", f"{code} {entity} {year}",
                   None if before.empty else before.iloc[0].to_dict(),
                   {"kind": kind, "value": value, "value_max": value_max, "source": source})

    def report_figures(self, code: str | None = None) -> pd.DataFrame:
        where = Where().equals("indicator_code", code or None)
        with self.connect() as con:
            return con.execute(f"SELECT * FROM report_figure {where} ORDER BY position", where.params).df()

    def ledger(self) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
        """(summary, problems, measures): the report's rows with the edits laid over them.

        problems: id, position, section, title, status, lead_unit, leader, deadline and indicators
        (the catalogue's codes that measure it). measures: problem_id, position, measure_no (1…),
        ordinal, text, status; lead_unit, leader and deadline (its own, else its problem's);
        indicators (the codes it should move) and evidence (how many files it has)."""
        with self.connect() as con:
            summary = con.execute("SELECT * FROM ledger_summary").df().iloc[0].to_dict()
            problems, measures = _ledger_rows(con)
        return summary, problems, measures

    def evidence(self, problem_id: str | None = None) -> pd.DataFrame:
        """The evidence files (佐证材料): id, problem_id, measure_no, file_name, sha256, size_bytes,
        added_by, added_at; the file itself is `archived(sha256)`."""
        where = Where().equals("problem_id", problem_id)
        with self.connect() as con:
            return con.execute(f"SELECT * FROM measure_evidence {where} ORDER BY problem_id, measure_no, id",
                               where.params).df()

    @writes
    def set_ledger(self, problem_id: str, measure_no: int = 0, *, by: Actor, status: str | None = None,
                   lead_unit: str | None = None, leader: str | None = None, deadline: str | None = None,
                   indicators=None) -> dict:
        """Change a problem (measure_no 0) or one of its measures over what the report gives: its
        status, lead unit, responsible leader (责任领导), deadline and, for a measure, the indicators
        it should move. Only what is given changes; audited before → after; returns the after.

        An administrator edits anything; an account of the lead unit edits all but the lead unit
        (metrics.ledger.edit_problem). A problem is closed (销号) only when its measures are done
        and have evidence, and a measure of a closed problem cannot be reopened alone."""
        changes = {key: typed_text(value) for key, value in (("status", status), ("lead_unit", lead_unit),
                                                         ("leader", leader)) if value is not None}
        if status is not None and (problem := ledger_rules.status_problem(changes["status"])):
            raise StoreError(problem)
        if deadline is not None:
            try:
                changes["deadline"] = ledger_rules.parse_deadline(deadline)
            except ValueError as exc:
                raise StoreError(str(exc)) from None
        codes = None if indicators is None else list(dict.fromkeys(c.strip() for c in indicators if c.strip()))
        if codes is not None:
            if measure_no == 0:
                raise StoreError("关联指标设在整改措施上：请指定第几项措施（命令行用 --measure N）。")
            problem = ledger_rules.indicators_problem(codes)
            if problem:
                raise StoreError(problem)
        if not changes and codes is None:
            raise StoreError("没有要修改的内容：请至少给出状态、牵头单位、责任领导、完成时限或关联指标之一。")
        with self.transaction() as con:
            problems, measures = _ledger_rows(con)
            item = _ledger_item(problems, measures, problem_id, measure_no)
            name = ledger_rules.item_name(problem_id, measure_no)
            _check_ledger_editor(con, by, item, name, "lead_unit" in changes and changes["lead_unit"] != item["lead_unit"])
            own = measures[measures["problem_id"] == problem_id]
            if measure_no == 0 and changes.get("status") == ledger_rules.LedgerStatus.DONE and item["status"] != ledger_rules.LedgerStatus.DONE:
                problem = ledger_rules.closing_problem(problem_id, own)
                if problem:
                    raise StoreError(problem)
            if (measure_no and changes.get("status") == ledger_rules.LedgerStatus.IN_PROGRESS
                    and problems.set_index("id").at[problem_id, "status"] == ledger_rules.LedgerStatus.DONE):
                raise StoreError(f"{problem_id} 已销号（已整改完成），不能单独把其中的措施改回正在推进。"
                                 f"如需重新整改，请先把问题 {problem_id} 的状态改为正在推进。")
            before = {key: item[key] for key in changes}
            after = dict(changes)
            if changes:
                held = con.execute("""SELECT status, lead_unit, leader, deadline FROM ledger_edit
                                      WHERE problem_id = ? AND measure_no = ?""", [problem_id, measure_no]).fetchall()
                kept = dict(zip(("status", "lead_unit", "leader", "deadline"), held[0] if held else (None,) * 4))
                kept.update(changes)
                con.execute("DELETE FROM ledger_edit WHERE problem_id = ? AND measure_no = ?", [problem_id, measure_no])
                con.execute("INSERT INTO ledger_edit VALUES (?, ?, ?, ?, ?, ?, ?, now())",
                            [problem_id, measure_no, kept["status"], kept["lead_unit"], kept["leader"],
                             kept["deadline"], by.name])
            if codes is not None:
                before["indicators"], after["indicators"] = list(item["indicators"]), codes
                con.execute("DELETE FROM measure_indicator WHERE problem_id = ? AND measure_no = ?",
                            [problem_id, measure_no])
                if codes:
                    con.executemany("INSERT INTO measure_indicator VALUES (?, ?, ?)",
                                    [[problem_id, measure_no, code] for code in codes])
            self._audit(con, by, "ledger_edit", name, before, after)
            return after

    @writes
    def add_evidence(self, problem_id: str, measure_no: int, data: bytes, file_name: str, *, by: Actor) -> int:
        """Attach an evidence file (佐证材料) to a measure: kept in the upload archive under its
        SHA-256, as uploads are, recorded and audited; returns its number. Its size and type are
        checked before it comes here (metrics.ingest.evidence), as an upload's are."""
        def check(con) -> None:
            problems, measures = _ledger_rows(con)
            if not measure_no:
                raise StoreError("佐证材料附在整改措施上：请指定第几项措施（命令行用 --measure N）。")
            item = _ledger_item(problems, measures, problem_id, measure_no)
            _check_ledger_editor(con, by, item, ledger_rules.item_name(problem_id, measure_no), False)

        with self.connect() as con:
            check(con)  # before the file is kept: an account that may not attach it cannot fill the archive
        sha256, _ = self.archive(data, file_name)
        with self.transaction() as con:
            check(con)
            name = ledger_rules.item_name(problem_id, measure_no)
            if con.execute("SELECT 1 FROM measure_evidence WHERE problem_id = ? AND measure_no = ? AND sha256 = ?",
                           [problem_id, measure_no, sha256]).fetchall():
                raise StoreError(f"文件“{file_name}”已是{name}的佐证材料（内容相同），无需重复上传。")
            evidence_id = con.execute("SELECT nextval('evidence_id_seq')").fetchall()[0][0]
            con.execute("INSERT INTO measure_evidence VALUES (?, ?, ?, ?, ?, ?, ?, now())",
                        [evidence_id, problem_id, measure_no, file_name, sha256, len(data), by.name])
            self._audit(con, by, "ledger_evidence", name, None,
                        {"file_name": file_name, "sha256": sha256, "size_bytes": len(data)})
            return evidence_id

    # ---- export support ----

    def periods(self, entity: str | None = None) -> list[str]:
        """Months that hold at least one current figure, latest first (the export page's choices)."""
        where = Where("e.removed_at IS NULL").equals("e.name", entity or None)
        with self.connect() as con:
            return [row[0] for row in con.execute(
                f"""SELECT DISTINCT o.period FROM current_figure o JOIN entity e ON e.id = o.entity_id
                    {where} ORDER BY o.period DESC""", where.params).fetchall()]



    # ---- review (审核) -------------------------------------------------------------------

    def review_required(self) -> bool:
        """Whether uploads wait for a reviewer before their figures are current (off unless switched on)."""
        with self.connect() as con:
            return _review_required(con)

    @writes
    def set_review_required(self, on: bool, *, by: Actor) -> None:
        """Switch review of uploads on or off for this deployment (an administrator's), audited.
        Batches already waiting stay pending either way, until someone approves or rejects them."""
        require(by, "review_mode")
        with self.transaction() as con:
            before = _review_required(con)
            con.execute("DELETE FROM app_setting WHERE name = 'review'")
            con.execute("INSERT INTO app_setting VALUES ('review', ?, ?, now())", ["on" if on else "off", by.name])
            self._audit(con, by, "review_mode", "上传审核", {"on": before}, {"on": on})

    def pending_figures(self, period: str | None = None, entity: str | None = None) -> pd.DataFrame:
        """Figures uploads brought that wait for review, oldest batch first: indicator_code, entity,
        period, months, value, batch_id, user_name, created_at. A figure restated unchanged is not
        waiting for anything, so it is left out."""
        where = (Where("b.review = 'pending'", "b.undone_at IS NULL", "NOT o.restated", "e.removed_at IS NULL")
                 .equals("o.period", period).equals("e.name", entity))
        with self.connect() as con:
            return con.execute(
                f"""SELECT o.indicator_code, e.name AS entity, o.period, o.months, o.value, o.batch_id,
                           b.user_name, b.created_at
                    FROM observation o JOIN batch b ON b.id = o.batch_id JOIN entity e ON e.id = o.entity_id
                    {where} ORDER BY o.batch_id, o.indicator_code, e.name, o.period""", where.params).df()

    @writes
    def approve_batch(self, batch_id: int, *, by: Actor) -> dict:
        """A reviewer's approval: the batch's figures become current (where no later approved
        revision of the same key is current already). A month locked since the upload is refused,
        since approving would change what was reported upward. Audited."""
        require(by, "review")
        with self.transaction() as con:
            file_name, uploader = _pending_batch(con, batch_id, "通过")
            # What approving changes: its new and changed figures, and the 备注 (the month's 原因分析)
            # of those it restates unchanged.
            periods = {r[0] for r in con.execute(
                """SELECT DISTINCT o.period FROM observation o
                   LEFT JOIN current_figure c ON c.entity_id = o.entity_id AND c.indicator_code = o.indicator_code
                                             AND c.period = o.period
                   LEFT JOIN observation shown ON shown.id = c.observation_id
                   WHERE o.batch_id = ? AND (NOT o.restated OR coalesce(o.note, '') <> coalesce(shown.note, ''))""",
                [batch_id]).fetchall()}
            locked = sorted(periods & _locked_periods(con))
            if locked:
                raise PeriodLocked(f"{'、'.join(locked)} 在本批次上传后已锁定（已报送上级），通过会改动已报送的数据，"
                                   "没有通过。请退回本批次；确需更正的，由管理员上传更正并填写原因。")
            con.execute("UPDATE batch SET review = 'approved', reviewed_by = ?, reviewed_at = now() WHERE id = ?",
                        [by.name, batch_id])
            _refresh_current(con, batch_id)
            figures = con.execute("SELECT count(*) FROM current_figure WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
            self._audit(con, by, "approve", f"批次{batch_id} {file_name}", {"review": "pending"},
                        {"review": "approved", "figures": figures})
            return {"batch_id": batch_id, "file_name": file_name, "user_name": uploader, "figures": figures}

    @writes
    def reject_batch(self, batch_id: int, reason: str, *, by: Actor) -> dict:
        """A reviewer's refusal, with the reason the uploader sees: the figures never become current,
        and the uploader may send a corrected file. Audited."""
        require(by, "review")
        reason = typed_text(reason)
        if not reason:
            raise StoreError("退回须填写原因，告诉填报人哪里需要修改（例如“5月数值与统计局口径不符，请核对后重报”）。")
        with self.transaction() as con:
            file_name, uploader = _pending_batch(con, batch_id, "退回")
            con.execute("""UPDATE batch SET review = 'rejected', reviewed_by = ?, reviewed_at = now(), review_reason = ?
                           WHERE id = ?""", [by.name, reason, batch_id])
            self._audit(con, by, "reject", f"批次{batch_id} {file_name}", {"review": "pending"},
                        {"review": "rejected", "reason": reason})
            return {"batch_id": batch_id, "file_name": file_name, "user_name": uploader}

    # ---- reporting tasks (填报任务), contacts and reminders (催报) -------------------------

    def tasks(self) -> pd.DataFrame:
        """Each task: indicator_code, entity, department, due_day, editors (a tuple), set_by, set_at;
        in catalogue order."""
        with self.connect() as con:
            return _tasks(con)

    @writes
    def set_task(self, code: str, entity: str, *, department: str, editors, due_day: int, by: Actor) -> None:
        """Who reports one indicator for one entity and by which day of the following month; audited.
        Editors must be enabled accounts that may upload."""
        require(by, "tasks")
        department = typed_text(department)
        problem = task_problem(code, department, due_day)
        if problem:
            raise StoreError(problem)
        editors = tuple(sorted({e.strip() for e in editors if e.strip()}))
        with self.transaction() as con:
            entity_id = _entity_id(con, entity)
            if entity_id is None:
                raise StoreError(f"没有主体“{entity}”。请先在“主体管理”中新建，或用已有的主体名称。")
            uploaders = {name for name, role, disabled in con.execute(
                "SELECT name, role, disabled FROM app_user").fetchall()
                if not disabled and Actor(name, role).can("upload")}
            refused = [e for e in editors if e not in uploaders]
            if refused:
                raise StoreError(f"账户 {'、'.join(refused)} 不存在、已停用或没有填报权限，不能指定为填报人。"
                                 "请先在“账户”中创建填报（统计员）账户。")
            before = _task_row(con, code, entity_id)
            _put_task(con, code, entity_id, department, due_day, editors, by.name)
            self._audit(con, by, "task", f"{code} {entity}", before,
                        {"department": department, "due_day": due_day, "editors": list(editors)})

    def contacts(self) -> pd.DataFrame:
        """Where reminders reach each account: user_name, email, mobile."""
        with self.connect() as con:
            return con.execute("SELECT user_name, email, mobile FROM user_contact ORDER BY user_name").df()

    @writes
    def set_contact(self, name: str, *, email: str = "", mobile: str = "", by: Actor) -> None:
        require(by, "accounts")
        email, mobile = email.strip(), mobile.strip()
        problem = contact_problem(email, mobile)
        if problem:
            raise StoreError(problem)
        with self.transaction() as con:
            if not con.execute("SELECT 1 FROM app_user WHERE name = ?", [name]).fetchall():
                raise StoreError(f"没有账户“{name}”。用 `python -m metrics users list` 查看全部账户。")
            before = con.execute("SELECT email, mobile FROM user_contact WHERE user_name = ?", [name]).fetchall()
            con.execute("DELETE FROM user_contact WHERE user_name = ?", [name])
            con.execute("INSERT INTO user_contact VALUES (?, ?, ?)", [name, email, mobile])
            self._audit(con, by, "contact", name, {"email": before[0][0], "mobile": before[0][1]} if before else None,
                        {"email": email, "mobile": mobile})

    def channels(self) -> list[dict]:
        """The reminder channels in use: id, kind, settings (a dict), created_by, created_at."""
        with self.connect() as con:
            rows = con.execute("""SELECT id, kind, settings, created_by, created_at FROM reminder_channel
                                  WHERE removed_at IS NULL ORDER BY id""").fetchall()
        return [{"id": i, "kind": kind, "settings": json.loads(settings), "created_by": who, "created_at": at}
                for i, kind, settings, who, at in rows]

    @writes
    def add_channel(self, kind: str, settings: dict, *, by: Actor) -> int:
        """A 企业微信 or 钉钉 robot's webhook, or an SMTP server; returns its number. Audited without its password."""
        require(by, "reminders")
        problem = channel_problem(kind, settings)
        if problem:
            raise StoreError(problem)
        with self.transaction() as con:
            channel_id = con.execute("SELECT nextval('channel_id_seq')").fetchall()[0][0]
            con.execute("INSERT INTO reminder_channel VALUES (?, ?, ?, ?, now(), NULL)",
                        [channel_id, kind, json.dumps(settings, ensure_ascii=False), by.name])
            self._audit(con, by, "channel_add", f"渠道{channel_id} {kind}", None, shown_settings(settings))
            return channel_id

    @writes
    def remove_channel(self, channel_id: int, *, by: Actor) -> None:
        require(by, "reminders")
        with self.transaction() as con:
            rows = con.execute("SELECT kind, settings FROM reminder_channel WHERE id = ? AND removed_at IS NULL",
                               [channel_id]).fetchall()
            if not rows:
                raise StoreError(f"没有编号为 {channel_id} 的催报渠道。用 `python -m metrics channels list` 查看。")
            con.execute("UPDATE reminder_channel SET removed_at = now() WHERE id = ?", [channel_id])
            self._audit(con, by, "channel_remove", f"渠道{channel_id} {rows[0][0]}",
                        shown_settings(json.loads(rows[0][1])), None)

    @writes
    def record_reminder(self, *, period: str, channel_id: int, channel_kind: str, recipient: str, message: str,
                        attempts: int, ok: bool, error: str, by: Actor) -> None:
        """One message sent (or failed after every attempt), kept with its result, and audited."""
        require(by, "reminders")
        with self.transaction() as con:
            con.execute("INSERT INTO reminder VALUES (nextval('reminder_id_seq'), now(), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [period, channel_id, channel_kind, recipient, message, attempts, ok, error, by.name])
            self._audit(con, by, "remind", f"{period} 渠道{channel_id} {recipient}", None,
                        {"ok": ok, "attempts": attempts, "error": error})

    def reminders(self, period: str | None = None) -> pd.DataFrame:
        """The messages sent, latest first: id, sent_at, period, channel_id, channel_kind, recipient,
        message, attempts, ok, error, sent_by."""
        where = Where().equals("period", period)
        with self.connect() as con:
            return con.execute(f"SELECT * FROM reminder {where} ORDER BY id DESC", where.params).df()

    def _diff(self, con, rows: pd.DataFrame) -> pd.DataFrame:
        """Incoming figures beside the current ones: `old_value`, `old_months`, `old_note` (its 备注,
        "" for none), and `change`."""
        with self.backend.frame(con, "incoming_rows", rows):
            return con.execute(_DIFF).df()

    def _locked_diff(self, con, rows: pd.DataFrame) -> tuple[pd.DataFrame, int | None]:
        """`_diff` for a writer that overlaps others: the incoming keys' current figures are locked
        first, so that none changes until this commit and the comparison read after the lock is the
        one written over; with how many were locked (None: the engine's writers take turns)."""
        with self.backend.frame(con, "incoming_rows", rows):
            def lock() -> int | None:  # in one order for every writer, so that two never wait on each other
                return self.backend.lock(con, "SELECT c.entity_id" + _CURRENT_OF_INCOMING
                                         + " ORDER BY c.entity_id, c.indicator_code, c.period")
            # A lock that waited for another writer skips the row that writer deleted: the figure it
            # put in its place is a new row, which the lock's statement did not see. So lock again
            # until every current figure of these keys is held.
            locked = lock()
            while locked is not None and \
                    locked != con.execute("SELECT count(*)" + _CURRENT_OF_INCOMING).fetchall()[0][0]:
                locked = lock()
            return con.execute(_DIFF).df(), locked

    def _audit(self, con, actor: Actor, action: str, subject: str, before, after, *,
               changes_data: bool = True) -> None:
        """Append one event as the next link of the chain; the log is never updated or deleted.

        The writer's turn is taken here if it was not at the transaction's start: from here to the
        commit no other writer appends, so the head read here is still the head when this event is
        committed. The data version is bumped with it when the event `changes_data`. Nothing a transaction that may overlap others
        writes after this should lock a row, or a writer waiting for the turn may hold it.
        """
        self.backend.take_turn(con)
        head = con.execute("SELECT seq, hash FROM audit_head").fetchall()
        seq, prev_hash = (head[0][0] + 1, head[0][1]) if head else (1, GENESIS_HASH)
        occurred_at = dt.datetime.now()
        before_text, after_text = _json_text(before), _json_text(after)
        digest = event_hash(prev_hash, seq, occurred_at, actor.name, action, subject, before_text, after_text,
                             actor.origin)
        con.execute(
            """INSERT INTO audit_event (id, occurred_at, user_name, action, subject, before, after, origin, seq,
                                        prev_hash, hash)
               VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [occurred_at, actor.name, action, subject, before_text, after_text, actor.origin, seq, prev_hash, digest])
        con.execute("DELETE FROM audit_head")
        con.execute("INSERT INTO audit_head VALUES (?, ?)", [seq, digest])
        if changes_data:
            con.execute("UPDATE data_version SET version = version + 1")

def _json_text(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _audit_chain_problems(con) -> list[str]:
    """The first place where the audit log's chain breaks: an event missing, altered or added by hand."""
    events = con.execute(
        """SELECT seq, id, occurred_at, user_name, action, subject, before, after, origin, prev_hash, hash
           FROM audit_event ORDER BY seq NULLS FIRST, id""").fetchall()
    head = con.execute("SELECT seq, hash FROM audit_head").fetchall()
    restore = "请查明原因，必要时用 `python -m metrics restore 备份目录` 从备份恢复。"
    expected_seq, prev_hash = 1, GENESIS_HASH
    for seq, event_id, occurred_at, user, action, subject, before, after, origin, stored_prev, stored in events:
        described = f"编号 {event_id}，{occurred_at:%Y-%m-%d %H:%M} {user} {action}"
        if seq is None:
            return [f"操作日志中有一条事件（{described}）不在校验链上，可能是绕过系统直接写入的。{restore}"]
        if seq != expected_seq:
            return [f"操作日志缺少第 {expected_seq}–{seq - 1} 条事件（在 {described} 之前），可能被删除。{restore}"]
        if stored_prev != prev_hash or stored != event_hash(prev_hash, seq, occurred_at, user, action, subject,
                                                             before, after, origin or ""):
            return [f"操作日志第 {seq} 条事件（{described}）与其校验值不符，内容可能被改动。{restore}"]
        expected_seq, prev_hash = seq + 1, stored
    last_seq = expected_seq - 1
    if not head:
        return [] if last_seq == 0 else [f"操作日志的校验链缺少末尾记录（共 {last_seq} 条事件）。{restore}"]
    head_seq, head_hash = head[0]
    if head_seq > last_seq:
        return [f"操作日志末尾缺少第 {last_seq + 1}–{head_seq} 条事件，可能被删除。{restore}"]
    if head_seq != last_seq or head_hash != prev_hash:
        return [f"操作日志的末尾与其校验记录不符（第 {head_seq} 条），可能被改动。{restore}"]
    return []


def _review_required(con) -> bool:
    rows = con.execute("SELECT value FROM app_setting WHERE name = 'review'").fetchall()
    return bool(rows) and rows[0][0] == "on"


def _pending_batch(con, batch_id: int, doing: str) -> tuple[str, str]:
    """(file name, uploader) of a batch waiting for review; StoreError saying why another cannot be reviewed."""
    rows = con.execute("SELECT file_name, user_name, undone_at, review, reviewed_by FROM batch WHERE id = ?",
                       [batch_id]).fetchall()
    if not rows:
        raise StoreError(f"没有编号为 {batch_id} 的上传批次。请在“数据审核”页面或上传历史中查看批次编号。")
    file_name, uploader, undone_at, review, reviewed_by = rows[0]
    if undone_at is not None:
        raise StoreError(f"批次 {batch_id}（{file_name}）已由上传人撤销，不能再{doing}。")
    if review != "pending":
        done = {"approved": "通过", "rejected": "退回"}[review]
        who = f"已由{reviewed_by}{done}" if reviewed_by else "上传时无需审核，已直接生效"
        raise StoreError(f"批次 {batch_id}（{file_name}）{who}，不在待审核之列，不能再{doing}。")
    return file_name, uploader


# The report's rows with the edits laid over them (an edit's NULL keeps what the report gives); a
# measure without a lead unit, leader or deadline of its own has its problem's.
_LEDGER_PROBLEMS = """
    SELECT p.id, p.position, p.section, p.title, coalesce(e.status, p.status) AS status,
           coalesce(e.lead_unit, p.lead_unit) AS lead_unit, coalesce(e.leader, '') AS leader,
           coalesce(e.deadline, p.deadline) AS deadline
    FROM problem p LEFT JOIN ledger_edit e ON e.problem_id = p.id AND e.measure_no = 0
    ORDER BY p.position"""
_LEDGER_MEASURES = """
    SELECT m.problem_id, m.position, m.position + 1 AS measure_no, m.ordinal, m.text,
           coalesce(e.status, m.status) AS status,
           coalesce(nullif(e.lead_unit, ''), pe.lead_unit, p.lead_unit) AS lead_unit,
           coalesce(nullif(e.leader, ''), pe.leader, '') AS leader,
           coalesce(nullif(e.deadline, ''), pe.deadline, p.deadline) AS deadline,
           (SELECT count(*) FROM measure_evidence v
            WHERE v.problem_id = m.problem_id AND v.measure_no = m.position + 1) AS evidence
    FROM measure m JOIN problem p ON p.id = m.problem_id
    LEFT JOIN ledger_edit e ON e.problem_id = m.problem_id AND e.measure_no = m.position + 1
    LEFT JOIN ledger_edit pe ON pe.problem_id = m.problem_id AND pe.measure_no = 0
    ORDER BY p.position, m.position"""


def _ledger_rows(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(problems, measures) as `Store.ledger` gives them."""
    problems = con.execute(_LEDGER_PROBLEMS).df()
    measures = con.execute(_LEDGER_MEASURES).df()
    measures["evidence"] = measures["evidence"].astype("int64")
    measured_by: dict[str, list[str]] = {}
    for problem_id, code in con.execute(
            "SELECT problem_id, indicator_code FROM indicator_problem ORDER BY indicator_code").fetchall():
        measured_by.setdefault(problem_id, []).append(code)
    problems["indicators"] = [measured_by.get(pid, []) for pid in problems["id"].tolist()]
    moves: dict[tuple[str, int], list[str]] = {}
    for problem_id, measure_no, code in con.execute(
            """SELECT m.problem_id, m.measure_no, m.indicator_code FROM measure_indicator m
               JOIN indicator i ON i.code = m.indicator_code ORDER BY i.position""").fetchall():
        moves.setdefault((problem_id, measure_no), []).append(code)
    measures["indicators"] = [moves.get(key, []) for key in zip(measures["problem_id"], measures["measure_no"])]
    return problems, measures


def _ledger_item(problems: pd.DataFrame, measures: pd.DataFrame, problem_id: str, measure_no: int) -> dict:
    """One problem (measure_no 0) or measure as the ledger shows it, or a refusal naming what exists."""
    if problem_id not in set(problems["id"]):
        raise StoreError(f"整改台账中没有问题“{problem_id}”，编号应为 {problems['id'].iloc[0]}–{problems['id'].iloc[-1]}。"
                         "用 `python -m metrics ledger` 查看全部问题。")
    if measure_no == 0:
        return problems[problems["id"] == problem_id].iloc[0].to_dict()
    own = measures[measures["problem_id"] == problem_id]
    hit = own[own["measure_no"] == measure_no]
    if hit.empty:
        raise StoreError(f"问题 {problem_id} 只有 {len(own)} 项整改措施，没有第 {measure_no} 项。")
    return hit.iloc[0].to_dict()


def _check_ledger_editor(con, actor: Actor | None, item: dict, name: str, sets_lead_unit: bool) -> None:
    """Refuse who is neither an administrator nor of the item's lead unit (metrics.ledger)."""
    member_of = ledger_rules.departments(actor.name, _tasks(con)) if actor is not None else set()
    problem = ledger_rules.edit_problem(actor, name, item["lead_unit"], member_of, sets_lead_unit)
    if problem:
        raise PermissionDenied(problem)


def _tasks(con) -> pd.DataFrame:
    tasks = con.execute(
        """SELECT t.indicator_code, e.name AS entity, t.entity_id, t.department, t.due_day, t.set_by, t.set_at
           FROM task t JOIN entity e ON e.id = t.entity_id JOIN indicator i ON i.code = t.indicator_code
           WHERE e.removed_at IS NULL ORDER BY i.position, e.name""").df()
    editors: dict[tuple, list[str]] = {}
    for code, entity_id, user in con.execute(
            "SELECT indicator_code, entity_id, user_name FROM task_editor ORDER BY user_name").fetchall():
        editors.setdefault((code, entity_id), []).append(user)
    tasks["editors"] = [tuple(editors.get(key, ())) for key in zip(tasks["indicator_code"], tasks["entity_id"])]
    return tasks.drop(columns=["entity_id"])


def _task_row(con, code: str, entity_id: int) -> dict | None:
    rows = con.execute("SELECT department, due_day FROM task WHERE indicator_code = ? AND entity_id = ?",
                       [code, entity_id]).fetchall()
    if not rows:
        return None
    editors = [r[0] for r in con.execute("""SELECT user_name FROM task_editor WHERE indicator_code = ? AND entity_id = ?
                                              ORDER BY user_name""", [code, entity_id]).fetchall()]
    return {"department": rows[0][0], "due_day": rows[0][1], "editors": editors}


def _put_task(con, code: str, entity_id: int, department: str, due_day: int, editors, user: str) -> None:
    con.execute("DELETE FROM task WHERE indicator_code = ? AND entity_id = ?", [code, entity_id])
    con.execute("DELETE FROM task_editor WHERE indicator_code = ? AND entity_id = ?", [code, entity_id])
    con.execute("INSERT INTO task VALUES (?, ?, ?, ?, ?, now())", [code, entity_id, department, due_day, user])
    if editors:
        con.executemany("INSERT INTO task_editor VALUES (?, ?, ?)", [[code, entity_id, e] for e in editors])


def _check_owner(con, actor: Actor | None, keys, doing: str) -> None:
    """Refuse an editor figures for indicators and entities whose tasks name other editors (metrics.tasks)."""
    if actor is None or actor.can("report_for_others"):
        return
    problem = ownership_problem(actor.name, keys, _tasks(con), doing)
    if problem:
        raise PermissionDenied(problem)


def _locked_month_note(con, diff: pd.DataFrame, actor: Actor, reason: str) -> str:
    """Refuse writes to locked months unless an administrator gives a reason; the note records it.
    A figure restated unchanged with another 备注 is a write too: its 备注 is the month's 情况说明
    until one is written, so it would change (or, left blank, delete) what was reported upward."""
    locked = sorted(_written_periods(diff) & _locked_periods(con))
    if not locked:
        return ""
    months = "、".join(locked)
    if not actor.can("override_lock"):
        raise PeriodLocked(f"{months} 已锁定（已报送上级），不能再上传该月数据或修改其备注（情况说明），本次没有写入任何数据。"
                           "如需更正，请联系管理员。")
    reason = typed_text(reason)
    if not reason:
        raise PeriodLocked(f"{months} 已锁定（已报送上级）。管理员更正已锁定的月份须填写更正原因"
                           "（命令行用 --reason，上传页面在确认前填写），本次没有写入任何数据。")
    return f"更正已锁定月份（{months}）：{reason}"


def _batch_writes(diff: pd.DataFrame, figures_changed: int) -> pd.DataFrame:
    """The rows of a batch's diff it writes. A batch that brings a new or changed figure writes every
    figure, those it repeats unchanged as restating revisions with their 备注. One that changes no
    figure writes only the figures it gives a new or changed 备注: staff send a month's file again
    with 备注 added, and a 备注 is the month's 原因分析. There a blank 备注 changes nothing, so
    sending a file again without the column never erases what the month's 情况说明 says."""
    return diff if figures_changed else diff[diff["new_note"].astype(bool)]


def _written_periods(diff: pd.DataFrame) -> set[str]:
    """The months a batch's diff would write: a new or changed figure, or one restated with another 备注."""
    written = diff[(diff["change"] != "unchanged") | (diff["note"] != diff["old_note"])]
    return set(written["period"].unique())  # not value by value through Arrow


def _locked_periods(con) -> set[str]:
    rows = con.execute(
        """SELECT period FROM (
               SELECT period, locked, row_number() OVER (PARTITION BY period ORDER BY changed_at DESC) AS rn
               FROM period_lock) latest
           WHERE rn = 1 AND locked""").fetchall()
    return {r[0] for r in rows}


def _remove_unused_entities(con, batch_id: int) -> list[str]:
    """Entities a batch created that no current figure, target or alias uses any more: marked removed."""
    unused = con.execute(
        """SELECT e.id, e.name FROM entity e
           WHERE e.created_by_batch = ? AND e.removed_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM current_figure c WHERE c.entity_id = e.id)
             AND NOT EXISTS (SELECT 1 FROM target t WHERE t.entity_id = e.id)
             AND NOT EXISTS (SELECT 1 FROM entity_alias a WHERE a.entity_id = e.id)""", [batch_id]).fetchall()
    for entity_id, _ in unused:
        con.execute("UPDATE entity SET removed_at = now() WHERE id = ?", [entity_id])
    return [name for _, name in unused]


def _move_revisions(con, table: str, source_id: int, target_id: int, only: str = "TRUE") -> int:
    """Move one entity's revisions in `table` (observation or explanation; those `only` admits) to
    another, numbered after the revisions the other already holds of each key, so that each key's
    revisions stay unique and the moved ones are the latest. Returns how many moved."""
    moved = con.execute(f"SELECT count(*) FROM {table} WHERE entity_id = ? AND {only}", [source_id]).fetchall()[0][0]
    con.execute(
        f"""UPDATE {table} SET entity_id = ?, revision = revision + coalesce(
                (SELECT max(k.revision) FROM {table} k WHERE k.entity_id = ?
                 AND k.indicator_code = {table}.indicator_code AND k.period = {table}.period), 0)
            WHERE entity_id = ? AND {only}""", [target_id, target_id, source_id])
    return int(moved)


def _refresh_current(con, batch_id: int) -> int:
    """Recompute the current figure for every key the batch touched (after a write or an undo);
    how many current figures it replaced."""
    replaced = len(con.execute(
        """DELETE FROM current_figure c USING (""" + _BATCH_KEYS + """) k
           WHERE c.entity_id = k.entity_id AND c.indicator_code = k.indicator_code AND c.period = k.period
           RETURNING c.entity_id""",
        [batch_id]).fetchall())
    con.execute("INSERT INTO current_figure " + _LATEST_REVISIONS.format(keys_sql=_BATCH_KEYS,
                                                                          columns=CURRENT_FIGURE_COLUMNS), [batch_id])
    return replaced


def _schema_version(con) -> int:
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)")
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def _rollback_quietly(con) -> None:
    try:
        con.execute("ROLLBACK")
    except Exception:  # a failed COMMIT has already ended the transaction; the first error is the one to tell
        pass


def _entity_id(con, name: str) -> int | None:
    rows = con.execute("SELECT id FROM entity WHERE name = ? AND removed_at IS NULL", [name]).fetchall()
    return rows[0][0] if rows else None


def _reference_entity(con, name: str) -> int:
    """A zone the reference data (targets.toml) names: created with it, as data, not by an upload."""
    existing = _entity_id(con, name)
    if existing is not None:
        return existing
    return _insert_entity(con, name, catalog.EntityKind.ZONE, illustrative=False, batch_id=None)


def _insert_entity(con, name: str, kind: str, *, illustrative: bool, batch_id: int | None) -> int:
    """A new entity, or a removed one of the same canonical form brought back (its history is its own)."""
    removed = con.execute("SELECT id FROM entity WHERE canonical = ? AND removed_at IS NOT NULL",
                          [canonical(name)]).fetchall()
    if removed:
        con.execute("UPDATE entity SET name = ?, kind = ?, removed_at = NULL, created_by_batch = ? WHERE id = ?",
                    [name, kind, batch_id, removed[0][0]])
        return removed[0][0]
    return con.execute(
        """INSERT INTO entity (id, name, kind, illustrative, created_at, canonical, created_by_batch)
           VALUES (nextval('entity_id_seq'), ?, ?, ?, now(), ?, ?) RETURNING id""",
        [name, kind, illustrative, canonical(name), batch_id]).fetchall()[0][0]


def _existing_entity(con, name: str) -> int:
    entity_id = _entity_id(con, name)
    if entity_id is None:
        raise StoreError(f"没有主体“{name}”。用 `python -m metrics entities list` 查看全部主体。")
    return entity_id


def _check_entity_name(name: str) -> None:
    if not name or not name.strip() or len(name.strip()) > 60 or any(c in name for c in "\n\r\t") \
            or writable(name) != name:
        raise StoreError("主体名称需为 1–60 个字符，且不能包含换行、制表符或其他控制字符。")


def _put_alias(con, alias: str, entity_id: int, by: Actor) -> None:
    con.execute("DELETE FROM entity_alias WHERE canonical = ?", [canonical(alias)])
    con.execute("INSERT INTO entity_alias VALUES (?, ?, ?, ?, now())", [canonical(alias), alias.strip(), entity_id,
                                                                        by.name])


def _entities_in(con, names: list[str], backend: Backend) -> dict[str, int]:
    """The live entities of these names, by name; locked (shared) until the transaction ends, so
    that no rename, merge or removal moves them from under a writer that overlaps others."""
    where = Where("removed_at IS NULL").among("name", names)
    backend.lock(con, f"SELECT id FROM entity {where} ORDER BY id", where.params, shared=True)
    return {name: entity_id for entity_id, name in con.execute(f"SELECT id, name FROM entity {where}",
                                                                where.params).fetchall()}


def _name_taken(con, name: str, except_id: int | None = None) -> str | None:
    """The live entity or alias already written `name` in canonical form, if any."""
    key = canonical(name)
    rows = con.execute("SELECT name FROM entity WHERE canonical = ? AND removed_at IS NULL AND id <> ?",
                       [key, -1 if except_id is None else except_id]).fetchall()
    if rows:
        return rows[0][0]
    rows = con.execute("SELECT a.alias, e.name FROM entity_alias a JOIN entity e ON e.id = a.entity_id "
                       "WHERE a.canonical = ? AND a.entity_id <> ?", [key, -1 if except_id is None else except_id]).fetchall()
    return f"{rows[0][1]}的别名“{rows[0][0]}”" if rows else None


def _put_target(con, code, entity_id, year, kind, value, value_max, phasing, illustrative, source,
                user, only_if_absent: bool) -> None:
    current = con.execute(
        "SELECT max(revision) FROM target WHERE indicator_code = ? AND entity_id = ? AND year = ?",
        [code, entity_id, year]).fetchall()[0][0]
    if current is not None and only_if_absent:
        return
    con.execute(
        "INSERT INTO target VALUES (?,?,?,?,?,?,?,?,?,?,?,now())",
        [code, entity_id, year, kind, value, value_max,
         json.dumps(list(phasing)) if phasing else None, illustrative, source,
         (current or 0) + 1, user])


def _normalise_rows(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    if "months" not in out:
        out["months"] = 1
    if "note" not in out:
        out["note"] = ""
    out["note"] = out["note"].fillna("").astype(str)
    if "published_yoy" not in out:
        out["published_yoy"] = float("nan")
    out["months"] = out["months"].astype("int64")
    out["value"] = out["value"].astype("float64")
    out["published_yoy"] = out["published_yoy"].astype("float64")
    return out[["indicator_code", "entity", "period", "months", "value", "note", "published_yoy"]].reset_index(drop=True)


