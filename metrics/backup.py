"""Backups: a consistent copy of the database plus the upload archive, and the way back."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from .store import DiskFull, Store, StoreError
from .store.copying import export_store, replace_store

MANIFEST = "manifest.json"
DB_NAME = "metrics.duckdb"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(store: Store, destination: Path) -> dict:
    """Write DIR/metrics.duckdb, DIR/uploads/ and a manifest of hashes; DIR must be new or empty.

    Written into a hidden folder beside DIR and renamed into place when whole, so a backup that
    fails (a full disk) leaves nothing that looks like a backup.
    """
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise StoreError(f"备份目录 {destination} 不是空目录。请指定一个新的目录，以免覆盖已有备份。")
    staging = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    try:
        staging.mkdir(parents=True)
        manifest = _write_backup(store, staging)
        if destination.exists():
            destination.rmdir()
        os.replace(staging, destination)
    except (OSError, DiskFull) as exc:  # the copy's own database filling the disk, too
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(_write_failure(destination, exc, "备份") + "数据库本身不受影响。") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _write_backup(store: Store, folder: Path) -> dict:
    """The database as a DuckDB file, with every uploaded file in uploads/ beside it, whatever the engine."""
    exported = export_store(store, folder / DB_NAME)
    files = {DB_NAME: _sha256(folder / DB_NAME)}
    for name in exported.archive_names():
        files[f"uploads/{name}"] = _sha256(folder / "uploads" / name)
    manifest = {"created_at": datetime.now().isoformat(timespec="seconds"), "engine": store.backend.dialect,
                "schema_version": exported.schema_version(), "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _write_failure(folder: Path, exc: OSError | DiskFull, what: str) -> str:
    """A failed backup or restore in words an administrator can act on; nothing was left half-written."""
    if isinstance(exc, DiskFull) or exc.errno == errno.ENOSPC:
        return (f"{folder} 所在的磁盘空间不足，{what}没有完成，也没有留下不完整的文件。"
                "请清理该磁盘或换一个空间足够的位置后重试。")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"没有权限写入 {folder}（{exc.strerror}），{what}没有完成。请换一个有写权限的位置，或联系服务器管理员。"
    return f"{what}没有完成：写入 {folder} 出错（{exc.strerror or exc}），没有留下不完整的文件。请检查该目录后重试。"


def restore(store: Store, source: Path) -> dict:
    """Check the backup whole, then swap it in; the replaced database is kept beside it, never deleted."""
    source = Path(source)
    if not source.is_dir():
        raise StoreError(f"备份目录 {source} 不存在。请指定 `python -m metrics backup` 生成的目录（例如 data/backups/2023-05-10）。")
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise StoreError(f"{source} 不是本工具生成的备份目录（缺少 {MANIFEST}）。请指定 `python -m metrics backup` 生成的目录。")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = manifest["files"].items()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"备份清单 {manifest_path} 已损坏，无法核对备份，未做任何恢复。请换一份备份。") from exc
    for name, digest in listed:
        path = source / name
        if not path.exists() or _sha256(path) != digest:
            raise StoreError(f"备份文件 {path} 缺失或已损坏（校验值不符），未做任何恢复。请换一份备份。")
    kept = _restore_database(store, source)
    restored_uploads = 0
    held = set(store.archive_names())
    uploads = source / "uploads"
    for f in sorted(uploads.iterdir()) if uploads.exists() else []:
        if f.name not in held:
            store.backend.archive_put(f.name, f.read_bytes())
            restored_uploads += 1
    return {"kept": kept, "uploads": restored_uploads, "created_at": manifest["created_at"]}


def _restore_database(store: Store, source: Path) -> str | None:
    """Put the backup's database in place of the live one; returns where the replaced one was kept."""
    # Staged on the store's own disk, so that a database file is then renamed into place.
    store.backend.work_folder.mkdir(parents=True, exist_ok=True)  # a new server's first restore
    staging = Path(tempfile.mkdtemp(prefix=".metrics-restore-", dir=store.backend.work_folder))
    try:
        staged = staging / DB_NAME
        try:
            shutil.copy2(source / DB_NAME, staged)
            Store(staged).health()  # refuse a copy that will not open before touching the live database
        except (OSError, StoreError) as exc:
            problem = _write_failure(staging, exc, "恢复") if isinstance(exc, OSError) else str(exc)
            raise StoreError(f"{problem}现有数据库未被改动。") from exc
        kept = replace_store(store, staged, source, time.strftime("%Y%m%d-%H%M%S"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(kept) if kept else None


def rebuild_from_archive(store: Store, workdir: Path) -> tuple[Store, list[str]]:
    """Replay the uploads, undos, reviews and changes of entities into a new database in the order they
    happened, and compare its current figures with the live ones; returns the rebuilt store and
    the differences (none is good).

    Uploads are read again from the archive and the illustrative series is loaded again; a merge
    of two entities is merged again. Entities made before they were recorded as events (by older
    versions, whose uploads created them) are made first.
    """
    from . import auth, tracker

    rebuilt = Store(Path(workdir) / DB_NAME)
    tracker.init_database(rebuilt)
    events = store.replay_events()
    added = {e["subject"] for e in events if e["action"] == "entity_add"}
    former_name = {e["after"]["name"]: e["subject"] for e in events if e["action"] == "entity_rename"}
    system = auth.Actor("存档重建", "admin")
    for entity in store.entities(include_removed=True).itertuples():
        first_name = entity.name
        while first_name in former_name:
            first_name = former_name[first_name]
        if not entity.from_batch and first_name not in added | set(rebuilt.entities()["name"]):
            rebuilt.add_entity(first_name, entity.kind, by=system)
    replay = _Replay(store, rebuilt)
    for event in events:
        replay.apply(event)
    problems = replay.problems
    columns = ["indicator_code", "entity", "period", "months", "value"]
    # Compared by key and value, not by dtype: the live store may be on another engine.
    kinds = {"months": "int64", "value": "float64"}
    live = store.observations()[columns].astype(kinds)
    again = rebuilt.observations()[columns].astype(kinds)
    merged = live.merge(again, on=columns[:4], how="outer", suffixes=("_live", "_rebuilt"), indicator=True)
    differing = merged[(merged["_merge"] != "both") | (merged["value_live"] != merged["value_rebuilt"])]
    if len(differing):
        problems.append(f"由上传存档重建的数据库与现有数据库有 {len(differing)} 处不同。")
    return rebuilt, problems


class _Replay:
    """One event of the live store's log, done again on the rebuilt one."""

    def __init__(self, live: Store, rebuilt: Store):
        self.live, self.rebuilt = live, rebuilt
        self.batches = live.batches().set_index("id")
        self.replayed: dict[int, int | None] = {}  # live batch id → rebuilt batch id
        self.problems: list[str] = []

    def apply(self, event: dict) -> None:
        from . import auth

        action, subject, after = event["action"], event["subject"], event["after"] or {}
        # Replayed as an administrator: months locked since must not block the rebuild.
        by = auth.Actor("存档重建", "admin")
        if action in ("upload", "undo"):
            self._batch(action, int(re.match(r"批次(\d+)", subject).group(1)))
        elif action == "review_mode":
            self.rebuilt.set_review_required(after["on"], by=by)
        elif action in ("approve", "reject"):
            # An upload replayed while review was on waits again, and is approved or rejected again.
            replayed = self.replayed.get(int(re.match(r"批次(\d+)", subject).group(1)))
            if replayed is not None and action == "approve":
                self.rebuilt.approve_batch(replayed, by=by)
            elif replayed is not None:
                self.rebuilt.reject_batch(replayed, after["reason"], by=by)
        elif action == "entity_add":
            self.rebuilt.add_entity(subject, after["kind"], by=by)
        elif action == "entity_rename":
            self.rebuilt.rename_entity(subject, after["name"], by=by)
        elif action == "entity_alias":
            self.rebuilt.set_alias(after["alias"], subject, by=by)
        elif action == "entity_alias_remove":
            self.rebuilt.remove_alias(event["before"]["alias"], by=by)
        elif action == "entity_merge":
            merged = self.rebuilt.merge_entities(event["before"]["entity"], after["into"], by=by)
            if after.get("batch") is not None:
                self.replayed[after["batch"]] = merged.batch_id
        elif action == "entity_delete":
            self.rebuilt.delete_entity(subject, by=by)

    def _batch(self, action: str, batch_id: int) -> None:
        from . import auth, tracker
        from .ingest import import_file, undo_upload

        batch = self.batches.loc[batch_id]
        actor = auth.Actor(batch.user_name, "admin")
        if action == "undo":
            if self.replayed.get(batch_id) is not None:
                undo_upload(self.rebuilt, self.replayed[batch_id], actor)
        elif batch.source == "demo":
            self.replayed[batch_id] = tracker.load_demo(self.rebuilt)["batch_id"]
        elif batch.source == "upload":
            archived = self.live.archived(batch.sha256)
            if archived is None:
                self.problems.append(f"批次 {batch_id}（{batch.file_name}）的原始文件不在上传存档中。")
                return
            self.replayed[batch_id] = import_file(self.rebuilt, archived, batch.file_name, actor=actor).batch_id
        # A merge's batch is written by the merge itself, replayed with its entity_merge event.
