"""Faults: a killed process, two uploads at once, many uploads at once, a full disk and a
corrupted file never lose an acknowledged figure or leave half an upload."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import ADMIN, REPO, fill, initialised_store, run_cli
from metrics import auth, catalog
from metrics.ingest import PreviewOutdated, import_file, preview_file
from metrics.store import Store

EDITOR = auth.Actor("统计员", "editor")
CODES = [c for c, i in catalog.indicators().items() if i.kind == "flow"]


def write_upload(path: Path, periods: list[str], entities: int, base: float) -> Path:
    """A long-layout file: every flow indicator × entities × periods, values shifted by `base`."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(["指标编码", "期间", "数值", "主体"])
    for e in range(entities):
        entity = zone_name(e)
        for period in periods:
            for i, code in enumerate(CODES):
                ws.append([code, period, base + e + i, entity])
    wb.save(path)
    return path


def python_cli(*args: str, db: Path) -> subprocess.Popen:
    # Bytes, not text: a process killed mid-print leaves half a UTF-8 character, which only a
    # finished run's output (decoded by the caller) never has.
    return subprocess.Popen([sys.executable, "-m", "metrics", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "METRICS_DB": str(db), "METRICS_USER": ADMIN})


def zone_name(e: int) -> str:
    return catalog.ZONE if e == 0 else f"测试开发区{e:02d}"


def initialised_with_zones(path: Path, zones: int = 8) -> Store:
    """The test database with the zones the uploads name (an upload never creates one)."""
    store = initialised_store(path)
    for e in range(1, zones):
        store.add_entity(zone_name(e), "zone", by=auth.Actor(ADMIN, "admin"))
    return store


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "m.duckdb"
    initialised_with_zones(path)
    return path


def test_kill_9_at_many_points_of_an_import_leaves_each_batch_whole_or_absent(db, tmp_path):
    periods = [f"2022-{m:02d}" for m in range(1, 13)]
    files = [write_upload(tmp_path / f"upload{i}.xlsx", periods, entities=8, base=100 * (i + 1)) for i in range(10)]
    started = time.perf_counter()
    run_cli("import", str(files[0]), db=db, check=True)
    duration = time.perf_counter() - started
    acknowledged = {1}
    # Kill points spread from interpreter start-up to just after a normal run would finish.
    for i, file in enumerate(files[1:], start=1):
        proc = python_cli("import", str(file), "--json", db=db)
        time.sleep(duration * i / 8)
        proc.kill()
        out, _ = proc.communicate()
        if proc.returncode == 0:
            acknowledged.add(json.loads(out)["batch"])
    store = Store(db)
    assert store.verify() == []
    batches = store.batches()
    assert acknowledged <= set(batches.id)
    assert len(acknowledged) < len(files), "every import finished before its kill: the test proved nothing"
    for batch in batches.itertuples():
        assert batch.n_changed + batch.n_new == len(periods) * 8 * len(CODES)


def test_two_people_confirming_the_same_month_at_once_one_wins_the_other_is_told(db, tmp_path):
    store = Store(db)
    first = write_upload(tmp_path / "a.xlsx", ["2023-03"], entities=1, base=10)
    second = write_upload(tmp_path / "b.xlsx", ["2023-03"], entities=1, base=20)
    preview_a = preview_file(store, first, actor=EDITOR)
    preview_b = preview_file(store, second, actor=EDITOR)
    from metrics.ingest.pipeline import preview_fingerprint
    winner = import_file(store, first, actor=EDITOR, expected_fingerprint=preview_fingerprint(preview_a.preview))
    assert winner.committed
    with pytest.raises(PreviewOutdated, match="同时上传"):
        import_file(store, second, actor=EDITOR, expected_fingerprint=preview_fingerprint(preview_b.preview))
    obs = store.observations(entity=catalog.ZONE, codes=[CODES[0]])
    assert list(obs.value) == [10.0]
    assert len(store.batches()) == 1 and store.verify() == []


def test_two_command_line_imports_of_the_same_month_at_once_end_consistent(db, tmp_path):
    files = [write_upload(tmp_path / f"same{i}.xlsx", ["2023-03"], entities=4, base=10 * (i + 1)) for i in range(2)]
    procs = [python_cli("import", str(f), db=db) for f in files]
    results = [(p.wait(timeout=180), *(text.decode() for text in p.communicate())) for p in procs]
    for code, out, err in results:
        assert code in (0, 1), err
        assert "Traceback" not in err
        if code == 1:
            assert "同时上传" in err
    assert any(code == 0 for code, _, _ in results)
    assert Store(db).verify() == []


def test_twenty_uploads_of_different_months_at_once_all_land(db, tmp_path):
    months = [f"{2021 + i // 12}-{i % 12 + 1:02d}" for i in range(20)]
    files = [write_upload(tmp_path / f"m{i}.xlsx", [m], entities=2, base=i + 1) for i, m in enumerate(months)]
    procs = [python_cli("import", str(f), db=db) for f in files]
    outcomes = [(p.wait(timeout=600), p.communicate()[1].decode()) for p in procs]
    assert [code for code, _ in outcomes] == [0] * 20, [err for _, err in outcomes if err]
    store = Store(db)
    assert len(store.batches()) == 20
    assert sorted(store.observations(entity=catalog.ZONE).period.unique()) == sorted(months)
    assert store.verify() == []


def test_a_full_disk_during_an_import_gives_a_clear_error_and_keeps_the_earlier_data(small_disk, tmp_path):
    db = small_disk / "m.duckdb"
    initialised_with_zones(db)
    first = write_upload(tmp_path / "first.xlsx", ["2023-01"], entities=1, base=10)
    run_cli("import", str(first), db=db, check=True)
    second = write_upload(tmp_path / "second.xlsx", ["2023-01", "2023-02"], entities=6, base=50)
    assert run_cli("import", str(second), "--dry-run", db=db).returncode == 0  # archived while there is room
    fill(small_disk)
    result = run_cli("import", str(second), db=db)
    assert result.returncode == 1
    assert "磁盘空间已满" in result.stderr and "Traceback" not in result.stderr
    (small_disk / "filler").unlink()
    store = Store(db)
    assert store.verify() == []
    assert len(store.batches()) == 1
    obs = store.observations(entity=catalog.ZONE, codes=[CODES[0]])
    assert list(obs.value) == [10.0]
    assert run_cli("import", str(second), db=db).returncode == 0


def test_a_full_disk_before_the_archive_copy_is_refused_the_same_way(small_disk, tmp_path):
    db = small_disk / "m.duckdb"
    initialised_with_zones(db)
    upload = write_upload(tmp_path / "u.xlsx", ["2023-01"], entities=1, base=10)
    fill(small_disk)
    result = run_cli("import", str(upload), db=db)
    assert result.returncode == 1 and "磁盘空间已满" in result.stderr
    assert not [p for p in (small_disk / "uploads").iterdir()] if (small_disk / "uploads").exists() else True


def test_a_corrupted_database_gives_the_way_to_restore_on_the_command_line(tmp_path):
    db = tmp_path / "m.duckdb"
    db.write_bytes(os.urandom(300_000))
    for args in (["health"], ["show", "land_cleared"], ["init"]):
        result = run_cli(*args, db=db)
        assert result.returncode == 1, args
        assert "restore" in result.stderr and "Traceback" not in result.stderr


def test_a_corrupted_database_shows_a_message_in_the_app_instead_of_crashing(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "m.duckdb"
    db.write_bytes(os.urandom(300_000))
    monkeypatch.setenv("METRICS_DB", str(db))
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error and "restore" in at.error[0].value
    again = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not again.exception and again.error
    st.cache_resource.clear()
