"""Backups are consistent copies that restore whole onto either engine, and a bad backup changes nothing."""
import shutil

import pandas as pd
import pytest

from conftest import address, fill, run_cli
from metrics import auth, backup, catalog, tracker
from metrics.store import Store, StoreError
from metrics.store.copying import TABLES


def land_april(store):
    obs = store.observations(entity=catalog.ZONE, codes=["land_cleared"])
    return float(obs[obs.period == "2023-04"].value.iloc[0])


def correct_april(store, value):
    store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": catalog.ZONE,
                                      "period": "2023-04", "value": value}]),
                       actor=auth.Actor("u", "editor"), file_name="更正.xlsx", sha256="2" * 64)


def test_backup_then_restore_brings_back_the_figures_and_keeps_the_replaced_data(store_on_each_engine, tmp_path):
    store = store_on_each_engine
    tracker.load_demo(store)
    name = store.archive(b"uploaded bytes", "x.xlsx")[0] + ".xlsx"
    before = land_april(store)
    backup.backup(store, tmp_path / "bk")
    correct_april(store, before + 1000)
    result = backup.restore(store, tmp_path / "bk")
    assert land_april(store) == before
    assert store.archive_read(name) == b"uploaded bytes"
    kept = Store(result["kept"])
    assert land_april(kept) == before + 1000


def test_a_tampered_backup_is_refused_and_the_live_database_is_untouched(store_on_each_engine, tmp_path):
    store = store_on_each_engine
    tracker.load_demo(store)
    backup.backup(store, tmp_path / "bk")
    correct_april(store, 4321)
    with open(tmp_path / "bk" / "metrics.duckdb", "r+b") as f:
        f.seek(5000)
        f.write(b"\x00garbage\x00")
    with pytest.raises(StoreError, match="损坏"):
        backup.restore(store, tmp_path / "bk")
    assert land_april(store) == 4321


def test_a_backup_holds_every_table_of_either_engine(store_on_each_engine):
    """The backup is a row-by-row copy: a table that copying does not know of would be lost."""
    with store_on_each_engine.connect() as con:
        tables = {row[0] for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").fetchall()}
    # The schema's version is written by the migrations; the server's upload archive is copied as files.
    assert tables - {"schema_version", "upload_file"} == set(TABLES)


def test_a_backup_reads_the_store_as_of_one_moment_while_another_connection_writes(store_on_each_engine):
    count = "SELECT count(*) FROM batch"
    with store_on_each_engine.snapshot() as con:
        before = con.execute(count).fetchall()[0][0]
        tracker.load_demo(Store(address(store_on_each_engine)))  # committed while the backup reads
        assert con.execute(count).fetchall()[0][0] == before
    assert len(store_on_each_engine.batches()) == before + 1


def test_backup_refuses_a_directory_that_holds_files(demo_store, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "other.txt").write_text("x")
    with pytest.raises(StoreError, match="不是空目录"):
        backup.backup(demo_store, tmp_path / "bk")


def test_restore_from_a_folder_that_is_not_a_backup_says_so(demo_store, tmp_path):
    with pytest.raises(StoreError, match="不是本工具生成的备份"):
        backup.restore(demo_store, tmp_path)


def upload(folder, value):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["指标编码", "期间", "数值"])
    wb.active.append(["land_cleared", "2023-05", value])
    wb.save(folder / f"u{value}.xlsx")
    return folder / f"u{value}.xlsx"


def lose_current_figures(store):
    with store.transaction() as con:
        con.execute("DELETE FROM current_figure")


def lose_everything(store):
    """The database emptied, uploads and all: a server's schema dropped, or a file and its folder lost."""
    if store.path is None:
        with store.connect() as con:
            con.execute("DROP SCHEMA public CASCADE")
            con.execute("CREATE SCHEMA public")
    else:
        store.path.unlink()
        shutil.rmtree(store.backend.archive_dir)


def overwrite_file_header(store):
    with open(store.path, "r+b") as f:
        f.write(b"\xff" * 4096)


@pytest.mark.parametrize("store_on_each_engine, damage", [
    ("duckdb", lose_current_figures), ("duckdb", lose_everything), ("duckdb", overwrite_file_header),
    ("postgresql", lose_current_figures), ("postgresql", lose_everything),
], indirect=["store_on_each_engine"], ids=lambda p: getattr(p, "__name__", p))
def test_backup_damage_restore_and_health_from_the_command_line(store_on_each_engine, damage, tmp_path):
    store = store_on_each_engine
    db = address(store)
    run_cli("demo", db=db, check=True)
    run_cli("import", str(upload(tmp_path, 120)), db=db, check=True)
    figures = run_cli("show", "land_cleared", "--json", db=db, check=True).stdout
    assert run_cli("backup", str(tmp_path / "bk"), db=db).returncode == 0
    damage(store)
    assert run_cli("health", db=db).returncode != 0
    restored = run_cli("restore", str(tmp_path / "bk"), db=db)
    assert restored.returncode == 0, restored.stderr
    assert "可读可写" in run_cli("health", db=db, check=True).stdout
    assert "完全一致" in run_cli("health", "--archive", db=db, check=True).stdout
    assert run_cli("show", "land_cleared", "--json", db=db, check=True).stdout == figures


def test_health_archive_rebuilds_from_the_uploads_and_finds_them_identical(store_on_each_engine, tmp_path):
    db = address(store_on_each_engine)
    run_cli("demo", db=db, check=True)
    for value in (120, 135):
        run_cli("import", str(upload(tmp_path, value)), db=db, check=True)
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
