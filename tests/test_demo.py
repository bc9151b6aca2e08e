"""The illustrative series: deterministic, seasonal, complete, labelled, and exact where the report speaks;
an indicator added to the catalogue and the targets alone gets one too."""
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO
from metrics import catalog, demo, tracker

ZONE = catalog.ZONE


@pytest.fixture(scope="module")
def rows():
    return demo.illustrative_rows()


@pytest.mark.parametrize("code,total", [("land_cleared", 2577), ("hightech_new", 31), ("invoice_sales", 276.8),
                                        ("land_approved", 3607), ("effective_investment", 30)])
def test_zone_2022_months_add_up_to_the_reports_total(rows, code, total):
    months = rows[(rows.entity == ZONE) & (rows.indicator_code == code) & rows.period.str.startswith("2022")]
    assert len(months) == 12
    assert round(months.value.sum(), 6) == total


@pytest.mark.parametrize("code,total", [("projects_signed_100m", 20), ("hazards_found", 823), ("hazards_fixed", 746)])
def test_months_since_the_inspection_add_up_to_the_reports_figure(rows, code, total):
    window = rows[(rows.entity == ZONE) & (rows.indicator_code == code)
                  & (rows.period >= "2022-10") & (rows.period <= "2023-04")]
    assert round(window.value.sum(), 6) == total


def test_every_stored_indicator_has_months_from_january_2021_to_april_2023_for_the_zone(rows):
    zone = rows[rows.entity == ZONE]
    for code, ind in catalog.indicators().items():
        if ind.kind == "derived":
            assert code not in set(zone.indicator_code)
            continue
        periods = sorted(zone[zone.indicator_code == code].period)
        assert periods[0] == "2021-01" and periods[-1] == "2023-04" and len(periods) == 28, code


def test_series_cover_peer_zones_and_the_two_enterprises_the_report_names(rows):
    entities = set(rows.entity)
    assert {"理士电池", "南高齿"} <= entities
    assert 4 <= len(entities - {ZONE, "理士电池", "南高齿"}) <= 6
    # 南高齿 entered industrial statistics in August 2022, and its 2022 sales were 33.5 亿元.
    ngc = rows[(rows.entity == "南高齿") & (rows.indicator_code == "invoice_sales")]
    assert ngc.period.min() == "2022-08"
    assert round(ngc[ngc.period.str.startswith("2022")].value.sum(), 6) == 33.5


def test_flows_are_seasonal_with_a_slow_spring_festival_and_a_december_rush(rows):
    sales = rows[(rows.entity == ZONE) & (rows.indicator_code == "invoice_sales")].set_index("period").value
    for year in ("2021", "2022"):
        average = sales[[p for p in sales.index if p.startswith(year)]].mean()
        assert sales[f"{year}-02"] < average < sales[f"{year}-12"]


def test_series_are_deterministic_and_respect_counts_and_signs(rows):
    again = demo.illustrative_rows()
    assert rows.equals(again)
    inds = catalog.indicators()
    for code, values in rows.groupby("indicator_code").value:
        assert (values >= 0).all()
        if inds[code].is_count:
            assert (values == values.round()).all(), code


def test_demo_loads_as_one_illustrative_batch_that_undo_removes(empty_store):
    result = tracker.load_demo(empty_store)
    batches = empty_store.batches()
    assert len(batches) == 1 and bool(batches.iloc[0].illustrative)
    obs = empty_store.observations()
    assert len(obs) == result["new"] and obs.illustrative.all()
    empty_store.undo_batch(result["batch_id"], tracker.SYSTEM)
    assert empty_store.observations().empty


def test_loading_the_demo_twice_changes_nothing(demo_store):
    again = tracker.load_demo(demo_store)
    assert again["batch_id"] is None and again["new"] == again["changed"] == 0
    assert len(demo_store.batches()) == 1


# An indicator of each sort, added the way a newcomer adds one: its entry in catalog.toml and its
# target in targets.toml, and nothing else. (code, kind, unit, direction, is_count, target kind, value)
ADDED = [
    ("patents_granted", "flow", "件", "higher", True, "annual", 120),
    ("exports_value", "flow", "亿元", "higher", False, "growth", 8),
    ("vacant_factory_area", "level", "万平方米", "lower", False, "year_end", 20),
    ("land_supply_rate", "level", "%", "higher", False, "floor", 85),
    ("city_rank", "level", "位", "lower", True, "year_end", 3),
]
ADDED_WORKS = """
import json, re, sys, html
from pptx import Presentation
from streamlit.testing.v1 import AppTest
from metrics import catalog, i18n, tracker
from metrics.export import export_deck
from metrics.store import Store

codes = sys.argv[1].split(",")
store = Store()
tracker.init_database(store)
tracker.load_demo(store)
period, assessments, _ = tracker.assessed_overview(store, catalog.ZONE)
rows = store.observations(entity=catalog.ZONE, codes=codes)
plan, _ = export_deck(store, period, sys.argv[2], codes=codes)
titles = [shape.text_frame.text for slide in Presentation(sys.argv[2]).slides for shape in slide.shapes
          if shape.has_text_frame]
at = AppTest.from_file("app.py", default_timeout=120)
at.run()
cards = html.unescape("\\n".join(e.proto.body for e in at.get("html")))
print(json.dumps({
    "period": period,
    "months": {c: [[p, v] for p, v in zip(g.period, g.value)] for c, g in rows.groupby("indicator_code")},
    "illustrative": bool(rows.illustrative.all()),
    "status": {a.code: a.status for a in assessments if a.code in codes},
    "illustrative_on_overview": all(a.illustrative for a in assessments if a.code in codes),
    "slides": {s.code: len(s.charts) for s in plan.slides if s.code in codes},
    "deck_text": "\\n".join(titles),
    "page_errors": [str(e.value) for e in at.exception],
    "cards": re.findall(r'data-code="([a-z_]+)"', cards),
    "names": {c: catalog.indicator(c).name for c in codes},
}, ensure_ascii=False))
"""


def test_an_indicator_added_to_the_catalogue_and_targets_alone_has_a_series_an_overview_card_and_slides(tmp_path):
    folder = tmp_path / "catalog"
    folder.mkdir()
    for name in ("catalog.toml", "targets.toml", "report_figures.toml", "ledger.toml"):
        (folder / name).write_bytes((REPO / "data" / name).read_bytes())
    with open(folder / "catalog.toml", "a", encoding="utf-8") as f:
        for code, kind, unit, direction, is_count, _, _ in ADDED:
            f.write(f'\n[[indicator]]\ncode = "{code}"\nname = "新增指标{code}"\nname_en = "Added {code}"\n'
                    f'unit = "{unit}"\ncategory = "经济发展"\nkind = "{kind}"\ndirection = "{direction}"\n'
                    f'decimals = {0 if is_count else 1}\nis_count = {str(is_count).lower()}\n'
                    f'may_be_negative = false\ndefinition = "测试新增的指标。"\n')
    with open(folder / "targets.toml", "a", encoding="utf-8") as f:
        for code, *_, target_kind, value in ADDED:
            f.write(f'\n[[target]]\nindicator = "{code}"\nyear = 2023\nkind = "{target_kind}"\nvalue = {value}\n'
                    f'illustrative = true\nsource = "测试目标"\n')
    codes = [code for code, *_ in ADDED]
    env = {**os.environ, "METRICS_CATALOG_DIR": str(folder), "METRICS_DB": str(tmp_path / "metrics.duckdb")}
    env.pop("METRICS_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", ADDED_WORKS, ",".join(codes), str(tmp_path / "deck.pptx")],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["period"] == "2023-04" and seen["illustrative"] and seen["illustrative_on_overview"]
    for code, kind, unit, _, is_count, _, _ in ADDED:
        months = dict(seen["months"][code])
        assert sorted(months) == demo.months(), code
        values = list(months.values())
        assert min(values) >= (1 if unit == "位" else 0) and (max(values) <= 100 or unit != "%"), code
        assert not is_count or all(v == round(v) for v in values), code
    # A flow with an annual target is exactly on its 序时进度: January–April make 4/12 of 120.
    assert sum(v for p, v in seen["months"]["patents_granted"] if p >= "2023-01") == 40
    assert seen["status"]["patents_granted"] == "green"
    # A year-end level is short of its target, shown as 年末目标 until December; a floor is met.
    assert seen["status"]["vacant_factory_area"] == "open" and seen["status"]["land_supply_rate"] == "green"
    assert all(seen["status"][code] != "none" for code in codes), seen["status"]
    assert seen["page_errors"] == [] and set(codes) <= set(seen["cards"])
    assert set(seen["slides"]) == set(codes) and all(seen["slides"].values()), seen["slides"]
    assert all(name in seen["deck_text"] for name in seen["names"].values())
