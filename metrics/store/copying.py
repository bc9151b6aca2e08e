"""Moving a whole store to another engine or file (`python -m metrics copy-store`), and proving it
arrived: every table row for row, the uploaded files byte for byte, and the audit log's chain.

Rows keep their ids, their revision numbers and the audit log's hashes, so the copy is the same
store, not a replay of it; sequences then continue after the copied ids.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .store import Store

# Every table, with the columns that order its rows for comparison; parents before children.
TABLES = {
    "indicator": "code", "indicator_problem": "indicator_code, problem_id", "entity": "id",
    "entity_alias": "canonical", "batch": "id", "observation": "id", "current_figure": "observation_id",
    "target": "indicator_code, entity_id, year, revision", "report_figure": "position",
    "ledger_summary": "report_date", "problem": "id", "measure": "problem_id, position", "app_user": "name",
    "audit_event": "seq", "audit_head": "seq", "period_lock": "changed_at, period", "sign_in_throttle": "scope, key",
    "data_version": "version", "task": "indicator_code, entity_id", "task_editor": "indicator_code, entity_id, user_name",
    "user_contact": "user_name", "reminder_channel": "id", "reminder": "id", "app_setting": "name", "explanation": "id",
    "ledger_edit": "problem_id, measure_no", "measure_indicator": "problem_id, measure_no, indicator_code",
    "measure_evidence": "id",
}
SEQUENCES = {"entity_id_seq": ("entity", "id"), "batch_id_seq": ("batch", "id"),
             "observation_id_seq": ("observation", "id"), "audit_id_seq": ("audit_event", "id"),
             "channel_id_seq": ("reminder_channel", "id"), "reminder_id_seq": ("reminder", "id"),
             "explanation_id_seq": ("explanation", "id"), "evidence_id_seq": ("measure_evidence", "id")}


def copy_store(source: Store, destination: Store) -> dict[str, int]:
    """Copy every row and every archived file of `source` into `destination`, whose tables are
    emptied first; returns the rows copied per table. Both are migrated to their latest versions."""
    source.migrate()
    destination.migrate()
    counts = {}
    with source.snapshot() as read, destination.transaction() as write:
        for table in reversed(TABLES):
            write.execute(f"DELETE FROM {table}")
        for table, order in TABLES.items():
            rows = read.execute(f"SELECT * FROM {table} ORDER BY {order}").df()
            destination.backend.insert_frame(write, table, rows)
            counts[table] = len(rows)
        for sequence, (table, column) in SEQUENCES.items():
            highest = write.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchall()[0][0]
            destination.backend.restart_sequence(write, sequence, int(highest) + 1)
    for name in source.archive_names():
        destination.backend.archive_put(name, source.archive_read(name))
    counts["uploads"] = len(source.archive_names())
    return counts


def export_store(source: Store, destination: Path) -> Store:
    """The whole of `source`, as of one moment, as a new DuckDB file with its uploads in a folder
    beside it: the one form a backup takes whatever the engine, so a backup of either restores
    onto either. Row by row rather than a file copy, so a backup of a file is checked the same way."""
    exported = Store(destination)
    copy_store(source, exported)
    return exported


def replace_store(store: Store, replacement: Path, keep_beside: Path, stamp: str) -> Path | None:
    """Put the exported store `replacement` (a DuckDB file in the store's `work_folder`) in place of
    `store`'s data. The replaced data is kept, never deleted: a database file is renamed aside beside
    itself, whatever state it is in, so a damaged one can be restored over; a server's data is first
    exported into a folder beside `keep_beside`, then the replacement copied in, in one transaction.
    Returns where the replaced data was kept (None if there was none)."""
    if store.path is not None:
        kept = store.path.with_name(f"{store.path.name}.before-restore-{stamp}")
    else:
        kept = keep_beside.with_name(f"{keep_beside.name}.before-restore-{stamp}") / replacement.name
    if not store.backend.swap_file(replacement, kept):
        if store.is_initialised():
            export_store(store, kept)
        copy_store(Store(replacement), store)
    return kept if kept.exists() else None


def differences(source: Store, destination: Store) -> list[str]:
    """Where two stores differ, table by table and file by file, in Chinese; none means identical."""
    problems = []
    with source.connect() as left, destination.connect() as right:
        for table, order in TABLES.items():
            a = _comparable(left.execute(f"SELECT * FROM {table} ORDER BY {order}").df())
            b = _comparable(right.execute(f"SELECT * FROM {table} ORDER BY {order}").df())
            if a[0] != b[0]:
                problems.append(f"表 {table} 的列不同：{a[0]} 对 {b[0]}。")
            elif a != b:
                unequal = max(len(a), len(b)) if len(a) != len(b) else sum(x != y for x, y in zip(a, b))
                problems.append(f"表 {table} 有 {unequal} 行不同（源 {len(a) - 1} 行，目标 {len(b) - 1} 行）。")
    names = source.archive_names()
    if names != destination.archive_names():
        problems.append(f"上传存档的文件不同（源 {len(names)} 个，目标 {len(destination.archive_names())} 个）。")
    else:
        problems += [f"上传存档文件 {n} 内容不同。" for n in names if source.archive_read(n) != destination.archive_read(n)]
    problems += [f"目标库自检：{p}" for p in destination.verify()]
    return problems


def _comparable(frame: pd.DataFrame) -> list[tuple]:
    """The column names, then each row as Python values of one kind whatever engine read them:
    text, numbers as floats, times, and every kind of missing value as None."""
    def plain(value):
        if hasattr(value, "item"):
            value = value.item()
        if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return value
    return [tuple(frame.columns)] + [tuple(plain(v) for v in row) for row in frame.itertuples(index=False, name=None)]

