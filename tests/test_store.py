"""The store: append-only revisions, one transaction per write, migrations, and other processes."""
import subprocess
import sys
import time

import pandas as pd
import pytest

from conftest import initialised_store
from metrics import catalog, tracker
from metrics.auth import Actor, PermissionDenied
from metrics.store import Store, StoreBusy, StoreCorrupt
from metrics.store.duckdb_backend import DuckDBBackend

ZONE = catalog.ZONE


@pytest.fixture
def empty_store(store_on_each_engine):
    """Every rule of the store holds on DuckDB and on PostgreSQL alike."""
    return store_on_each_engine


@pytest.fixture
def duckdb_store(tmp_path):
    return initialised_store(tmp_path / "metrics.duckdb")


def figures(*rows, entity=ZONE):
    return pd.DataFrame([{"indicator_code": c, "entity": entity, "period": p, "value": v} for c, p, v in rows])


def commit(store, rows, user="统计员甲", name="四月.xlsx"):
    return store.commit_batch(rows, actor=Actor(user, "editor"), file_name=name, sha256="0" * 64)


def current(store, code="land_cleared", period="2023-04"):
    obs = store.observations(entity=ZONE, codes=[code])
    hit = obs[obs.period == period]
    return None if hit.empty else float(hit.value.iloc[0])


def test_a_correction_is_a_new_revision_and_the_old_figure_stays_in_history(empty_store):
    commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    summary = commit(empty_store, figures(("land_cleared", "2023-04", 125)), user="统计员乙", name="更正.xlsx")
    assert (summary.new, summary.changed) == (0, 1)
    assert current(empty_store) == 125
    history = empty_store.history("land_cleared", ZONE)
    assert list(history.value) == [120, 125]
    assert list(history.revision) == [1, 2]
    assert list(history.user_name) == ["统计员甲", "统计员乙"]
    assert list(history.is_current) == [False, True]


def test_uploading_identical_figures_again_creates_no_revision_and_no_batch(empty_store):
    commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    again = commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    assert again.batch_id is None and again.unchanged == 1
    assert len(empty_store.history("land_cleared", ZONE)) == 1
    assert len(empty_store.batches()) == 1


def test_undo_restores_what_the_batch_superseded_and_keeps_it_in_history(empty_store):
    commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    second = commit(empty_store, figures(("land_cleared", "2023-04", 125), ("land_cleared", "2023-05", 90)))
    empty_store.undo_batch(second.batch_id, Actor("管理员", "admin"))
    assert current(empty_store) == 120
    assert current(empty_store, period="2023-05") is None
    assert len(empty_store.history("land_cleared", ZONE)) == 3
    batches = empty_store.batches().set_index("id")
    assert batches.loc[second.batch_id, "undone_by"] == "管理员"


def test_undoing_a_batch_twice_is_refused_in_chinese(empty_store):
    first = commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    empty_store.undo_batch(first.batch_id, Actor("管理员", "admin"))
    with pytest.raises(Exception, match="已于"):
        empty_store.undo_batch(first.batch_id, Actor("管理员", "admin"))


def test_a_failure_inside_a_write_leaves_nothing_behind(empty_store):
    def refuse(con, diff):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        empty_store.commit_batch(figures(("land_cleared", "2023-04", 120), ("hightech_new", "2023-04", 3),
                                         entity="新主体"),
                                 actor=Actor("u", "editor"), file_name="x.xlsx", sha256="1" * 64,
                                 new_entities={"新主体": "zone"}, before_commit=refuse)
    assert empty_store.observations().empty
    assert empty_store.batches().empty
    assert "新主体" not in set(empty_store.entities().name)


def test_an_older_database_is_migrated_on_open_and_keeps_its_figures(tmp_path):
    store = Store(tmp_path / "old.duckdb")
    assert store.migrate(upto=1) == [1]
    with store.connect() as con:  # figures written by the version-1 code
        con.execute("INSERT INTO entity VALUES (1, ?, 'zone', false, now())", [ZONE])
        con.execute("INSERT INTO batch VALUES (1, 'old.xlsx', '', 'u', now(), 'upload', false, 1, 0, 0, '', NULL, NULL)")
        con.execute("INSERT INTO observation VALUES (1, 'land_cleared', 1, '2023-04', 1, 120, 1, 1, '')")
    assert store.schema_version() == 1
    assert tracker.init_database(store) == [v for v, _ in store.backend.migrations if v >= 2]
    assert store.schema_version() == store.schema_latest
    assert current(store) == 120
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM app_user").fetchall() == [(0,)]


def test_init_is_idempotent(empty_store):
    before = empty_store.targets()
    assert tracker.init_database(empty_store) == []
    after = empty_store.targets()
    assert len(before) == len(after) == len(catalog.targets())
    assert (after.revision == 1).all()


def test_the_data_version_changes_when_another_write_lands(empty_store):
    before = empty_store.data_version()
    time.sleep(0.01)
    commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    assert empty_store.data_version() != before


def test_a_second_process_waits_for_the_file_then_gets_in(duckdb_store):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(1.5)"),
        str(duckdb_store.path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    commit(duckdb_store, figures(("land_cleared", "2023-04", 120)))
    holder.wait(timeout=30)
    assert current(duckdb_store) == 120


def test_a_file_held_too_long_gives_a_chinese_busy_message(duckdb_store):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(5)"),
        str(duckdb_store.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match="正被另一个程序占用"):
            with Store(backend=DuckDBBackend(duckdb_store.path, lock_wait=0.3)).connect():
                pass
    finally:
        holder.kill()
        holder.wait()


def test_a_corrupted_file_gives_a_message_naming_the_way_to_restore(tmp_path):
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreCorrupt, match="restore"):
        Store(path).schema_version()


def test_targets_are_revised_not_overwritten(empty_store):
    empty_store.set_target("land_cleared", 2023, "annual", 3000, by=Actor("管理员", "admin"), source="党工委会议调整")
    history = empty_store.target_history("land_cleared")
    rows_2023 = history[history.year == 2023]
    assert list(rows_2023.value) == [2800, 3000]
    current_targets = empty_store.targets(2023)
    assert float(current_targets[current_targets.indicator_code == "land_cleared"].value.iloc[0]) == 3000


def test_reference_data_is_loaded_into_the_store(empty_store):
    summary, problems, measures = empty_store.ledger()
    assert (len(problems), len(measures)) == (24, 70)
    assert summary["summary_done"] == 17
    assert len(empty_store.report_figures()) == len(catalog.report_figures())
    figures_land = empty_store.report_figures("land_cleared")
    assert set(figures_land.section) == {"二(一)3", "二(二)1"}


def test_a_viewer_or_editor_cannot_change_a_target(empty_store):
    for role in ("viewer", "editor"):
        with pytest.raises(PermissionDenied):
            empty_store.set_target("land_cleared", 2023, "annual", 1, by=Actor("某人", role), source="x")
    assert len(empty_store.target_history("land_cleared")) == 2


def test_locking_a_month_needs_an_admin_and_a_reason_and_is_audited(empty_store):
    with pytest.raises(PermissionDenied):
        empty_store.set_period_lock("2023-03", True, by=Actor("统计员", "editor"), reason="已报送")
    with pytest.raises(Exception, match="原因"):
        empty_store.set_period_lock("2023-03", True, by=Actor("管理员", "admin"), reason=" ")
    empty_store.set_period_lock("2023-03", True, by=Actor("管理员", "admin"), reason="已向县统计局报送")
    assert empty_store.locked_periods() == {"2023-03"}
    empty_store.set_period_lock("2023-03", False, by=Actor("管理员", "admin"), reason="更正统计差错")
    assert empty_store.locked_periods() == set()
    assert list(empty_store.audit_log().action[:2]) == ["unlock", "lock"]


def test_an_upload_whose_figures_a_locked_month_still_uses_cannot_be_undone_until_the_month_is_unlocked(empty_store):
    from metrics.store import PeriodLocked
    admin = Actor("管理员", "admin")
    first = commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    superseded = commit(empty_store, figures(("land_cleared", "2023-03", 50)))
    commit(empty_store, figures(("land_cleared", "2023-03", 60)), name="三月更正.xlsx")
    empty_store.set_period_lock("2023-04", True, by=admin, reason="已向县统计局报送")
    empty_store.set_period_lock("2023-03", True, by=admin, reason="已向县统计局报送")
    for who in (Actor("统计员甲", "editor"), admin):
        with pytest.raises(PeriodLocked, match="2023-04.*已报送上级.*没有撤销.*先在“月份锁定”页面解锁"):
            empty_store.undo_batch(first.batch_id, who)
    assert current(empty_store) == 120 and empty_store.batches().undone_at.isna().all()
    # A batch no locked month uses any more (its figure since corrected) changes nothing reported.
    empty_store.undo_batch(superseded.batch_id, admin)
    assert current(empty_store, period="2023-03") == 60
    empty_store.set_period_lock("2023-04", False, by=admin, reason="更正统计差错")
    empty_store.undo_batch(first.batch_id, admin)
    assert current(empty_store) is None


def test_a_viewer_cannot_write_figures_or_undo_through_the_store_itself(empty_store):
    first = commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    viewer = Actor("区领导", "viewer")
    with pytest.raises(PermissionDenied):
        empty_store.commit_batch(figures(("land_cleared", "2023-04", 999)), actor=viewer,
                                 file_name="x.xlsx", sha256="3" * 64)
    with pytest.raises(PermissionDenied):
        empty_store.undo_batch(first.batch_id, viewer)
    with pytest.raises(PermissionDenied):
        empty_store.undo_batch(first.batch_id, Actor("另一统计员", "editor"))
    assert current(empty_store) == 120 and len(empty_store.batches()) == 1


def test_a_locked_month_refuses_editors_and_needs_an_administrators_reason(empty_store):
    from metrics.store import PeriodLocked

    admin = Actor("管理员", "admin")
    empty_store.set_period_lock("2023-04", True, by=admin, reason="已报送")
    with pytest.raises(PeriodLocked, match="联系管理员"):
        commit(empty_store, figures(("land_cleared", "2023-04", 120)))
    with pytest.raises(PeriodLocked, match="更正原因"):
        empty_store.commit_batch(figures(("land_cleared", "2023-04", 120)), actor=admin, file_name="x", sha256="4")
    empty_store.commit_batch(figures(("land_cleared", "2023-04", 120)), actor=admin, file_name="x", sha256="4",
                             lock_reason="统计局反馈更正")
    assert current(empty_store) == 120
    assert "统计局反馈更正" in empty_store.batches().note.iloc[0]
