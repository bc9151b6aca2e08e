"""The 填报进度 page (已报 N/M, the late ones first) and the 填报任务 admin page (issue 16, item 1)."""
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ADMIN, REPO, add_account, sign_in_app
from metrics import auth
from metrics.ingest import import_file
from metrics.store import Store

PAGES = REPO / "metrics" / "ui" / "pages"
ADMIN_ACTOR = auth.Actor(ADMIN, "admin")


def page(name: str, actor: auth.Actor | None) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    if actor:
        sign_in_app(at, actor)
    return at.run()


def test_the_progress_page_shows_how_many_are_in_and_the_late_ones_first(initialised_app_db):
    store = Store(initialised_app_db)
    text = "指标编码,期间,数值\nland_cleared,2023-05,120\n"
    assert import_file(store, text.encode("utf-8"), "五月.csv", actor=ADMIN_ACTOR).committed
    at = page("progress", None)
    at.selectbox[0].set_value("2023-05").run()
    assert not at.exception
    total = len(store.tasks())
    assert at.header[0].value == f"已报 1/{total}"
    table = at.dataframe[0].value
    assert list(table["状态"]) == ["逾期"] * (total - 1) + ["已报"]  # every 2023 due date has passed
    assert table["指标"].iloc[-1] == "低效用地清理面积" and table["填报人"].iloc[0] == "未指定"
    assert at.warning and f"逾期 {total - 1} 项" in at.warning[0].value


@pytest.mark.parametrize("role", [None, "viewer", "editor"])
def test_the_tasks_page_shows_no_controls_to_others(initialised_app_db, role):
    at = page("tasks", auth.Actor("测试" + role, role) if role else None)
    assert not at.exception
    assert at.info and ("无权" in at.info[0].value or "登录" in at.info[0].value)
    assert not at.multiselect


def test_an_admin_assigns_editors_and_a_due_day_and_sets_a_contact(initialised_app_db):
    store = Store(initialised_app_db)
    add_account(store, "国土", "editor")
    at = page("tasks", ADMIN_ACTOR)
    at.selectbox[0].set_value("land_cleared").run()
    at.text_input[0].set_value("国土分局")
    at.multiselect[0].set_value(["国土"])
    at.number_input[0].set_value(8)
    at.button[0].click().run()
    assert not at.exception and at.success and "国土分局" in at.success[0].value
    task = store.tasks().set_index("indicator_code").loc["land_cleared"]
    assert (task.department, task.due_day, task.editors) == ("国土分局", 8, ("国土",))
    at.selectbox[2].set_value("国土").run()
    at.text_input[1].set_value("guotu@example.gov.cn")
    at.text_input[2].set_value("138")
    at.button[1].click().run()
    assert at.error and "手机号" in at.error[0].value
    at.text_input[2].set_value("13800000001")
    at.button[1].click().run()
    assert at.success and store.contacts().to_dict("records") == [
        {"user_name": "国土", "email": "guotu@example.gov.cn", "mobile": "13800000001"}]
