"""情况说明 (issue 16, item 4): 原因分析 and 下步措施 per indicator, entity and month, written by the
owner as revisions, filled by an upload's 备注, carried to the indicator page, the slide under the
chart, the Word report after the 汇报 sentence, and flagged on 填报进度 when a behind one lacks it."""
import datetime as dt
import io
import json

import pandas as pd
import pytest
from docx import Document
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from conftest import ADMIN, REPO, add_account, copyable_texts, initialised_store, run_cli, sign_in_app
from metrics import auth, catalog, tasks
from metrics.export import export_deck, plan_report
from metrics.export.report_docx import build_report
from metrics.ingest import import_file
from metrics.store import PeriodLocked, Store, StoreError
from metrics.store.copying import copy_store, differences

ZONE = catalog.ZONE
ADMIN_ACTOR = auth.Actor(ADMIN, "admin")
PERIOD = "2023-04"
LATE = dt.date(2023, 7, 1)  # every April due date has passed


def upload(store, actor, rows, name="五月.csv"):
    """An upload through the import pipeline, with a 备注 column."""
    text = "指标编码,期间,数值,备注\n" + "".join(f"{c},{p},{v},{n}\n" for c, p, v, n in rows)
    return import_file(store, text.encode("utf-8"), name, actor=actor)


def explanation(store, code="land_cleared", period=PERIOD, entity=ZONE) -> dict | None:
    rows = store.explanations(period, entity=entity, code=code)
    return None if rows.empty else rows.iloc[0].to_dict()


def flagged(store, code="land_cleared", period=PERIOD) -> bool:
    return next(s for s in tasks.progress(store, period, LATE) if s.code == code and s.entity == ZONE).unexplained


# ---- the store, on both engines ---------------------------------------------------------------

def test_the_latest_revision_wins_and_every_earlier_one_is_kept_and_audited(store_on_each_engine):
    store = store_on_each_engine
    assert store.write_explanation("land_cleared", ZONE, PERIOD, reason="拆迁协商未完成", next_steps="5月底前签约",
                                   by=ADMIN_ACTOR) == 1
    assert store.write_explanation("land_cleared", ZONE, PERIOD, reason="两宗地块拆迁协商未完成", by=ADMIN_ACTOR) == 2
    shown = explanation(store)
    # A part not given keeps what the explanation said.
    assert (shown["reason"], shown["next_steps"], shown["source"]) == ("两宗地块拆迁协商未完成", "5月底前签约", "written")
    history = store.explanation_history("land_cleared", ZONE, PERIOD)
    assert list(history["revision"]) == [2, 1] and history["reason"].iloc[1] == "拆迁协商未完成"
    events = store.audit_log(action="explain")
    assert len(events) == 2 and events["subject"].iloc[0] == f"land_cleared {ZONE} {PERIOD}"
    assert json.loads(events["before"].iloc[0])["reason"] == "拆迁协商未完成"
    assert explanation(store, period="2023-05") is None  # another month is not explained


def test_an_explanation_is_kept_as_typed_less_the_control_characters_no_report_can_hold(store_on_each_engine):
    store = store_on_each_engine
    store.write_explanation("land_cleared", ZONE, PERIOD, reason=" 拆迁协商未完成（两宗）\x07\r\n待签约 ",
                            next_steps="\x1b5月底前签约；", by=ADMIN_ACTOR)
    shown = explanation(store)
    assert (shown["reason"], shown["next_steps"]) == ("拆迁协商未完成（两宗）\n待签约", "5月底前签约；")


def test_an_uploads_note_is_the_explanation_until_one_is_written(store_on_each_engine):
    store = store_on_each_engine
    store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                      "value": 30.0, "note": "受雨季影响进场推迟"}]),
                       actor=ADMIN_ACTOR, file_name="四月.xlsx", sha256="a" * 64)
    shown = explanation(store)
    assert (shown["reason"], shown["next_steps"], shown["source"], shown["written_by"]) == \
        ("受雨季影响进场推迟", "", "note", ADMIN)
    # Writing only the next steps keeps the note's words as the reason.
    store.write_explanation("land_cleared", ZONE, PERIOD, next_steps="增派两支施工队", by=ADMIN_ACTOR)
    shown = explanation(store)
    assert (shown["reason"], shown["next_steps"], shown["source"]) == ("受雨季影响进场推迟", "增派两支施工队", "written")
    assert len(store.explanations(PERIOD)) == 1  # one answer per indicator, entity and month


def test_only_the_owner_or_an_administrator_may_write_it(store_on_each_engine):
    store = store_on_each_engine
    owner, other = add_account(store, "张三", "editor"), add_account(store, "李四", "editor")
    viewer = add_account(store, "王五", "viewer")
    store.set_task("land_cleared", ZONE, department="自然资源和规划分局", editors=["张三"], due_day=5, by=ADMIN_ACTOR)
    with pytest.raises(auth.PermissionDenied, match="不负责低效用地清理面积.*张三.*不能填写这些指标的情况说明"):
        store.write_explanation("land_cleared", ZONE, PERIOD, reason="李四写的", by=other)
    with pytest.raises(auth.PermissionDenied, match="无权填写情况说明"):
        store.write_explanation("land_cleared", ZONE, PERIOD, reason="王五写的", by=viewer)
    assert explanation(store) is None and store.audit_log(action="explain").empty
    store.write_explanation("land_cleared", ZONE, PERIOD, reason="张三写的", by=owner)
    store.write_explanation("land_cleared", ZONE, PERIOD, reason="管理员改的", by=ADMIN_ACTOR)
    assert explanation(store)["reason"] == "管理员改的"


def test_explanations_move_with_copy_store_and_later_ones_continue_their_ids(tmp_path, postgres_url):
    source = initialised_store(tmp_path / "source.duckdb")
    source.write_explanation("land_cleared", ZONE, PERIOD, reason="拆迁协商未完成", by=ADMIN_ACTOR)
    copy = Store(postgres_url)
    copy_store(source, copy)
    assert differences(source, copy) == [] and explanation(copy)["reason"] == "拆迁协商未完成"
    assert copy.write_explanation("land_cleared", ZONE, PERIOD, reason="已签约一宗", by=ADMIN_ACTOR) == 2
    assert copy.verify() == []


@pytest.mark.parametrize("code, period, reason, problem", [
    ("land_cleared", PERIOD, "  ", "请填写“低效用地清理面积”2023-04 的原因分析或下步措施"),
    ("land_cleared", "2023-13", "原因", "月份“2023-13”格式不对"),
    ("no_such_code", PERIOD, "原因", "没有指标编码“no_such_code”"),
    ("land_cleared", PERIOD, "长" * (tasks.EXPLANATION_MAX_CHARACTERS + 1), "超过 300 字的上限"),
])
def test_a_bad_explanation_is_refused_in_chinese_and_nothing_is_written(empty_store, code, period, reason, problem):
    with pytest.raises(StoreError, match=problem):
        empty_store.write_explanation(code, ZONE, period, reason=reason, by=ADMIN_ACTOR)
    assert empty_store.explanation_history(code, ZONE, period).empty


# ---- 填报进度: behind and unexplained ------------------------------------------------------------

def test_a_reported_behind_indicator_is_flagged_until_it_is_explained(empty_store):
    store = empty_store
    # 30 亩 by April against 2,800 for the year is far behind 序时进度.
    assert upload(store, ADMIN_ACTOR, [("land_cleared", PERIOD, 30, "")]).committed
    assert flagged(store)
    store.write_explanation("land_cleared", ZONE, PERIOD, reason="拆迁协商未完成", by=ADMIN_ACTOR)
    assert not flagged(store)


def test_an_uploads_note_counts_as_the_explanation_and_an_unreported_one_is_not_flagged(empty_store):
    store = empty_store
    assert upload(store, ADMIN_ACTOR, [("land_cleared", PERIOD, 30, "受雨季影响进场推迟")]).committed
    assert not flagged(store)
    assert not flagged(store, "invoice_sales")  # no figure yet: it is 逾期, not unexplained


def test_tasks_on_the_command_line_marks_the_unexplained(empty_store):
    assert upload(empty_store, ADMIN_ACTOR, [("land_cleared", PERIOD, 30, "")]).committed
    text = run_cli("tasks", "--period", PERIOD, "--today", "2023-07-01", db=empty_store, check=True).stdout
    line = next(l for l in text.splitlines() if "（land_cleared）" in l)
    assert line.endswith("[滞后未说明]") and "1 项滞后且尚无情况说明" in text
    listed = json.loads(run_cli("tasks", "--period", PERIOD, "--json", db=empty_store, check=True).stdout)
    assert [s["code"] for s in listed if s["unexplained"]] == ["land_cleared"]


# ---- `note` on the command line ---------------------------------------------------------------

def test_note_writes_the_reason_as_the_issue_gives_the_command_and_next_steps_with_next(empty_store):
    done = run_cli("note", "land_cleared", "--period", PERIOD, "--text", "拆迁协商未完成", db=empty_store)
    assert done.returncode == 0, done.stderr
    assert "第 1 版" in done.stdout and "原因分析：拆迁协商未完成。" in done.stdout
    run_cli("note", "land_cleared", "--period", PERIOD, "--next", "5月底前签约", "--entity", ZONE,
            db=empty_store, check=True)
    shown = explanation(empty_store)
    assert (shown["reason"], shown["next_steps"], shown["written_by"]) == ("拆迁协商未完成", "5月底前签约", ADMIN)


def test_note_refuses_a_non_owner_and_an_empty_note_in_chinese(empty_store):
    add_account(empty_store, "李四", "editor")
    add_account(empty_store, "张三", "editor")
    empty_store.set_task("land_cleared", ZONE, department="自然资源和规划分局", editors=["张三"], due_day=5,
                         by=ADMIN_ACTOR)
    refused = run_cli("note", "land_cleared", "--period", PERIOD, "--text", "x", db=empty_store, user="李四")
    assert refused.returncode == 1 and "不负责" in refused.stderr and "Traceback" not in refused.stderr
    empty = run_cli("note", "land_cleared", "--period", PERIOD, db=empty_store)
    assert empty.returncode == 1 and "--text" in empty.stderr
    assert explanation(empty_store) is None


# ---- locked months (月份锁定): an explanation stays as it was reported upward -----------------------

def lock(store, period=PERIOD):
    store.set_period_lock(period, True, by=ADMIN_ACTOR, reason="已向县统计局报送")


def test_nobody_writes_changes_or_blanks_the_explanation_of_a_locked_month(store_on_each_engine):
    store = store_on_each_engine
    owner = add_account(store, "张三", "editor")
    store.write_explanation("land_cleared", ZONE, PERIOD, reason="拆迁协商未完成", next_steps="5月底前签约",
                            by=ADMIN_ACTOR)
    lock(store)
    for actor in (owner, ADMIN_ACTOR):
        with pytest.raises(PeriodLocked, match=f"{PERIOD} 已锁定.*不能再填写、修改或删除该月的情况说明.*联系管理员.*先解锁该月"):
            store.write_explanation("land_cleared", ZONE, PERIOD, reason="改过的原因", by=actor)
        with pytest.raises(PeriodLocked):
            store.write_explanation("land_cleared", ZONE, PERIOD, next_steps="", by=actor)  # blanking a part
    with pytest.raises(PeriodLocked):  # a month locked before anyone explained it
        lock(store, "2023-03") or store.write_explanation("land_cleared", ZONE, "2023-03", reason="新写的", by=owner)
    assert (explanation(store)["reason"], explanation(store)["next_steps"]) == ("拆迁协商未完成", "5月底前签约")
    assert len(store.explanation_history("land_cleared", ZONE, PERIOD)) == 1
    assert explanation(store, period="2023-03") is None and len(store.audit_log(action="explain")) == 1
    store.write_explanation("land_cleared", ZONE, "2023-05", reason="另一个月不受影响", by=owner)
    store.set_period_lock(PERIOD, False, by=ADMIN_ACTOR, reason="县统计局要求更正")
    assert store.write_explanation("land_cleared", ZONE, PERIOD, reason="改过的原因", by=owner) == 2


def test_an_uploads_note_cannot_change_or_blank_the_explanation_of_a_locked_month(store_on_each_engine):
    store = store_on_each_engine
    editor = add_account(store, "张三", "editor")

    def send(note, actor, open_month=40.0, **kwargs):
        # The locked month's figure restated unchanged with another 备注, beside a new figure in an open month.
        return store.commit_batch(pd.DataFrame([
            {"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD, "value": 30.0, "note": note},
            {"indicator_code": "land_cleared", "entity": ZONE, "period": "2023-05", "value": open_month, "note": ""}]),
            actor=actor, file_name=f"{note or '空'}.xlsx", sha256=(note or "0").encode().hex().ljust(64, "0"), **kwargs)

    store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                      "value": 30.0, "note": "受雨季影响进场推迟"}]),
                       actor=editor, file_name="四月.xlsx", sha256="a" * 64)
    lock(store)
    batches = len(store.batches())
    for note in ("改过的备注", ""):
        with pytest.raises(PeriodLocked, match=f"{PERIOD} 已锁定.*不能再上传该月数据或修改其备注（情况说明）.*联系管理员"):
            send(note, editor)
        with pytest.raises(PeriodLocked, match="须填写更正原因"):
            send(note, ADMIN_ACTOR)
    assert explanation(store)["reason"] == "受雨季影响进场推迟" and len(store.batches()) == batches
    assert "2023-05" not in set(store.observations(entity=ZONE, codes=["land_cleared"])["period"])
    # The same 备注 is no change: the open month's figure goes in.
    assert send("受雨季影响进场推迟", editor).new == 1
    # Through the upload pipeline too, an editor's 备注 for the locked month is refused.
    refused = upload(store, editor, [("land_cleared", PERIOD, 30, "改过的备注")])
    assert not refused.committed and any("已锁定" in p.message for p in refused.errors)
    # An administrator corrects it with a reason, kept with the batch.
    assert send("改过的备注", ADMIN_ACTOR, 41.0, lock_reason="县统计局要求补充说明").changed == 1
    assert explanation(store)["reason"] == "改过的备注"


def test_note_on_the_command_line_refuses_a_locked_month_and_says_to_ask_for_an_unlock(empty_store):
    lock(empty_store)
    refused = run_cli("note", "land_cleared", "--period", PERIOD, "--text", "拆迁协商未完成", db=empty_store)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"{PERIOD} 已锁定" in refused.stderr and "先解锁该月" in refused.stderr
    assert explanation(empty_store) is None


# ---- the slide and the Word report --------------------------------------------------------------

def test_the_explanation_is_under_the_indicators_chart_on_its_slide(demo_store):
    demo_store.write_explanation("land_cleared", ZONE, PERIOD, reason="拆迁协商未完成", next_steps="5月底前签约",
                                 by=ADMIN_ACTOR)
    plan, data = export_deck(demo_store, PERIOD, codes=["land_cleared"])
    index = next(i for i, s in enumerate(plan.slides) if s.code == "land_cleared")
    slide = Presentation(io.BytesIO(data)).slides[index]
    said = "原因分析：拆迁协商未完成。下步措施：5月底前签约。"
    boxes = [s for s in slide.shapes if s.has_text_frame and said in s.text_frame.text]
    chart = next(s for s in slide.shapes if s.has_chart)
    assert boxes and boxes[0].top >= chart.top + chart.height
    assert said in slide.notes_slide.notes_text_frame.text


def test_the_explanation_follows_the_indicators_report_sentence_in_the_word_report(demo_store):
    demo_store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                           "value": 300.0, "note": "含一次性收回闲置地块"}]),
                            actor=ADMIN_ACTOR, file_name="四月.xlsx", sha256="n" * 64)
    demo_store.write_explanation("land_cleared", ZONE, PERIOD, reason="拆迁协商未完成", next_steps="5月底前签约",
                                 by=ADMIN_ACTOR)
    doc = Document(io.BytesIO(build_report(plan_report(demo_store, PERIOD))))
    texts = [p.text for p in doc.paragraphs]
    sentence = next(i for i, t in enumerate(texts) if t.startswith("1-4月，全区低效用地清理面积"))
    # The written explanation, then the upload's 备注, which stays a note on the figure.
    assert texts[sentence + 1] == "原因分析：拆迁协商未完成。下步措施：5月底前签约。备注：4月 含一次性收回闲置地块"


# ---- the indicator page ------------------------------------------------------------------------

def detail_page(actor: auth.Actor | None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(lang="zh", indicator="land_cleared", period=PERIOD)
    if actor is not None:
        sign_in_app(at, actor)
    at.run()
    at.switch_page("metrics/ui/pages/detail.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_owner_writes_it_on_the_indicator_page_and_everyone_sees_it(app_db):
    store = Store(app_db)
    owner = add_account(store, "张三", "editor")
    add_account(store, "李四", "editor")
    store.set_task("land_cleared", ZONE, department="自然资源和规划分局", editors=["张三"], due_day=5, by=ADMIN_ACTOR)
    assert not detail_page(auth.Actor("李四", "editor")).text_area  # not the owner: no form
    at = detail_page(owner)
    at.text_area[0].set_value("拆迁协商未完成")
    at.text_area[1].set_value("5月底前签约")
    next(b for b in at.button if b.label == "保存情况说明").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success and "第 1 版" in at.success[0].value
    assert explanation(store)["written_by"] == "张三"
    viewer = detail_page(None)
    shown = "\n".join(m.value for m in viewer.markdown)
    assert "拆迁协商未完成" in shown and "5月底前签约" in shown and not viewer.text_area


def test_the_progress_page_flags_a_behind_indicator_without_an_explanation(initialised_app_db):
    store = Store(initialised_app_db)
    assert upload(store, ADMIN_ACTOR, [("land_cleared", PERIOD, 30, "")]).committed
    at = AppTest.from_file(str(REPO / "metrics" / "ui" / "pages" / "progress.py"), default_timeout=60).run()
    at.selectbox[0].set_value(PERIOD).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert list(table.loc[table["情况说明"] == "滞后未说明", "指标"]) == ["低效用地清理面积"]
    assert any("1 项指标滞后且尚无情况说明" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["theme_land.py", "compare.py"])
def test_the_explanation_follows_the_indicators_report_sentence_on_the_theme_and_compare_pages(app_db, page):
    Store(app_db).write_explanation("land_cleared", ZONE, PERIOD, reason="拆迁协商未完成", next_steps="5月底前签约",
                                    by=ADMIN_ACTOR)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(lang="zh", indicator="land_cleared", period=PERIOD)
    at.run()
    at.switch_page(f"metrics/ui/pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    said = next(text for text in copyable_texts(at) if "低效用地清理面积" in text)
    assert said.endswith("。原因分析：拆迁协商未完成。下步措施：5月底前签约。")


def test_on_a_locked_month_the_owner_is_told_to_ask_for_an_unlock_instead_of_offered_a_form(app_db):
    store = Store(app_db)
    owner = add_account(store, "张三", "editor")
    store.set_task("land_cleared", ZONE, department="自然资源和规划分局", editors=["张三"], due_day=5, by=ADMIN_ACTOR)
    assert detail_page(owner).text_area  # the form, while the month is open
    lock(store)
    at = detail_page(owner)
    assert not at.text_area
    assert any("已锁定" in c.value and "先解锁该月" in c.value for c in at.caption)
