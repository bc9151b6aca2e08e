"""Backups: a consistent copy of the database plus the upload archive, and the way back."""
from __future__ import annotations

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
    """Write DIR/metrics.duckdb, DIR/uploads/ and a manifest of hashes; DIR must be new or empty."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise StoreError(f"备份目录 {destination} 不是空目录。请指定一个新的目录，以免覆盖已有备份。")
    destination.mkdir(parents=True, exist_ok=True)
    store.copy_to(destination / DB_NAME)
    files = {DB_NAME: _sha256(destination / DB_NAME)}
    source_archive = store.archive_dir
    if source_archive.exists():
        (destination / "uploads").mkdir()
        for f in sorted(source_archive.iterdir()):
            if f.is_file():
                shutil.copy2(f, destination / "uploads" / f.name)
                files[f"uploads/{f.name}"] = _sha256(destination / "uploads" / f.name)
    manifest = {"created_at": datetime.now().isoformat(timespec="seconds"),
                "schema_version": Store(destination / DB_NAME).schema_version(), "files": files}
    (destination / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def restore(store: Store, source: Path) -> dict:
    """Check the backup whole, then swap it in; the replaced database is kept beside it, never deleted."""
    source = Path(source)
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise StoreError(f"{source} 不是本工具生成的备份目录（缺少 {MANIFEST}）。请指定 `python -m metrics backup` 生成的目录。")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.exists() or _sha256(path) != digest:
            raise StoreError(f"备份文件 {path} 缺失或已损坏（校验值不符），未做任何恢复。请换一份备份。")
    staged = store.path.with_name(store.path.name + ".restoring")
    shutil.copy2(source / DB_NAME, staged)
    Store(staged).health()  # refuse a copy that will not open before touching the live file
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
