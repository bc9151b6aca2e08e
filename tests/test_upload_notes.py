"""Issue 16 (情况说明): a month's file sent again with its figures unchanged but 备注 added or
changed writes those 备注 (the month's 原因分析) as one audited batch, once; one that changes
neither says nothing has changed and writes nothing. Through the library and `python -m metrics
import`, on a real DuckDB file and a real PostgreSQL."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ADMIN, REPO, add_account, run_cli, sign_in_app
from import_fixtures import csv_bytes
from metrics import auth, catalog, tracker
from metrics.ingest import import_file, preview_file, undo_upload
from metrics.store import PeriodLocked, Store

ZONE = catalog.ZONE
ADMIN_ACTOR = auth.Actor(ADMIN, "admin")
PERIOD = "2023-04"
NOTE = "受雨季影响进场推迟"


def month_file(land_note: str = "", sales_note: str = "") -> bytes:
    """April's file: two figures, the same every time, with the 备注 given."""
    return csv_bytes([["指标编码", "期间", "数值", "备注"],
                      ["land_cleared", PERIOD, 30, land_note], ["invoice_sales", PERIOD, 20, sales_note]])


def shown_reason(store: Store, code: str = "land_cleared") -> str | None:
    rows = store.explanations(PERIOD, entity=ZONE, code=code)
    return None if rows.empty else rows["reason"].iloc[0]


def uploads(store: Store) -> list[dict]:
    events = store.audit_log(action="upload")
    return [json.loads(after) for after in events["after"]]


def test_a_file_that_only_adds_a_note_writes_it_once_audited_and_undo_gives_the_old_one_back(store_on_each_engine):
    store = store_on_each_engine
    first = import_file(store, month_file(), "四月.csv", actor=ADMIN_ACTOR)
    assert first.committed and shown_reason(store) is None

    preview = preview_file(store, month_file(NOTE), "四月（补备注）.csv", actor=ADMIN_ACTOR)
    assert preview.summary == {"new": 0, "changed": 0, "unchanged": 2}
    assert preview.new_notes == 1 and not preview.changes_nothing
    noted = import_file(store, month_file(NOTE), "四月（补备注）.csv", actor=ADMIN_ACTOR)
    assert noted.committed and noted.batch_id is not None
    # The 备注 is the month's 原因分析, on every screen that reads it.
    explained = store.explanations(PERIOD, entity=ZONE, code="land_cleared").iloc[0]
    assert (explained["reason"], explained["source"], explained["written_by"]) == (NOTE, "note", ADMIN)
    assert store.figure_notes("land_cleared", ZONE, PERIOD).to_dict("records") == [{"period": PERIOD, "note": NOTE}]
    # Only the figure given a new 备注 is written, as a restating revision; its value is as it was.
    land = store.history("land_cleared", ZONE)
    assert list(land["revision"]) == [1, 2] and list(land["value"]) == [30, 30] and bool(land["restated"].iloc[1])
    assert len(store.history("invoice_sales", ZONE)) == 1
    batch = store.batches().set_index("id").loc[noted.batch_id]
    assert (batch.n_new, batch.n_changed, batch.n_unchanged, batch.n_new_notes) == (0, 0, 2, 1)
    assert uploads(store)[0] | {"sha256": ""} == {"new": 0, "changed": 0, "unchanged": 2, "new_notes": 1, "sha256": "",
                                                  "source": "upload", "note": "", "review": "approved"}

    # The same file again: nothing is new, nothing is written.
    batches, events = len(store.batches()), len(store.audit_log())
    again = import_file(store, month_file(NOTE), "四月（补备注）.csv", actor=ADMIN_ACTOR)
    assert again.changes_nothing and again.batch_id is None and not again.committed
    assert (len(store.batches()), len(store.audit_log())) == (batches, events)
    assert len(store.history("land_cleared", ZONE)) == 2

    # A changed 备注 replaces it; undoing that batch gives the earlier 备注 back, and says so first.
    changed = import_file(store, month_file("两宗地块拆迁协商未完成"), "四月（改备注）.csv", actor=ADMIN_ACTOR)
    assert changed.new_notes == 1 and shown_reason(store) == "两宗地块拆迁协商未完成"
    assert tracker.undo_lines(store.undo_effects(changed.batch_id)) == [
        f"低效用地清理面积 {ZONE} 2023年4月：30 → 30，备注“两宗地块拆迁协商未完成” → “{NOTE}”"]
    undo_upload(store, changed.batch_id, ADMIN_ACTOR)
    assert shown_reason(store) == NOTE
    undo_upload(store, noted.batch_id, ADMIN_ACTOR)
    assert shown_reason(store) is None and store.observations(entity=ZONE, codes=["land_cleared"])["value"].tolist() == [30]
    assert store.verify() == []


def test_a_file_sent_again_without_its_notes_changes_nothing_and_erases_no_note(store_on_each_engine):
    store = store_on_each_engine
    assert import_file(store, month_file(NOTE), "四月.csv", actor=ADMIN_ACTOR).committed
    batches = len(store.batches())
    again = import_file(store, month_file(), "四月（无备注）.csv", actor=ADMIN_ACTOR)
    assert again.ok and again.changes_nothing and again.new_notes == 0 and again.batch_id is None
    assert len(store.batches()) == batches and shown_reason(store) == NOTE


def test_a_note_only_file_keeps_the_permission_ownership_and_locked_month_rules(store_on_each_engine):
    store = store_on_each_engine
    owner, other = add_account(store, "张三", "editor"), add_account(store, "李四", "editor")
    for code in ("land_cleared", "invoice_sales"):
        store.set_task(code, ZONE, department="自然资源和规划分局", editors=["张三"], due_day=5, by=ADMIN_ACTOR)
    assert import_file(store, month_file(), "四月.csv", actor=owner).committed
    batches = len(store.batches())
    viewer = add_account(store, "王五", "viewer")
    with pytest.raises(auth.PermissionDenied):
        import_file(store, month_file(NOTE), "四月.csv", actor=viewer)
    with pytest.raises(auth.PermissionDenied, match="李四”不负责.*低效用地清理面积.*张三填报.*不能上传或更正这些数据"):
        import_file(store, month_file(NOTE), "四月.csv", actor=other)
    assert len(store.batches()) == batches and shown_reason(store) is None

    store.set_period_lock(PERIOD, True, by=ADMIN_ACTOR, reason="已向县统计局报送")
    refused = import_file(store, month_file(NOTE), "四月.csv", actor=owner)
    assert not refused.committed and any("已锁定（已报送上级），不能再上传该月数据" in p.message for p in refused.errors)
    # The store's own rule, whatever calls it, with its message.
    preview = preview_file(store, month_file(NOTE), "四月.csv", actor=ADMIN_ACTOR)
    rows = preview.preview[["indicator_code", "entity", "period", "months", "value", "note", "published_yoy"]]
    with pytest.raises(PeriodLocked, match=f"{PERIOD} 已锁定.*不能再上传该月数据或修改其备注（情况说明）.*联系管理员"):
        store.commit_batch(rows, actor=owner, file_name="四月.csv", sha256="a" * 64)
    with pytest.raises(PeriodLocked, match="须填写更正原因"):
        import_file(store, month_file(NOTE), "四月.csv", actor=ADMIN_ACTOR)
    assert len(store.batches()) == batches and shown_reason(store) is None
    # An administrator corrects the locked month's 情况说明 with a reason, kept with the batch.
    corrected = import_file(store, month_file(NOTE), "四月.csv", actor=ADMIN_ACTOR, lock_reason="县统计局要求补充说明")
    assert corrected.committed and shown_reason(store) == NOTE
    assert "县统计局要求补充说明" in store.batches().set_index("id").loc[corrected.batch_id, "note"]
    # Undoing it would change the locked month's 情况说明: refused until the month is unlocked.
    with pytest.raises(PeriodLocked, match="已锁定月份"):
        undo_upload(store, corrected.batch_id, ADMIN_ACTOR)


def pending_note_upload(store):
    """An editor's month, then, with review turned on, the same month again with a 备注 added."""
    editor = add_account(store, "张三", "editor")
    assert import_file(store, month_file(), "四月.csv", actor=editor).committed
    store.set_review_required(True, by=ADMIN_ACTOR)
    return import_file(store, month_file(NOTE), "四月（补备注）.csv", actor=editor)


def test_a_note_only_upload_waits_for_review_and_approval_brings_its_note(store_on_each_engine):
    store = store_on_each_engine
    sent = pending_note_upload(store)
    assert sent.pending_review and shown_reason(store) is None
    store.approve_batch(sent.batch_id, by=ADMIN_ACTOR)
    assert shown_reason(store) == NOTE


def test_a_locked_month_stops_approving_a_pending_note(store_on_each_engine):
    store = store_on_each_engine
    sent = pending_note_upload(store)
    store.set_period_lock(PERIOD, True, by=ADMIN_ACTOR, reason="已向县统计局报送")
    with pytest.raises(PeriodLocked, match="在本批次上传后已锁定"):
        store.approve_batch(sent.batch_id, by=ADMIN_ACTOR)
    assert shown_reason(store) is None


def test_the_command_line_says_a_file_only_brings_notes_writes_them_once_then_says_nothing_changed(
        store_on_each_engine, tmp_path):
    store = store_on_each_engine
    plain, noted = tmp_path / "四月.csv", tmp_path / "四月（补备注）.csv"
    plain.write_bytes(month_file())
    noted.write_bytes(month_file(NOTE))
    run_cli("import", str(plain), db=store, check=True)

    tried = run_cli("import", str(noted), "--dry-run", db=store, check=True).stdout
    assert "试导入通过（未写入）：将只写入 1 个数据新填写或修改过的备注" in tried and "数值没有变化（2 个数据与库中相同）" in tried
    assert json.loads(run_cli("import", str(noted), "--dry-run", "--json", db=store, check=True).stdout)["new_notes"] == 1
    assert shown_reason(store) is None

    done = run_cli("import", str(noted), db=store, check=True).stdout
    assert "已导入批次 2（四月（补备注）.csv）：只写入 1 个数据新填写或修改过的备注" in done
    assert shown_reason(store) == NOTE and uploads(store)[0]["new_notes"] == 1
    assert store.figure_notes("land_cleared", ZONE, PERIOD)["note"].tolist() == [NOTE]

    events = len(store.audit_log())
    again = run_cli("import", str(noted), db=store, check=True).stdout
    assert "2 个数据与库中完全相同，备注也没有新内容，没有变化，未新建批次" in again
    assert len(store.batches()) == 2 and len(store.audit_log()) == events

    undone = run_cli("undo", "2", db=store, check=True).stdout
    assert f"30 → 30，备注“{NOTE}” → 无备注" in undone and shown_reason(store) is None


def test_the_upload_page_says_a_file_only_brings_notes_and_confirming_writes_them(initialised_app_db):
    store = Store(initialised_app_db)
    import_file(store, month_file(), "四月.csv", actor=ADMIN_ACTOR)

    def page() -> AppTest:
        at = AppTest.from_file(str(REPO / "metrics" / "ui" / "pages" / "upload.py"), default_timeout=60)
        sign_in_app(at, auth.Actor("统计员甲", "editor"))
        at.run()
        at.file_uploader[0].set_value(("四月（补备注）.csv", month_file(NOTE), "text/csv"))
        return at.run()

    at = page()
    assert not at.exception
    assert any("文件没有改动任何数值，但有 1 个数据的备注是新填写或修改过的" in i.value for i in at.info)
    preview = at.dataframe[0].value
    assert dict(zip(preview["指标"], preview["新备注"])) == {"低效用地清理面积": NOTE, "规上工业开票销售": ""}
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception and at.success and "写入了 1 个数据新填写或修改过的备注" in at.success[0].value
    assert shown_reason(store) == NOTE

    at = page()  # the same file again
    assert any("备注也没有新内容，无需导入" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "确认导入"]

    # The history says what the batch of 备注 brought, not only that it changed no figure.
    at = AppTest.from_file(str(REPO / "metrics" / "ui" / "pages" / "upload.py"), default_timeout=60)
    sign_in_app(at, auth.Actor("统计员甲", "editor"))
    lines = [m.value for m in at.run().markdown if "**批次" in m.value]
    assert len(lines) == 2 and "新增 0、修改 0、未变 2（其中 1 个补写或修改了备注）" in lines[0]
    assert "四月（补备注）" in lines[0] and "其中" not in lines[1]  # the first upload brought figures only


def test_a_note_is_kept_as_typed_with_only_what_no_document_can_hold_taken_out(store_on_each_engine):
    store = store_on_each_engine
    # Full-width punctuation as a 公文 writes it, Word's manual line break (a vertical tab once
    # pasted into Excel), a bell and a right-to-left override that would make the text read otherwise.
    typed = " 受雨季影响，进场推迟（约２周）\x0b详见附件\x07\u202e "
    assert import_file(store, month_file(typed), "四月.csv", actor=ADMIN_ACTOR).committed
    kept = "受雨季影响，进场推迟（约２周）\n详见附件"
    assert store.figure_notes("land_cleared", ZONE, PERIOD)["note"].tolist() == [kept]
    assert shown_reason(store) == kept
    # The same file again changes nothing: the comparison sees what was kept.
    assert preview_file(store, month_file(typed), "四月.csv", actor=ADMIN_ACTOR).changes_nothing


def test_batches_written_before_the_note_count_existed_are_counted_when_migrated(store_on_each_engine):
    store = store_on_each_engine
    import_file(store, month_file(), "四月.csv", actor=ADMIN_ACTOR)
    import_file(store, month_file(NOTE, "开票系统延迟"), "四月（补备注）.csv", actor=ADMIN_ACTOR)
    with store.connect() as con:  # the database as the version before the count left it
        con.execute("ALTER TABLE batch DROP COLUMN n_new_notes")
        con.execute("DELETE FROM schema_version WHERE version = ?", [store.schema_latest])
    assert store.migrate() == [store.schema_latest]
    assert store.batches().sort_values("id")["n_new_notes"].tolist() == [0, 2]
