"""The illustrative series: deterministic, seasonal, complete, labelled, and exact where the report speaks."""
import pytest

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
