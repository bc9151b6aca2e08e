"""填报任务 (issue 16, item 1): owners and due days as data, the month's states across its deadline,
and the store's ownership checks on every write that brings or undoes figures, on both engines."""
import datetime as dt
import json

import pytest

from conftest import ADMIN, add_account, run_cli
from metrics import auth, catalog, tasks, tracker
from metrics.ingest import import_file

ZONE = catalog.ZONE
ADMIN_ACTOR = auth.Actor(ADMIN, "admin")


def upload(store, actor, rows, entity: str | None = None, name: str = "五月.csv"):
    """An upload through the import pipeline, as the page and `import` make it."""
    header = "指标编码,主体,期间,数值\n" if entity else "指标编码,期间,数值\n"
    text = header + "".join(f"{c},{entity + ',' if entity else ''}{p},{v}\n" for c, p, v in rows)
    return import_file(store, text.encode("utf-8"), name, actor=actor)


def assign(store, code, editors, entity=ZONE, department="自然资源和规划分局", due_day=5):
    store.set_task(code, entity, department=department, editors=editors, due_day=due_day, by=ADMIN_ACTOR)


def state(store, code, period, today):
    return next(s for s in tasks.progress(store, period, today) if s.code == code and s.entity == ZONE).state


def test_every_uploadable_indicator_has_a_task_for_the_zone_and_no_derived_one_does():
    held = {t.indicator for t in tasks.file_tasks() if t.entity == ZONE}
    uploadable = {c for c, i in catalog.indicators().items() if i.kind != "derived"}
    assert held == uploadable


@pytest.mark.parametrize("period, due_day, due", [
    ("2023-05", 5, dt.date(2023, 6, 5)),
    ("2023-12", 10, dt.date(2024, 1, 10)),   # December's figures are due in January of the next year
    ("2023-01", 31, dt.date(2023, 2, 28)),   # a day past the month's end is its last day
])
def test_a_months_figure_is_due_on_the_due_day_of_the_following_month(period, due_day, due):
    assert tasks.due_date(period, due_day) == due


def test_a_task_is_missing_until_its_due_day_overdue_after_it_and_reported_once_uploaded(empty_store):
    assert state(empty_store, "land_cleared", "2023-05", dt.date(2023, 6, 1)) == "missing"
    assert state(empty_store, "land_cleared", "2023-05", dt.date(2023, 6, 5)) == "missing"  # the due day itself
    assert state(empty_store, "land_cleared", "2023-05", dt.date(2023, 6, 6)) == "overdue"
    assert upload(empty_store, ADMIN_ACTOR, [("land_cleared", "2023-05", 120)]).committed
    assert state(empty_store, "land_cleared", "2023-05", dt.date(2023, 6, 6)) == "reported"
    assert state(empty_store, "land_cleared", "2023-06", dt.date(2023, 7, 6)) == "overdue"  # another month is not


def test_the_illustrative_series_is_nobodys_report(empty_store):
    tracker.load_demo(empty_store)
    assert {s.state for s in tasks.progress(empty_store, "2023-04", dt.date(2023, 6, 1))} == {"overdue"}


def test_the_late_ones_come_first(empty_store):
    assign(empty_store, "land_cleared", [], due_day=20)
    upload(empty_store, ADMIN_ACTOR, [("invoice_sales", "2023-05", 20)])
    statuses = tasks.progress(empty_store, "2023-05", dt.date(2023, 6, 16))
    assert [(s.code, s.state) for s in statuses[-2:]] == [("land_cleared", "missing"), ("invoice_sales", "reported")]
    assert {s.state for s in statuses[:-2]} == {"overdue"}


def test_an_administrators_edit_wins_over_the_file_when_init_runs_again(empty_store):
    add_account(empty_store, "国土统计员", "editor")
    assign(empty_store, "land_cleared", ["国土统计员"], department="国土分局", due_day=8)
    tracker.init_database(empty_store)
    task = empty_store.tasks().set_index("indicator_code").loc["land_cleared"]
    assert (task.department, task.due_day, task.editors) == ("国土分局", 8, ("国土统计员",))
    assert empty_store.audit_log(action="task").subject.iloc[0] == f"land_cleared {ZONE}"


def test_a_task_names_only_accounts_that_may_upload(empty_store):
    add_account(empty_store, "区领导", "viewer")
    with pytest.raises(Exception, match="区领导.*没有填报权限"):
        assign(empty_store, "land_cleared", ["区领导"])
    with pytest.raises(auth.PermissionDenied, match="修改填报任务"):
        empty_store.set_task("land_cleared", ZONE, department="x", editors=[], due_day=5,
                             by=auth.Actor("区领导", "viewer"))


# ---- ownership, on each engine -------------------------------------------------------------------


@pytest.fixture
def owned_store(store_on_each_engine):
    """Two editors: 国土 owns land_cleared for the zone, 招商 owns foreign_capital; a second zone's
    land_cleared is 招商's."""
    store = store_on_each_engine
    for name in ("国土", "招商"):
        add_account(store, name, "editor")
    store.add_entity("乙园区", "zone", by=ADMIN_ACTOR)
    assign(store, "land_cleared", ["国土"])
    assign(store, "foreign_capital", ["招商"], department="招商局")
    assign(store, "land_cleared", ["招商"], entity="乙园区", department="乙园区规划处")
    return store


LAND = auth.Actor("国土", "editor")
INVESTMENT = auth.Actor("招商", "editor")


def test_before_any_editor_is_assigned_every_editor_writes_every_indicator(store_on_each_engine):
    editor = add_account(store_on_each_engine, "统计员", "editor")
    result = upload(store_on_each_engine, editor, [("land_cleared", "2023-05", 1), ("foreign_capital", "2023-05", 2)])
    assert result.committed
    store_on_each_engine.undo_batch(result.batch_id, editor)


def test_an_editor_uploads_what_they_own(owned_store):
    result = upload(owned_store, LAND, [("land_cleared", "2023-05", 120)])
    assert result.committed
    assert owned_store.undo_batch(result.batch_id, LAND)["figures"] == 1


def test_an_editor_is_refused_an_indicator_they_do_not_own_naming_who_does(owned_store):
    with pytest.raises(auth.PermissionDenied) as refused:
        upload(owned_store, LAND, [("land_cleared", "2023-05", 120), ("foreign_capital", "2023-05", 800)])
    message = str(refused.value)
    assert "国土" in message and "实际到账外资" in message and "招商局的招商" in message
    assert "没有做任何改动" in message
    assert owned_store.observations().empty  # not even the figure they own: the upload is one


def test_an_editor_is_refused_another_entitys_figure_of_the_indicator_they_own(owned_store):
    with pytest.raises(auth.PermissionDenied, match="乙园区.*乙园区规划处的招商"):
        upload(owned_store, LAND, [("land_cleared", "2023-05", 5)], entity="乙园区")
    assert upload(owned_store, INVESTMENT, [("land_cleared", "2023-05", 5)], entity="乙园区").committed


def test_an_indicator_whose_task_names_no_editor_is_the_administrators(owned_store):
    with pytest.raises(auth.PermissionDenied, match="尚未指定填报人"):
        upload(owned_store, LAND, [("invoice_sales", "2023-05", 20)])
    assert upload(owned_store, ADMIN_ACTOR, [("invoice_sales", "2023-05", 20)]).committed


def test_an_editor_cannot_undo_their_upload_once_the_indicator_is_someone_elses(owned_store):
    result = upload(owned_store, LAND, [("land_cleared", "2023-05", 120)])
    assign(owned_store, "land_cleared", ["招商"])
    with pytest.raises(auth.PermissionDenied, match="不能撤销"):
        owned_store.undo_batch(result.batch_id, LAND)
    assert len(owned_store.observations()) == 1
    owned_store.undo_batch(result.batch_id, ADMIN_ACTOR)  # an administrator undoes any
    assert owned_store.observations().empty


def test_the_command_line_import_and_undo_are_refused_the_same_way(owned_store, tmp_path):
    foreign = tmp_path / "外资.csv"
    foreign.write_text("指标编码,期间,数值\nforeign_capital,2023-05,800\n", encoding="utf-8")
    refused = run_cli("import", str(foreign), db=owned_store, user="国土")
    assert refused.returncode == 1 and "实际到账外资" in refused.stderr and "Traceback" not in refused.stderr
    accepted = run_cli("import", str(foreign), db=owned_store, user="招商")
    assert accepted.returncode == 0, accepted.stderr
    batch = int(owned_store.batches()["id"].iloc[0])
    assign(owned_store, "foreign_capital", ["国土"], department="招商局")
    undo = run_cli("undo", str(batch), db=owned_store, user="招商")
    assert undo.returncode == 1 and "不能撤销" in undo.stderr
    assert len(owned_store.observations()) == 1


def test_tasks_command_lists_each_task_with_its_state_as_of_the_given_day(owned_store):
    upload(owned_store, LAND, [("land_cleared", "2023-05", 120)])
    result = run_cli("tasks", "--period", "2023-05", "--today", "2023-06-16", "--json", db=owned_store)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    land = next(r for r in rows if r["code"] == "land_cleared" and r["entity"] == ZONE)
    assert land == {"code": "land_cleared", "indicator": "低效用地清理面积", "entity": ZONE,
                    "department": "自然资源和规划分局", "editors": ["国土"], "due": "2023-06-05",
                    "state": "reported", "label": "已报", "unexplained": True}  # 120 亩 is behind 序时进度
    assert rows[0]["state"] == "overdue" and rows[-1]["state"] == "reported"
    assert {r["state"] for r in rows} == {"overdue", "reported"}
    early = json.loads(run_cli("tasks", "--period", "2023-05", "--today", "2023-06-01", "--json",
                               db=owned_store).stdout)
    assert {r["state"] for r in early} == {"missing", "reported"}
    text = run_cli("tasks", "--period", "2023-05", "--today", "2023-06-16", db=owned_store).stdout
    assert f"已报 1/{len(rows)}" in text and "[逾期]" in text


def test_tasks_command_refuses_a_bad_day_in_chinese(owned_store):
    result = run_cli("tasks", "--period", "2023-05", "--today", "6月6日", db=owned_store)
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr


def test_tasks_and_reminder_tables_copy_between_engines(owned_store, tmp_path):
    from metrics.store import Store
    from metrics.store.copying import copy_store, differences

    owned_store.set_contact("国土", email="guotu@example.gov.cn", mobile="13800000001", by=ADMIN_ACTOR)
    copy = Store(tmp_path / "copy.duckdb")
    counts = copy_store(owned_store, copy)
    assert counts["task_editor"] == 3 and counts["user_contact"] == 1
    assert differences(owned_store, copy) == []
    assert list(copy.tasks().editors) == list(owned_store.tasks().editors)
