"""Backups: a consistent copy of the database plus the upload archive, and the way back."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path

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
