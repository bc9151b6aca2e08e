"""Backups are consistent copies that restore whole, and a bad backup changes nothing."""
import pandas as pd
import pytest

from conftest import fill, initialised_store, run_cli
from metrics import auth, backup, catalog
from metrics.store import Store, StoreError


def land_april(store):
    obs = store.observations(entity=catalog.ZONE, codes=["land_cleared"])
    return float(obs[obs.period == "2023-04"].value.iloc[0])


def correct_april(store, value):
    store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": catalog.ZONE,
                                      "period": "2023-04", "value": value}]),
                       actor=auth.Actor("u", "editor"), file_name="更正.xlsx", sha256="2" * 64)


def test_backup_then_restore_brings_back_the_figures_and_keeps_the_replaced_file(demo_store, tmp_path):
    archive = demo_store.backend.archive_dir
    archive.mkdir()
    (archive / ("a" * 64 + ".xlsx")).write_bytes(b"uploaded bytes")
    before = land_april(demo_store)
    backup.backup(demo_store, tmp_path / "bk")
    correct_april(demo_store, before + 1000)
    (archive / ("a" * 64 + ".xlsx")).unlink()
    result = backup.restore(demo_store, tmp_path / "bk")
    assert land_april(demo_store) == before
    assert (archive / ("a" * 64 + ".xlsx")).read_bytes() == b"uploaded bytes"
    kept = Store(result["kept"])
    assert land_april(kept) == before + 1000


def test_a_tampered_backup_is_refused_and_the_live_database_is_untouched(demo_store, tmp_path):
    backup.backup(demo_store, tmp_path / "bk")
    correct_april(demo_store, 4321)
    with open(tmp_path / "bk" / "metrics.duckdb", "r+b") as f:
        f.seek(5000)
        f.write(b"\x00garbage\x00")
    with pytest.raises(StoreError, match="损坏"):
        backup.restore(demo_store, tmp_path / "bk")
    assert land_april(demo_store) == 4321


def test_backup_refuses_a_directory_that_holds_files(demo_store, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "other.txt").write_text("x")
    with pytest.raises(StoreError, match="不是空目录"):
        backup.backup(demo_store, tmp_path / "bk")


def test_restore_from_a_folder_that_is_not_a_backup_says_so(demo_store, tmp_path):
    with pytest.raises(StoreError, match="不是本工具生成的备份"):
        backup.restore(demo_store, tmp_path)


def test_backup_restore_and_health_from_the_command_line(tmp_path):
    db = tmp_path / "m.duckdb"
    run_cli("init", db=db, check=True)
    assert "可读可写" in run_cli("health", db=db, check=True).stdout
    assert run_cli("backup", str(tmp_path / "bk"), db=db).returncode == 0
    run_cli("demo", db=db, check=True)
    assert run_cli("restore", str(tmp_path / "bk"), db=db).returncode == 0
    assert Store(db).latest_period() is None


def test_health_archive_rebuilds_from_the_uploads_and_finds_them_identical(tmp_path):
    from openpyxl import Workbook

    db = tmp_path / "m.duckdb"
    initialised_store(db)
    run_cli("demo", db=db, check=True)
    for i, value in enumerate((120, 135)):
        wb = Workbook()
        wb.active.append(["指标编码", "期间", "数值"])
        wb.active.append(["land_cleared", "2023-05", value])
        wb.save(tmp_path / f"u{i}.xlsx")
        run_cli("import", str(tmp_path / f"u{i}.xlsx"), db=db, check=True)
    run_cli("undo", "3", db=db, check=True)
    result = run_cli("health", "--archive", db=db)
    assert result.returncode == 0, result.stderr
    assert "完全一致" in result.stdout


def test_a_figure_changed_behind_the_archives_back_is_found(demo_store, tmp_path):
    correct_april(demo_store, 9999)  # written without an archived file
    _, differences = backup.rebuild_from_archive(demo_store, tmp_path / "rebuild")
    assert any("原始文件不在上传存档中" in d for d in differences)
    assert any("处不同" in d for d in differences)


def test_a_backup_onto_a_full_disk_says_so_in_chinese_and_leaves_no_partial_backup(demo_store, small_disk):
    fill(small_disk)
    with pytest.raises(StoreError, match="磁盘空间不足") as refused:
        backup.backup(demo_store, small_disk / "bk")
    assert "不完整" in str(refused.value)
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
    result = run_cli("backup", str(small_disk / "bk2"), db=demo_store.path)
    assert result.returncode == 1 and "磁盘空间不足" in result.stderr and "Traceback" not in result.stderr


def test_restoring_from_a_folder_that_does_not_exist_says_so_and_changes_nothing(demo_store, tmp_path):
    before = land_april(demo_store)
    result = run_cli("restore", str(tmp_path / "没有这个目录"), db=demo_store.path)
    assert result.returncode == 1 and "不存在" in result.stderr and "Traceback" not in result.stderr
    assert land_april(demo_store) == before
