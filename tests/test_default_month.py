"""The month the overview opens on: the latest that most indicators have reported, so one early
upload for the next month does not blank it for everyone (issue 13)."""
import pandas as pd
from streamlit.testing.v1 import AppTest

from conftest import REPO
from metrics import calc, catalog, periods
from metrics.auth import Actor
from metrics.store import Store

ZONE = catalog.ZONE


def figures(by_month: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_code": c, "period": p} for p, codes in by_month.items() for c in codes])


def test_the_default_month_is_the_latest_that_most_indicators_reported():
    reported = calc.reporting(figures({"2024-02": ["a", "b", "c"], "2024-03": ["a"], "2024-01": ["a", "b", "c"]}))
    assert reported.default_period() == "2024-02"
    assert reported.line("2024-03") == (1, 3) and reported.line("2024-02") == (3, 3)
    assert list(reported.by_month) == ["2024-03", "2024-02", "2024-01"]


def test_without_a_month_most_have_reported_the_best_reported_one_is_shown():
    assert calc.reporting(figures({"2024-03": ["a"], "2024-02": ["a", "b"]})).default_period() == "2024-02"
    assert calc.reporting(figures({})).default_period() is None


def test_two_early_figures_for_a_new_month_leave_the_overview_on_the_reported_month(app_db):
    store = Store(app_db)
    latest = store.latest_period()
    early = periods.shift(latest, 1)
    store.commit_batch(pd.DataFrame([{"indicator_code": c, "entity": ZONE, "period": early, "value": 1.0}
                                     for c in ("land_cleared", "hightech_new")]),
                       actor=Actor("测试", "admin"), file_name="早报.xlsx", sha256="e" * 64)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(lang="zh")
    at.run()
    assert not at.exception
    picker = next(s for s in at.selectbox if s.key == "picker_period")
    assert picker.value == latest
    expected = calc.reporting(store.observations(entity=ZONE)).expected
    assert any(f"（已报2/{expected}）" in option for option in picker.options)
    captions = "\n".join(c.value for c in at.caption)
    assert "已报 " in captions and f"/{expected} 项" in captions


# ---- a month whose figures all wait for review (审核) --------------------------------------------

def test_a_month_whose_figures_all_wait_is_offered_with_its_count_but_never_the_default():
    reported = calc.reporting(figures({"2024-02": ["a", "b", "c"], "2024-01": ["a", "b", "c"]}),
                              figures({"2024-03": ["a", "b", "c"], "2024-02": ["c"]}))
    assert list(reported.by_month) == ["2024-03", "2024-02", "2024-01"]
    assert reported.line("2024-03") == (0, 3) and reported.pending("2024-03") == 3
    assert reported.pending("2024-02") == 1 and reported.pending("2024-01") == 0
    assert reported.default_period() == "2024-02"


def test_with_nothing_approved_yet_there_is_no_default_month():
    reported = calc.reporting(figures({}), figures({"2024-03": ["a"]}))
    assert list(reported.by_month) == ["2024-03"] and reported.default_period() is None


def pending_month(app_db):
    """With review on, an editor's confirmed figures for the month after the latest, nobody has approved
    them: (store, the latest month, the pending month)."""
    from conftest import add_account
    store = Store(app_db)
    editor = add_account(store, "统计员", "editor")
    store.set_review_required(True, by=Actor("测试", "admin"))
    latest = store.latest_period()
    early = periods.shift(latest, 1)
    summary = store.commit_batch(pd.DataFrame([{"indicator_code": c, "entity": ZONE, "period": early, "value": 1.0}
                                               for c in ("land_cleared", "hightech_new")]),
                                 actor=editor, file_name="早报.xlsx", sha256="p" * 64)
    assert summary.review == "pending"
    return store, latest, early


def test_the_month_reporting_offers_a_pending_month_and_keeps_the_default(app_db):
    from metrics import tracker
    store, latest, early = pending_month(app_db)
    reported = tracker.month_reporting(store, ZONE)
    assert next(iter(reported.by_month)) == early
    assert reported.line(early)[0] == 0 and reported.pending(early) == 2
    assert reported.default_period() == latest == tracker.overview_figures(store, ZONE)[0]


def test_leaders_pick_a_month_whose_figures_all_wait_and_see_how_many_are_not_counted(app_db):
    store, latest, early = pending_month(app_db)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(lang="zh")
    at.run()
    assert not at.exception
    picker = next(s for s in at.selectbox if s.key == "picker_period")
    expected = calc.reporting(store.observations(entity=ZONE)).expected
    assert picker.value == latest
    assert picker.format_func(early).endswith(f"（已报0/{expected}，待审核2）")
    assert picker.format_func(latest).endswith(f"（已报{expected}/{expected}）")
    picker.set_value(early).run()
    assert not at.exception
    captions = "\n".join(c.value for c in at.caption)
    assert f"已报 0/{expected} 项 · 另有 2 项待审核，未计入" in captions
