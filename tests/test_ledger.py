"""The rectification ledger holds the report's 24 problems and 70 measures as listed."""
from conftest import initialised_store
from metrics import catalog, ledger

REPORT = (catalog.DATA_DIR / "report.txt").read_text(encoding="utf-8")


def test_ledger_holds_24_problems_and_70_measures():
    led = catalog.ledger()
    assert len(led.problems) == 24
    assert sum(len(p.measures) for p in led.problems) == 70


def test_problem_statuses_follow_the_reports_list_not_its_summary():
    led = catalog.ledger()
    assert sum(p.status == "done" for p in led.problems) == 18
    assert sum(p.status == "in_progress" for p in led.problems) == 6
    assert (led.summary_done, led.summary_in_progress) == (17, 7)


def test_the_disagreement_between_summary_and_list_is_reported(tmp_path):
    progress = ledger.progress(*initialised_store(tmp_path / "t.duckdb").ledger())
    assert (progress.total, progress.done, progress.in_progress) == (24, 18, 6)
    assert (progress.measures, progress.summary_done, progress.summary_in_progress) == (70, 17, 7)
    assert progress.summary_disagrees
    assert progress.disagreement() == ("报告汇总称已整改完成17个、正在推进7个，但报告逐项列出的为已整改完成18个、正在推进6个；"
                                       "本台账按逐项清单记录，未作调整。")


def test_a_ledger_whose_counts_agree_reports_nothing(tmp_path):
    summary, problems, measures = initialised_store(tmp_path / "t.duckdb").ledger()
    agreeing = ledger.progress({**summary, "summary_done": 18, "summary_in_progress": 6}, problems, measures)
    assert not agreeing.summary_disagrees and agreeing.disagreement() == ""


def test_every_measure_is_quoted_from_the_report_in_order():
    for p in catalog.ledger().problems:
        assert p.title in REPORT
        assert [m.ordinal for m in p.measures] == ["一是", "二是", "三是"][:len(p.measures)]
        for m in p.measures:
            assert m.ordinal + m.text in REPORT, m.text[:20]
            assert m.status in ("done", "in_progress")
        if p.status == "done":
            assert all(m.status == "done" for m in p.measures)


def test_lead_units_and_deadlines_are_given_where_the_report_names_them():
    problems = {p.id: p for p in catalog.ledger().problems}
    assert problems["P24"].lead_unit == "金鑫公司"
    assert problems["P20"].deadline == "2023-06"
    for p in problems.values():
        if p.lead_unit:
            assert p.lead_unit in REPORT
