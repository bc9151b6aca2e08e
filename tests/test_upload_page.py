"""Issue 3: the upload page through AppTest: preview, confirm, errors with their xlsx, template, history, undo."""
import io

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import REPO, sign_in_app
from import_fixtures import csv_bytes
from metrics import auth, tracker
from metrics.store import Store
from metrics.ui import reads

PAGE = REPO / "metrics" / "ui" / "pages" / "upload.py"
CSV = "text/csv"
MAY = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 120], ["hightech_new", "2023-05", 2]])


@pytest.fixture
def db(initialised_app_db):
    return initialised_app_db


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """What each download button offers, by label (AppTest keeps no media files after a run); a
    file built only when it is clicked is built here as a click would."""
    offered = {}
    original = st.download_button

    def recording(label, data, *args, **kwargs):
        offered[label] = data() if callable(data) else data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return offered


def page(role: str | None = "editor", name: str = "统计员甲") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    if role:
        sign_in_app(at, auth.Actor(name, role))
    return at.run()


def upload(at: AppTest, file_name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((file_name, data, CSV))
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("role", [None, "viewer"])
def test_the_upload_page_shows_no_upload_controls_to_viewers_or_anonymous_users(db, role):
    at = page(role)
    assert not at.exception
    assert at.info and ("无权" in at.info[0].value or "登录" in at.info[0].value)
    assert not at.file_uploader


def test_a_file_is_previewed_then_committed_as_one_batch_on_confirmation(db):
    at = upload(page(), "五月.csv", MAY)
    assert not at.exception
    preview = at.dataframe[0].value
    assert list(preview["变化"]) == ["新增", "新增"] and set(preview["新值"]) == {"120", "2"}
    assert list(preview["原值"]) == ["—", "—"]
    assert Store(db).batches().empty  # nothing written by the preview, however often the page reruns
    at.run()
    assert Store(db).batches().empty
    button(at, "确认导入").click().run()
    assert not at.exception
    assert at.success and "批次 1" in at.success[0].value
    batches = Store(db).batches()
    assert len(batches) == 1 and batches.user_name.tolist() == ["统计员甲"] and batches.n_new.tolist() == [2]
    at.run()
    assert len(Store(db).batches()) == 1  # a rerun after the commit does not import again


def problem_tables(at) -> list:
    """The tables listing problems one by one (the 同一原因 summary has no 说明 column)."""
    return [table.value for table in at.table if "说明" in table.value.columns]


def test_repeated_errors_are_summarised_as_one_cause_with_their_rows(db):
    rows = [["指标编码", "期间", "数值"]] + [["land_cleared", f"2023-{m:02d}", "十二"] for m in range(1, 5)]
    at = upload(page(), "四行同错.csv", csv_bytes(rows))
    summary = [table.value for table in at.table if "原因" in table.value.columns]
    assert summary and list(summary[0]["出现"]) == ["同一原因 4 行"] and summary[0]["所在行"].iloc[0] == "2、3、4、5"
    (errors,) = problem_tables(at)
    assert set(errors["指标"]) == {"低效用地清理面积"} and len(errors) == 4


def test_a_changed_figure_shows_its_old_and_new_value_in_the_preview(db):
    upload(page(), "五月.csv", MAY)
    button(upload(page(), "五月.csv", MAY), "确认导入").click().run()
    corrected = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 125]])
    at = upload(page(), "更正.csv", corrected)
    row = at.dataframe[0].value.iloc[0]
    assert (row["变化"], row["原值"], row["新值"]) == ("修改", "120", "125")
    assert any("将修订" in w for w in problem_tables(at)[0]["说明"])


def test_errors_show_as_a_table_with_the_errors_workbook_to_download_and_nothing_is_written(db, import_corpus,
                                                                                          downloads):
    at = upload(page(), "err_many.xlsx", import_corpus["err_many.xlsx"].read_bytes())
    assert not at.exception
    assert at.error and "6 个错误" in at.error[0].value
    (errors,) = problem_tables(at)
    assert sorted(errors["行号"]) == ["3", "4", "5", "6", "7", "8"]
    assert any("不是数字" in message for message in errors["说明"])
    marked = openpyxl.load_workbook(io.BytesIO(downloads["下载错误标注表（xlsx）"]))["错误标注"]
    assert marked["D2"].value == "错误说明" and "不是数字" in marked["D3"].value
    assert not [b for b in at.button if b.label == "确认导入"]
    assert Store(db).batches().empty


def test_an_unreadable_file_shows_why_in_chinese(db, import_corpus):
    at = upload(page(), "safety_encrypted.xlsx", import_corpus["safety_encrypted.xlsx"].read_bytes())
    assert not at.exception and "加密" in at.error[0].value


def test_warnings_must_be_acknowledged_before_the_import_can_be_confirmed(db, import_corpus):
    at = upload(page(), "warn_jump.csv", import_corpus["warn_jump.csv"].read_bytes())
    assert at.warning and button(at, "确认导入").disabled
    at.checkbox[0].check().run()
    button(at, "确认导入").click().run()
    assert at.success and len(Store(db).batches()) == 1


def test_the_template_is_offered_for_the_month_after_the_latest_figures_and_any_chosen_month(db, downloads):
    tracker.load_demo(Store(db))
    at = page()
    assert not at.exception
    assert at.selectbox(key="template_period").value == "2023-05"
    at.selectbox(key="template_period").set_value("2023-03").run()
    assert not at.exception
    template = openpyxl.load_workbook(io.BytesIO(downloads["下载填报模板（xlsx）"]))["月度填报"]
    assert template["A1"].value.endswith("（2023年3月）") and template["D4"].value == "2023-03"


def test_the_history_lists_uploads_and_undo_restores_after_a_second_click(db):
    at = upload(page(), "五月.csv", MAY)
    button(at, "确认导入").click().run()
    assert any(reads.inert("五月.csv") in m.value for m in at.markdown)  # the name as text, never Markdown
    at.button(key="undo_1").click().run()
    assert Store(db).batches().undone_at.isna().all()  # the first click only asks for confirmation
    at.button(key="undo_confirm_1").click().run()
    assert not at.exception and "已撤销批次 1" in at.success[0].value
    assert Store(db).observations().empty


def test_an_editor_is_offered_undo_only_on_their_own_uploads(db):
    at = upload(page(name="统计员乙"), "五月.csv", MAY)
    button(at, "确认导入").click().run()
    assert [b.key for b in at.button if b.key and b.key.startswith("undo_")] == ["undo_1"]
    other = page(name="统计员甲")
    assert not [b for b in other.button if b.key and b.key.startswith("undo_")]
    admin = page(role="admin", name="管理员")
    assert [b.key for b in admin.button if b.key and b.key.startswith("undo_")] == ["undo_1"]
    assert Store(db).batches().undone_at.isna().all()


def test_the_undo_confirmation_lists_what_will_revert(db):
    at = upload(page(), "五月.csv", MAY)
    button(at, "确认导入").click().run()
    at.button(key="undo_1").click().run()
    assert "将恢复为此前的值" in at.warning[0].value
    assert any("低效用地清理面积 XX经济开发区 2023年5月：120 → 无数据" in c.value for c in at.code)
