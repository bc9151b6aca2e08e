"""The deck plan and a chart's data table for the seeded demo month, against their stored snapshots
(tests/__snapshots__/, see tests/snapshot.py for how to update them after a deliberate change)."""
import dataclasses
import re

from metrics import catalog, chartdata, tracker
from metrics.export import plan_deck
from snapshot import assert_matches_snapshot, differences

PERIOD = "2023-04"
GENERATED_ON = re.compile(r"\d{4}年\d{2}月\d{2}日生成")


def plan_as_data(plan) -> dict:
    """Every slide, its title, text, table and charts (series names, categories, values), with the
    day the deck is made masked, since the cover names it."""
    data = dataclasses.asdict(plan)
    for slide in data["slides"]:
        slide["subtitle"] = GENERATED_ON.sub("YYYY年MM月DD日生成", slide["subtitle"])
    return data


def test_the_demo_months_deck_plan_matches_its_snapshot(shared_demo_store):
    plan = plan_deck(shared_demo_store, PERIOD)
    assert [s.kind for s in plan.slides][:2] == ["cover", "overview"]
    assert_matches_snapshot("deck_plan_2023-04", plan_as_data(plan))


def test_the_financing_mix_charts_data_table_matches_its_snapshot(shared_demo_store):
    _, _, series = tracker.assessed_overview(shared_demo_store, catalog.ZONE, PERIOD)
    chart = chartdata.financing_mix_chart_data(series, PERIOD)
    table = chart.table()
    assert_matches_snapshot("financing_mix_table_2023-04", {
        "title": chart.title, "unit": chart.unit, "line_unit": chart.line_unit, "source": chart.source,
        "as_of": chart.as_of, "illustrative": chart.illustrative,
        "columns": list(table.columns), "rows": table.to_dict("split")["data"]})


def test_a_changed_plan_is_reported_at_the_figure_that_changed():
    stored = {"slides": [{"title": "封面", "charts": [{"bars": {"2023年": [1.0, 2.0]}}]}]}
    changed = {"slides": [{"title": "封面", "charts": [{"bars": {"2023年": [1.0, 2.5]}}], "code": "x"}]}
    assert differences(stored, changed) == ["slides[0].charts[0].bars.2023年[1]: 2.0 → 2.5", "slides[0].code: new"]
    assert differences(stored, stored) == []
