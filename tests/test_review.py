"""审核 (issue 16, item 3): with review on, an upload waits until a reviewer approves it; leaders'
reads, the deck and the report leave it out and count it; rejection carries a reason; undo,
corrections and the archive rebuild keep one current figure per key, on both engines."""
import datetime as dt

import pytest

from conftest import ADMIN, add_account, run_cli
from metrics import auth, backup, catalog, tasks, tracker
from metrics.export.deck.plan import plan_deck
from metrics.export.report_docx import plan_report
from metrics.ingest import import_file, undo_upload
from metrics.store import StoreError

ZONE = catalog.ZONE
ADMIN_ACTOR = auth.Actor(ADMIN, "admin")
MAY = "2023-05"


def upload(store, actor, value, code="land_cleared", period=MAY):
    text = f"指标编码,期间,数值\n{code},{period},{value}\n"
    result = import_file(store, text.encode("utf-8"), f"{code}{period}-{value}.csv", actor=actor)
    assert result.committed, [p.message for p in result.errors]
    return result


def live(store, code="land_cleared", period=MAY):
    figures = store.observations(entity=ZONE, codes=[code])
    values = figures.loc[figures["period"] == period, "value"].tolist()
    return values[0] if values else None


@pytest.fixture
def reviewed(store_on_each_engine):
    """A store with review on, an editor and a reviewer: (store, editor, reviewer)."""
    store = store_on_each_engine
    editor, reviewer = add_account(store, "国土统计员", "editor"), add_account(store, "审核人", "reviewer")
    store.set_review_required(True, by=ADMIN_ACTOR)
    return store, editor, reviewer


def test_without_review_an_upload_is_live_at_once(store_on_each_engine):
    result = upload(store_on_each_engine, ADMIN_ACTOR, 120)
    assert not result.pending_review and live(store_on_each_engine) == 120
    assert store_on_each_engine.pending_figures().empty


def test_a_pending_upload_is_held_but_leaders_do_not_see_it_until_approved(reviewed):
    store, editor, reviewer = reviewed
    result = upload(store, editor, 120)
    assert result.pending_review
    assert live(store) is None and MAY not in store.periods()
    assert tracker.pending_review_count(store, MAY, ZONE) == 1
    assert [s.state for s in tasks.progress(store, MAY, dt.date(2023, 6, 1)) if s.code == "land_cleared"] == \
        ["pending_review"]
    approved = store.approve_batch(result.batch_id, by=reviewer)
    assert approved["figures"] == 1 and live(store) == 120
    assert tracker.pending_review_count(store, MAY, ZONE) == 0
    assert [s.state for s in tasks.progress(store, MAY, dt.date(2023, 6, 1)) if s.code == "land_cleared"] == \
        ["approved"]
    event = store.audit_log(action="approve").iloc[0]
    assert event.user_name == "审核人" and event.subject.startswith(f"批次{result.batch_id} ")
    assert store.verify() == []


def test_a_rejected_batch_never_goes_live_and_the_editor_sees_why_and_can_upload_again(reviewed):
    store, editor, reviewer = reviewed
    first = upload(store, editor, 1200)
    with pytest.raises(StoreError, match="退回须填写原因"):
        store.reject_batch(first.batch_id, "  ", by=reviewer)
    store.reject_batch(first.batch_id, "多填了一个零", by=reviewer)
    batch = store.batches().set_index("id").loc[first.batch_id]
    assert (batch.review, batch.reviewed_by, batch.review_reason) == ("rejected", "审核人", "多填了一个零")
    assert live(store) is None and store.pending_figures().empty
    assert store.audit_log(action="reject").iloc[0].after == '{"review": "rejected", "reason": "多填了一个零"}'
    with pytest.raises(StoreError, match="已由审核人退回"):
        store.approve_batch(first.batch_id, by=reviewer)
    with pytest.raises(StoreError, match="已被退回"):
        undo_upload(store, first.batch_id, editor)
    again = upload(store, editor, 120)
    store.approve_batch(again.batch_id, by=reviewer)
    assert live(store) == 120 and store.verify() == []


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_a_reviewer_or_administrator_approves_or_rejects(reviewed, role):
    store, editor, _ = reviewed
    result = upload(store, editor, 120)
    someone = auth.Actor("某人", role)
    with pytest.raises(auth.PermissionDenied, match="无权审核"):
        store.approve_batch(result.batch_id, by=someone)
    with pytest.raises(auth.PermissionDenied, match="无权审核"):
        store.reject_batch(result.batch_id, "不对", by=someone)
    with pytest.raises(auth.PermissionDenied, match="无权开启或关闭上传审核"):
        store.set_review_required(False, by=someone)
    assert live(store) is None
    store.approve_batch(result.batch_id, by=ADMIN_ACTOR)
    assert live(store) == 120


def test_a_correction_waiting_for_review_leaves_the_approved_figure_live(reviewed):
    store, editor, reviewer = reviewed
    store.approve_batch(upload(store, editor, 120).batch_id, by=reviewer)
    correction = upload(store, editor, 130)
    later = upload(store, editor, 140)
    assert live(store) == 120  # the leaders keep the approved figure until a correction is approved
    store.approve_batch(later.batch_id, by=reviewer)
    assert live(store) == 140
    store.approve_batch(correction.batch_id, by=reviewer)  # approved after a later revision: that one stays
    assert live(store) == 140
    undo_upload(store, later.batch_id, editor)
    assert live(store) == 130
    assert store.verify() == []


def test_a_month_locked_after_the_upload_cannot_be_approved(reviewed):
    store, editor, reviewer = reviewed
    result = upload(store, editor, 120)
    store.set_period_lock(MAY, True, by=ADMIN_ACTOR, reason="已向县统计局报送")
    with pytest.raises(StoreError, match="2023-05 在本批次上传后已锁定"):
        store.approve_batch(result.batch_id, by=reviewer)
    assert live(store) is None
    store.reject_batch(result.batch_id, "该月已报送", by=reviewer)
    assert store.verify() == []


def test_an_editor_withdraws_a_pending_batch_by_undoing_it(reviewed):
    store, editor, reviewer = reviewed
    result = upload(store, editor, 120)
    assert store.undo_effects(result.batch_id).empty  # nothing leaders see moves
    undo_upload(store, result.batch_id, editor)
    assert store.pending_figures().empty and live(store) is None
    with pytest.raises(StoreError, match="已由上传人撤销"):
        store.approve_batch(result.batch_id, by=reviewer)


def test_switching_review_is_audited_and_leaves_waiting_batches_waiting(reviewed):
    store, editor, _ = reviewed
    result = upload(store, editor, 120)
    store.set_review_required(False, by=ADMIN_ACTOR)
    assert not store.review_required()
    assert store.audit_log(action="review_mode").iloc[0].after == '{"on": false}'
    assert live(store) is None and set(store.pending_figures()["batch_id"]) == {result.batch_id}
    assert not upload(store, editor, 130, period="2023-06").pending_review


def test_the_deck_and_the_report_leave_pending_figures_out_and_say_how_many(demo_store):
    editor = add_account(demo_store, "统计员", "editor")
    demo_store.set_review_required(True, by=ADMIN_ACTOR)
    before = live(demo_store, period="2023-04")
    upload(demo_store, editor, 9999, period="2023-04")
    assert live(demo_store, period="2023-04") == before
    assert "另有1项数据待审核，未计入" in plan_deck(demo_store, "2023-04").slides[0].subtitle
    assert "另有1项数据待审核，未计入。" in plan_report(demo_store, "2023-04").headline


def test_the_archive_rebuild_replays_reviews(tmp_path, empty_store):
    store = empty_store
    editor, reviewer = add_account(store, "统计员", "editor"), add_account(store, "审核人", "reviewer")
    store.set_review_required(True, by=ADMIN_ACTOR)
    store.approve_batch(upload(store, editor, 120).batch_id, by=reviewer)
    store.reject_batch(upload(store, editor, 1300).batch_id, "不对", by=reviewer)
    upload(store, editor, 150, period="2023-06")  # still waiting
    rebuilt, problems = backup.rebuild_from_archive(store, tmp_path / "rebuilt")
    assert problems == []
    assert set(rebuilt.pending_figures()["period"]) == {"2023-06"}


def test_approve_and_reject_on_the_command_line(empty_store):
    store = empty_store
    editor = add_account(store, "统计员", "editor")
    add_account(store, "审核人", "reviewer")
    assert "已开启" in run_cli("review", "on", db=store, check=True).stdout
    first, second = upload(store, editor, 120), upload(store, editor, 130, period="2023-06")
    refused = run_cli("approve", str(first.batch_id), db=store, user="统计员")
    assert refused.returncode == 1 and "无权审核" in refused.stderr
    done = run_cli("approve", str(first.batch_id), db=store, user="审核人", check=True)
    assert f"已审核通过批次 {first.batch_id}" in done.stdout and live(store) == 120
    missing_reason = run_cli("reject", str(second.batch_id), db=store, user="审核人")
    assert missing_reason.returncode == 2 and "--reason" in missing_reason.stderr
    sent_back = run_cli("reject", str(second.batch_id), "--reason", "6月数未核", db=store, user="审核人", check=True)
    assert f"已退回批次 {second.batch_id}" in sent_back.stdout
    assert store.batches().set_index("id").loc[second.batch_id].review_reason == "6月数未核"
    shown = run_cli("show", "land_cleared", "--history", db=store, check=True).stdout.splitlines()
    assert [line.split()[-1] for line in shown if line.startswith("  2023-06")] == ["已退回"]
    again = run_cli("approve", str(second.batch_id), db=store, user="审核人")
    assert again.returncode == 1 and "不在待审核之列" in again.stderr
    assert "待审核批次 0 个" in run_cli("review", "status", db=store, check=True).stdout


# ---- the screens -------------------------------------------------------------------------------

def page(name: str, actor: auth.Actor | None = None):
    from streamlit.testing.v1 import AppTest

    from conftest import REPO, sign_in_app
    at = AppTest.from_file(str(REPO / "metrics" / "ui" / "pages" / f"{name}.py"), default_timeout=60)
    if actor:
        sign_in_app(at, actor)
    return at.run()


def test_the_overview_and_indicator_page_leave_a_pending_figure_out_and_count_it(app_db):
    from metrics.store import Store
    store = Store(app_db)
    editor = add_account(store, "统计员", "editor")
    store.set_review_required(True, by=ADMIN_ACTOR)
    before = live(store, period="2023-04")
    upload(store, editor, 9999, period="2023-04")
    overview = page("overview")
    assert not overview.exception
    assert any("另有 1 项待审核" in c.value for c in overview.caption)
    assert not any("9,999" in m.value for m in overview.markdown)
    detail = page("detail")
    assert not detail.exception and any("另有 1 项待审核" in c.value for c in detail.caption)
    assert live(store, period="2023-04") == before


def test_a_reviewer_approves_on_the_review_page_and_the_editor_sees_a_rejection(initialised_app_db):
    from metrics.store import Store
    store = Store(initialised_app_db)
    editor, reviewer = add_account(store, "统计员", "editor"), add_account(store, "审核人", "reviewer")
    store.set_review_required(True, by=ADMIN_ACTOR)
    first, second = upload(store, editor, 120), upload(store, editor, 130, period="2023-06")
    assert page("review", editor).info[0].value.startswith("账户“统计员”的角色是填报")  # no controls for editors
    at = page("review", reviewer)
    assert not at.exception and not at.toggle  # only an administrator switches review
    assert len(at.dataframe) == 2 and at.dataframe[0].value.iloc[0, -1] == 120
    at.button(key=f"approve_{first.batch_id}").click().run()
    assert at.success and f"已通过批次 {first.batch_id}" in at.success[0].value
    assert live(store) == 120 and len(at.dataframe) == 1
    at.text_input(key=f"reason_{second.batch_id}").set_value("6月数未核")
    at.button(key=f"reject_{second.batch_id}").click().run()
    assert at.success and at.info[0].value == "没有待审核的上传。"
    history = page("upload", editor)
    assert any("已退回（审核人）：6月数未核" in e.value for e in history.error)
    assert any("已通过审核（审核人）" in c.value for c in history.caption)
