"""The 整改进展 page with an editable ledger (issue 16, item 5): overdue measures highlighted, the
xlsx download, the edit form for administrators and lead units, and the indicator page's list of
the measures linked to it."""
import re

from streamlit.testing.v1 import AppTest

from conftest import ADMIN, REPO, add_account, sign_in_app
from metrics import auth
from metrics.store import Store

PAGES = REPO / "metrics" / "ui" / "pages"
ADMIN_ACTOR = auth.Actor(ADMIN, "admin")


def page(name: str, actor: auth.Actor | None = None, lang: str = "zh", **state) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    at.query_params["lang"] = lang
    if actor:
        sign_in_app(at, actor)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def measures_of(at: AppTest, problem_id: str):
    """The measures table in the problem's expander."""
    expander = next(e for e in at.expander if e.label.startswith(problem_id + " "))
    return expander.dataframe[0]


def test_overdue_measures_are_listed_and_highlighted(initialised_app_db):
    store = Store(initialised_app_db)
    store.set_ledger("P20", 3, by=ADMIN_ACTOR, deadline="2999-12-31")  # not due yet
    at = page("rectification")
    assert at.error and at.error[0].value == ("2 项整改措施已过完成时限仍未完成：P20 第1项（时限 2023-06）；"
                                              "P20 第2项（时限 2023-06）")
    p20 = measures_of(at, "P20")
    assert p20.value["逾期"].tolist() == ["⚠ 已逾期", "⚠ 已逾期", ""]
    assert p20.value["完成时限"].tolist() == ["2023-06", "2023-06", "2999-12-31"]
    # The overdue rows are drawn on a red ground, the others not.
    styles = p20.proto.arrow_data.styler.styles
    red = re.search(r"([^}]*)\{ background-color: #f8d7da \}", styles).group(1)
    assert sorted(re.findall(r"_row(\d+)_col\d+", red)) == ["0"] * len(p20.value.columns) + ["1"] * len(p20.value.columns)
    assert next(e for e in at.expander if e.label.startswith("P20 ")).proto.expanded
    problems = at.dataframe[0].value.set_index("编号")
    assert problems.at["P20", "逾期措施"] == 2 and problems.at["P19", "逾期措施"] == 0


def test_the_ledger_downloads_as_xlsx_and_the_reports_disagreement_stays(initialised_app_db):
    at = page("rectification")
    assert [b.label for b in at.get("download_button")] == ["下载整改台账（xlsx）"]
    assert "已完成 17 个，正在推进 7 个" in at.warning[0].value and "已整改完成 18 个，正在推进 6 个" in at.warning[0].value


def test_someone_not_signed_in_sees_no_edit_controls(initialised_app_db):
    at = page("rectification")
    assert any("登录后，管理员和牵头单位可在此修改" in c.value for c in at.caption)
    assert not at.text_input and not at.selectbox


def test_an_administrator_edits_a_measure_on_the_page(initialised_app_db):
    store = Store(initialised_app_db)
    at = page("rectification", ADMIN_ACTOR)
    at.selectbox(key="ledger_problem").set_value("P21").run()
    at.selectbox(key="ledger_item_P21").set_value(2).run()
    at.text_input[1].set_value("钱副主任")       # 责任领导
    at.text_input[2].set_value("2023-09-30")    # 完成时限
    at.multiselect[0].set_value(["foreign_capital"])
    at.button[0].click().run()
    assert not at.exception and at.success[0].value == "已保存 P21 第2项措施 的修改，已记入操作日志。"
    _, _, measures = store.ledger()
    edited = measures[(measures["problem_id"] == "P21") & (measures["measure_no"] == 2)].iloc[0]
    assert (edited.leader, edited.deadline, list(edited.indicators)) == ("钱副主任", "2023-09-30", ["foreign_capital"])
    # Only what was changed is written: the lead unit still follows the problem's.
    assert store.audit_log(action="ledger_edit").iloc[0]["after"] == (
        '{"leader": "钱副主任", "deadline": "2023-09-30", "indicators": ["foreign_capital"]}')


def test_closing_a_problem_too_early_says_what_is_missing(initialised_app_db):
    at = page("rectification", ADMIN_ACTOR)
    at.selectbox(key="ledger_problem").set_value("P23").run()
    at.selectbox[2].set_value("done")  # the form's 状态
    at.button[0].click().run()
    assert at.error[-1].value.startswith("P23 还不能销号：第1项措施（一是）尚未完成、没有佐证材料")


def test_an_editor_of_another_unit_is_refused_in_chinese(initialised_app_db):
    store = Store(initialised_app_db)
    add_account(store, "统计", "editor")
    at = page("rectification", auth.Actor("统计", "editor"))
    at.selectbox(key="ledger_problem").set_value("P24").run()
    at.text_input[1].set_value("孙经理")
    at.button[0].click().run()
    assert "不属于任何部门（按填报任务），不是P24的牵头单位“金鑫公司”" in at.error[-1].value
    assert store.audit_log(action="ledger_edit").empty


def test_the_indicator_page_lists_the_measures_linked_to_it(app_db):
    Store(app_db).set_ledger("P21", 1, by=ADMIN_ACTOR, indicators=["foreign_capital", "effective_investment"])
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(lang="zh", indicator="foreign_capital")
    at.run()
    at.switch_page("metrics/ui/pages/detail.py")
    at.session_state["detail_tab"] = "对应的巡察问题"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.value == "##### 带动本指标的整改措施" for m in at.markdown)
    linked = at.dataframe[-1].value
    assert linked["编号"].tolist() == ["P21"] and linked["序号"].tolist() == ["一是"]
    assert linked["关联指标"].iloc[0] == "有效投资、实际到账外资"


def test_the_ledger_page_speaks_english_in_its_own_words(initialised_app_db):
    at = page("rectification", ADMIN_ACTOR, lang="en")
    cjk = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”]")
    labels = [w.label for kind in ("selectbox", "text_input", "multiselect", "button", "download_button",
                                   "file_uploader") for w in at.get(kind)]
    labels += [str(c) for c in at.dataframe[0].value.columns] + [at.error[0].value.split(":")[0]]
    assert "Download the ledger (xlsx)" in labels and "Leader" in labels
    assert [label for label in labels if cjk.search(label)] == []
