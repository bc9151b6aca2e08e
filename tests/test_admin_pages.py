"""The admin pages: targets, locked months and the audit log, each refused to the wrong role."""
import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO, sign_in_app
from metrics import auth
from metrics.store import Store

PAGES = REPO / "metrics" / "ui" / "pages"


@pytest.fixture
def db(initialised_app_db):
    return initialised_app_db


def page(name: str, role: str | None) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    if role:
        sign_in_app(at, auth.Actor("测试" + role, role))
    return at.run()


@pytest.mark.parametrize("name", ["targets", "locks", "audit", "entities"])
@pytest.mark.parametrize("role", [None, "viewer", "editor"])
def test_admin_pages_show_no_controls_to_others(db, name, role):
    at = page(name, role)
    assert not at.exception
    assert at.info and ("无权" in at.info[0].value or "登录" in at.info[0].value)
    # The only controls left are the sign-in form, offered to someone not signed in.
    assert [w.label for w in at.text_input] == ([] if role else ["用户名", "密码"])
    assert [b.label for b in at.button] == ([] if role else ["登录"])


def test_an_admin_sets_a_target_and_it_is_revised_and_audited(db):
    at = page("targets", "admin")
    assert not at.exception
    at.selectbox[0].set_value("land_cleared")
    at.number_input[0].set_value(2023)
    at.selectbox[1].set_value("annual")
    at.number_input[1].set_value(3100.0)
    at.text_input[0].input("2023年党工委第3次会议")
    at.button[0].click().run()
    assert not at.exception and at.success
    store = Store(db)
    history = store.target_history("land_cleared")
    assert list(history[history.year == 2023].value) == [2800, 3100]
    assert store.audit_log().action.iloc[0] == "target"


def test_a_target_without_a_source_is_refused_in_chinese(db):
    at = page("targets", "admin")
    at.button[0].click().run()
    assert at.error and "来源" in at.error[0].value


def test_an_admin_locks_a_month(db):
    at = page("locks", "admin")
    at.text_input[0].input("2023-04")
    at.text_input[1].input("已报送县统计局")
    at.button[0].click().run()
    assert not at.exception
    assert Store(db).locked_periods() == {"2023-04"}


def test_the_audit_log_lists_events_for_an_admin(db):
    Store(db).set_period_lock("2023-04", True, by=auth.Actor("管理员", "admin"), reason="已报送")
    at = page("audit", "admin")
    assert not at.exception
    table = at.dataframe[0].value
    assert "锁定" in set(table["操作"]) and "管理员" in set(table["操作人"])


def test_an_admin_adds_an_entity_and_a_twin_by_width_is_refused_in_chinese(db):
    at = page("entities", "admin")
    at.text_input[0].set_value("测试园区（东区）")
    at.button(key="FormSubmitter:entity_add-新建主体").click()
    at.run()
    assert not at.exception and "已新建主体" in at.success[0].value
    at.text_input[0].set_value("测试园区(东区)")
    at.button(key="FormSubmitter:entity_add-新建主体").click()
    at.run()
    assert at.error and "只差全角半角" in at.error[0].value
    assert list(Store(db).entities().name).count("测试园区（东区）") == 1


def test_the_targets_page_labels_kinds_and_columns_in_english_never_raw_codes(db):
    at = AppTest.from_file(str(PAGES / "targets.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    sign_in_app(at, auth.Actor("测试admin", "admin"))
    at.run()
    assert len(at.dataframe) == 2
    for frame in (f.value for f in at.dataframe):
        assert not {"indicator_code", "set_by", "set_at", "kind", "value_max"} & set(map(str, frame.columns))
        assert "Type" in frame.columns and "Set by" in frame.columns
        assert not {"annual", "year_end", "floor", "ceiling"} & set(frame["Type"])


def test_an_admin_sets_a_phased_year_end_target(db):
    at = page("targets", "admin")
    at.selectbox[0].set_value("bonds_outstanding")
    at.number_input[0].set_value(2023)
    at.selectbox[1].set_value("year_end")
    at.number_input[1].set_value(7.0)
    at.text_input[0].input("融资计划")
    at.text_input[1].input("0,0,0,30,30,30,60,60,60,100,100,100")
    at.button[0].click().run()
    assert not at.exception and at.success
    target = Store(db).targets().query("indicator_code == 'bonds_outstanding' and year == 2023").iloc[0]
    assert target["phasing"][3] == 30
