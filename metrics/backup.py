"""Backups: a consistent copy of the database plus the upload archive, and the way back."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from .store import Store, StoreError

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
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(_write_failure(destination, exc, "备份") + "数据库本身不受影响。") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _write_backup(store: Store, folder: Path) -> dict:
    store.copy_to(folder / DB_NAME)
    files = {DB_NAME: _sha256(folder / DB_NAME)}
    source_archive = store.archive_dir
    if source_archive.exists():
        (folder / "uploads").mkdir()
        for f in sorted(source_archive.iterdir()):
            if f.is_file():
                shutil.copy2(f, folder / "uploads" / f.name)
                files[f"uploads/{f.name}"] = _sha256(folder / "uploads" / f.name)
    manifest = {"created_at": datetime.now().isoformat(timespec="seconds"),
                "schema_version": Store(folder / DB_NAME).schema_version(), "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _write_failure(folder: Path, exc: OSError, what: str) -> str:
    """A failed backup or restore in words an administrator can act on; nothing was left half-written."""
    if exc.errno == errno.ENOSPC:
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
    staged = store.path.with_name(store.path.name + ".restoring")
    try:
        shutil.copy2(source / DB_NAME, staged)
        Store(staged).health()  # refuse a copy that will not open before touching the live file
    except (OSError, StoreError) as exc:
        staged.unlink(missing_ok=True)
        problem = _write_failure(store.path.parent, exc, "恢复") if isinstance(exc, OSError) else str(exc)
        raise StoreError(f"{problem}现有数据库未被改动。") from exc
    kept = None
    with store.connect():
        pass  # wait until no other process holds the live file
    if store.path.exists():
        kept = store.path.with_name(f"{store.path.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(store.path, kept)
    wal = store.path.with_name(store.path.name + ".wal")
    if wal.exists():
        os.replace(wal, Path(str(kept) + ".wal") if kept else wal.with_suffix(".wal.old"))
    os.replace(staged, store.path)
    restored_uploads = 0
    if (source / "uploads").exists():
        target = store.archive_dir
        target.mkdir(parents=True, exist_ok=True)
        for f in (source / "uploads").iterdir():
            if not (target / f.name).exists():
                shutil.copy2(f, target / f.name)
                restored_uploads += 1
    return {"kept": str(kept) if kept else None, "uploads": restored_uploads,
            "created_at": manifest["created_at"]}


def rebuild_from_archive(store: Store, workdir: Path) -> tuple[Store, list[str]]:
    """Replay every batch from the upload archive into a new database and compare its current
    figures with the live ones; returns the rebuilt store and the differences (none is good)."""
    from . import auth, tracker
    from .ingest import import_file, undo_upload

    rebuilt = Store(Path(workdir) / DB_NAME)
    tracker.init_database(rebuilt)
    problems = []
    for batch in store.batches().sort_values("id").itertuples():
        if batch.source == "demo":
            result = tracker.load_demo(rebuilt)
            new_id = result["batch_id"]
        else:
            archived = next(store.archive_dir.glob(f"{batch.sha256}.*"), None)
            if archived is None:
                problems.append(f"批次 {batch.id}（{batch.file_name}）的原始文件不在上传存档中。")
                continue
            # Replayed as an administrator: months locked since must not block the rebuild.
            result = import_file(rebuilt, archived, batch.file_name, actor=auth.Actor(batch.user_name, "admin"))
            new_id = result.batch_id
        if not pd.isna(batch.undone_at) and new_id is not None:
            undo_upload(rebuilt, new_id, auth.Actor(batch.undone_by or batch.user_name, "admin"))
    columns = ["indicator_code", "entity", "period", "months", "value"]
    live = store.observations()[columns].reset_index(drop=True)
    again = rebuilt.observations()[columns].reset_index(drop=True)
    if not live.equals(again):
        merged = live.merge(again, on=columns[:4], how="outer", suffixes=("_live", "_rebuilt"), indicator=True)
        differing = merged[(merged["_merge"] != "both") | (merged["value_live"] != merged["value_rebuilt"])]
        problems.append(f"由上传存档重建的数据库与现有数据库有 {len(differing)} 处不同。")
    return rebuilt, problems
