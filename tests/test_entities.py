"""Entities are made, renamed, merged, aliased and deleted only by an administrator, with audit;
an upload never creates one; matching is on the canonical form, aliases included."""
import json

import pandas as pd
import pytest

from conftest import ADMIN, run_cli
from metrics import auth, catalog
from metrics.store import StoreError


@pytest.fixture
def empty_store(store_on_each_engine):
    """Entities and undo behave the same on DuckDB and on PostgreSQL."""
    return store_on_each_engine


ADMIN_ACTOR = auth.Actor(ADMIN, "admin")
EDITOR = auth.Actor("统计员", "editor")


def figures(entity: str, *rows) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_code": code, "entity": entity, "period": period, "value": float(value)}
                         for code, period, value in rows])


def test_a_commit_naming_an_entity_not_held_writes_nothing(empty_store):
    with pytest.raises(StoreError, match="没有这些主体：甲开发区"):
        empty_store.commit_batch(figures("甲开发区", ("land_cleared", "2023-04", 5)), actor=EDITOR,
                                 file_name="a.csv", sha256="a")
    assert empty_store.batches().empty and "甲开发区" not in set(empty_store.entities().name)


def test_only_an_administrator_creates_an_entity_and_twins_by_width_are_one(empty_store):
    with pytest.raises(auth.PermissionDenied):
        empty_store.add_entity("甲开发区（示例）", "zone", by=EDITOR)
    empty_store.add_entity("甲开发区（示例）", "zone", by=ADMIN_ACTOR)
    with pytest.raises(StoreError, match="只差全角半角"):
        empty_store.add_entity("甲开发区 (示例)", "zone", by=ADMIN_ACTOR)
    directory = empty_store.entity_directory()
    assert directory.match("甲开发区(示例)") == directory.match(" 甲开发区（示例） ") == "甲开发区（示例）"
    assert empty_store.audit_log(action="entity_add").subject.tolist() == ["甲开发区（示例）"]


@pytest.mark.parametrize("name", ["乙开发区\x07", "\u202e区发开乙", "乙开发区\n二期"])
def test_an_entity_name_holding_a_control_character_is_refused_in_chinese(empty_store, name):
    held = empty_store.entity_directory().names
    with pytest.raises(StoreError, match="控制字符"):
        empty_store.add_entity(name, "zone", by=ADMIN_ACTOR)
    assert empty_store.entity_directory().names == held


def test_an_alias_matches_its_entity_and_a_rename_keeps_the_old_name_as_one(empty_store):
    empty_store.set_alias("XX经开区", catalog.ZONE, by=ADMIN_ACTOR)
    empty_store.add_entity("乙园区", "zone", by=ADMIN_ACTOR)
    empty_store.rename_entity("乙园区", "乙工业园区", by=ADMIN_ACTOR)
    directory = empty_store.entity_directory()
    assert directory.match("XX经开区") == catalog.ZONE
    assert directory.match("乙园区") == directory.match("乙工业园区") == "乙工业园区"
    with pytest.raises(StoreError, match="不能再作为"):
        empty_store.set_alias("乙园区", catalog.ZONE, by=ADMIN_ACTOR)
    empty_store.remove_alias("XX经开区", by=ADMIN_ACTOR)
    assert empty_store.entity_directory().match("XX经开区") is None
    assert empty_store.entity_directory().suggestions("XX经济开发") == [catalog.ZONE]


def test_a_merge_moves_the_figures_as_a_batch_and_leaves_the_old_name_as_an_alias(empty_store):
    empty_store.add_entity("甲开发区", "zone", by=ADMIN_ACTOR)
    empty_store.add_entity("甲经济开发区", "zone", by=ADMIN_ACTOR)
    empty_store.commit_batch(figures("甲开发区", ("land_cleared", "2023-03", 7), ("land_cleared", "2023-04", 8)),
                             actor=EDITOR, file_name="a.csv", sha256="a")
    empty_store.commit_batch(figures("甲经济开发区", ("land_cleared", "2023-04", 8)), actor=EDITOR, file_name="b.csv",
                             sha256="b")
    summary = empty_store.merge_entities("甲开发区", "甲经济开发区", by=ADMIN_ACTOR)
    assert (summary.new, summary.unchanged) == (1, 1)
    kept = empty_store.observations(entity="甲经济开发区")
    assert kept[["period", "value"]].values.tolist() == [["2023-03", 7.0], ["2023-04", 8.0]]
    assert "甲开发区" not in set(empty_store.entities().name)
    assert empty_store.entity_directory().match("甲开发区") == "甲经济开发区"
    event = empty_store.audit_log(action="entity_merge").iloc[0]
    assert json.loads(event.after)["figures"] == 2 and empty_store.verify() == []


def test_a_merge_of_entities_that_disagree_on_a_month_is_refused(empty_store):
    for name in ("丙园区", "丙工业园"):
        empty_store.add_entity(name, "zone", by=ADMIN_ACTOR)
        empty_store.commit_batch(figures(name, ("land_cleared", "2023-04", 10 if name == "丙园区" else 11)),
                                 actor=EDITOR, file_name=f"{name}.csv", sha256=name)
    with pytest.raises(StoreError, match="2023-04（10 对 11）"):
        empty_store.merge_entities("丙园区", "丙工业园", by=ADMIN_ACTOR)
    assert {"丙园区", "丙工业园"} <= set(empty_store.entities().name)


def test_a_merge_moves_notes_explanations_and_figures_waiting_for_review_to_the_entity_kept(empty_store):
    store = empty_store
    for name in ("戊园区", "戊工业园"):
        store.add_entity(name, "zone", by=ADMIN_ACTOR)
    noted = figures("戊园区", ("land_cleared", "2023-01", 5), ("land_cleared", "2023-03", 7),
                    ("land_cleared", "2023-04", 8))
    store.commit_batch(noted.assign(note=["", "收储延后", ""]), actor=EDITOR, file_name="a.csv", sha256="a")
    store.write_explanation("land_cleared", "戊园区", "2023-04", reason="拆迁进度慢", next_steps="加快拆迁",
                            by=ADMIN_ACTOR)
    kept = figures("戊工业园", ("land_cleared", "2023-01", 5), ("land_cleared", "2023-04", 8))
    store.commit_batch(kept.assign(note=["园区自报", ""]), actor=EDITOR, file_name="b.csv", sha256="b")
    store.merge_entities("戊园区", "戊工业园", by=ADMIN_ACTOR)
    store.set_review_required(True, by=ADMIN_ACTOR)
    store.add_entity("己园区", "zone", by=ADMIN_ACTOR)
    waiting = store.commit_batch(figures("己园区", ("land_cleared", "2023-05", 9)), actor=EDITOR,
                                 file_name="c.csv", sha256="c")
    store.commit_batch(figures("戊工业园", ("land_cleared", "2023-05", 10)), actor=ADMIN_ACTOR, file_name="d.csv",
                       sha256="d")  # waiting too: the reviewer chooses between the two
    store.merge_entities("己园区", "戊工业园", by=ADMIN_ACTOR)
    said = store.explanations(entity="戊工业园").set_index("period")
    # The month both held keeps the kept one's 备注; the merged one's travels with its figure.
    assert said.loc["2023-01", "reason"] == "园区自报" and said.loc["2023-03", "reason"] == "收储延后"
    assert said.loc["2023-04", ["reason", "next_steps", "source"]].tolist() == ["拆迁进度慢", "加快拆迁", "written"]
    assert store.explanation_history("land_cleared", "戊工业园", "2023-04")["revision"].tolist() == [1]
    pending = store.pending_figures(entity="戊工业园")
    assert sorted(pending[["period", "value"]].values.tolist()) == [["2023-05", 9.0], ["2023-05", 10.0]]
    assert json.loads(store.audit_log(action="entity_merge").iloc[0].after)["pending"] == 1
    store.approve_batch(waiting.batch_id, by=ADMIN_ACTOR)
    may = store.observations(entity="戊工业园")
    assert may[may.period == "2023-05"].value.tolist() == [9.0] and store.verify() == []


def test_a_merge_of_entities_whose_explanations_of_a_month_differ_is_refused(empty_store):
    for name, reason in (("庚园区", "企业停产"), ("庚工业园", "订单下降")):
        empty_store.add_entity(name, "zone", by=ADMIN_ACTOR)
        empty_store.commit_batch(figures(name, ("land_cleared", "2023-04", 5)), actor=EDITOR, file_name=f"{name}.csv",
                                 sha256=name)
        empty_store.write_explanation("land_cleared", name, "2023-04", reason=reason, by=ADMIN_ACTOR)
    with pytest.raises(StoreError, match="情况说明不同：land_cleared 2023-04"):
        empty_store.merge_entities("庚园区", "庚工业园", by=ADMIN_ACTOR)
    assert {"庚园区", "庚工业园"} <= set(empty_store.entities().name)
    assert empty_store.explanations(entity="庚园区").reason.tolist() == ["企业停产"]


def test_only_an_unused_entity_can_be_deleted(empty_store):
    empty_store.add_entity("丁园区", "zone", by=ADMIN_ACTOR)
    empty_store.commit_batch(figures("丁园区", ("land_cleared", "2023-04", 3)), actor=EDITOR, file_name="d.csv",
                             sha256="d")
    with pytest.raises(StoreError, match="还有 1 个数据"):
        empty_store.delete_entity("丁园区", by=ADMIN_ACTOR)
    empty_store.undo_batch(1, EDITOR)
    empty_store.delete_entity("丁园区", by=ADMIN_ACTOR)
    assert "丁园区" not in set(empty_store.entities().name)
    with pytest.raises(StoreError, match="本区自身"):
        empty_store.delete_entity(catalog.ZONE, by=ADMIN_ACTOR)


def test_undoing_the_batch_that_brought_entities_removes_those_nothing_else_uses(empty_store):
    from metrics import tracker

    loaded = tracker.load_demo(empty_store)
    brought = set(empty_store.entities().name) - {catalog.ZONE}
    assert brought
    empty_store.undo_batch(loaded["batch_id"], auth.Actor(ADMIN, "admin"))
    assert set(empty_store.entities().name) == {catalog.ZONE} | _reference_zones()


def _reference_zones() -> set[str]:
    return {t.entity for t in catalog.targets()}


def test_the_command_line_manages_entities_and_a_viewer_cannot(empty_store):
    db = empty_store
    assert run_cli("entities", "add", "戊园区", "--kind", "zone", db=db).returncode == 0
    assert run_cli("entities", "alias", "戊区", "戊园区", db=db).returncode == 0
    assert run_cli("entities", "rename", "戊园区", "戊工业园区", db=db).returncode == 0
    listed = json.loads(run_cli("entities", "list", "--json", db=db).stdout)
    assert {"name": "戊工业园区", "kind": "zone", "illustrative": False, "aliases": ["戊区", "戊园区"]} in listed
    run_cli("users", "add", "区长", "--role", "viewer", db=db, stdin="Kf8t2mQz1p\n")
    refused = run_cli("entities", "add", "己园区", db=db, user="区长")
    assert refused.returncode == 1 and "无权管理主体" in refused.stderr
    missing = run_cli("entities", "merge", "戊工业园区", db=db)
    assert missing.returncode == 1 and "需要 2 个名称" in missing.stderr and "Traceback" not in missing.stderr
    assert run_cli("entities", "delete", "戊工业园区", db=db).returncode == 0
    assert "戊工业园区" not in run_cli("entities", "list", db=db).stdout


def test_a_merge_failing_after_its_batch_leaves_both_entities_as_they_were(empty_store, monkeypatch):
    from metrics.store import store as store_module
    store = empty_store
    for name in ("辛园区", "辛工业园"):
        store.add_entity(name, "zone", by=ADMIN_ACTOR)
    store.commit_batch(figures("辛园区", ("land_cleared", "2023-03", 7), ("land_cleared", "2023-04", 8))
                       .assign(note=["收储延后", ""]), actor=EDITOR, file_name="a.csv", sha256="a")
    store.commit_batch(figures("辛工业园", ("land_cleared", "2023-04", 8)), actor=EDITOR, file_name="b.csv", sha256="b")
    store.write_explanation("land_cleared", "辛园区", "2023-04", reason="拆迁进度慢", by=ADMIN_ACTOR)
    store.set_review_required(True, by=ADMIN_ACTOR)
    store.commit_batch(figures("辛园区", ("land_cleared", "2023-05", 9)), actor=EDITOR, file_name="c.csv", sha256="c")

    def state():
        return {"entities": store.entities()[["name", "removed", "aliases"]].values.tolist(),
                "figures": store.observations()[["entity", "period", "value", "batch_id"]].values.tolist(),
                "explanations": store.explanations()[["entity", "period", "reason", "source"]].values.tolist(),
                "pending": store.pending_figures()[["entity", "period", "value"]].values.tolist(),
                "batches": len(store.batches()), "events": len(store.audit_log()),
                "history": store.explanation_history("land_cleared", "辛园区", "2023-04")["revision"].tolist()}

    before = state()

    def alias_violating_not_null(con, alias, entity_id, by):
        # The merge's last step fails as the engine refuses a row: after its batch, explanations and pending figures.
        con.execute("INSERT INTO entity_alias VALUES (?, NULL, ?, ?, now())", [alias, entity_id, by.name])

    monkeypatch.setattr(store_module, "_put_alias", alias_violating_not_null)
    with pytest.raises(Exception, match="(?i)null"):
        store.merge_entities("辛园区", "辛工业园", by=ADMIN_ACTOR)
    assert state() == before and store.verify() == []
    monkeypatch.undo()
    summary = store.merge_entities("辛园区", "辛工业园", by=ADMIN_ACTOR)
    assert (summary.new, summary.unchanged) == (1, 1) and state() != before
    assert store.pending_figures(entity="辛工业园")["value"].tolist() == [9.0]
    assert "辛园区" not in set(store.entities().name) and store.verify() == []


def test_a_merge_that_would_change_a_locked_months_figures_or_explanations_is_refused(empty_store):
    from metrics.store import PeriodLocked
    store = empty_store
    for name in ("壬园区", "壬工业园"):
        store.add_entity(name, "zone", by=ADMIN_ACTOR)
    store.commit_batch(figures("壬园区", ("land_cleared", "2023-04", 8)), actor=EDITOR, file_name="a.csv", sha256="a")
    store.write_explanation("land_cleared", "壬园区", "2023-03", reason="拆迁进度慢", by=ADMIN_ACTOR)
    for month, held in (("2023-04", "figure"), ("2023-03", "explanation")):
        store.set_period_lock(month, True, by=ADMIN_ACTOR, reason="已报送")
        with pytest.raises(PeriodLocked, match=f"合并会改动已锁定月份（{month}.*先在“月份锁定”页面解锁"):
            store.merge_entities("壬园区", "壬工业园", by=ADMIN_ACTOR)
        assert {"壬园区", "壬工业园"} <= set(store.entities().name) and store.observations(entity="壬工业园").empty
        store.set_period_lock(month, False, by=ADMIN_ACTOR, reason="合并主体")
    store.merge_entities("壬园区", "壬工业园", by=ADMIN_ACTOR)
    assert store.observations(entity="壬工业园")["period"].tolist() == ["2023-04"]
    assert store.explanations(entity="壬工业园")["period"].tolist() == ["2023-03"]
