"""Chart data and plotly figures: target lines findable by name, months as categories, a font
that renders Chinese, thousands separators and no SI suffixes, and the 示例数据 stamp."""
import json
import re

import pandas as pd
import pytest

from metrics import calc, catalog, chartdata, charts

ZONE = catalog.ZONE


def series(values: dict[str, float], illustrative: bool = False) -> pd.DataFrame:
    """Monthly figures as the store gives them, from {period: value}."""
    return pd.DataFrame({"period": list(values), "months": 1, "value": list(values.values()),
                         "illustrative": illustrative})


def with_ytd(code: str, values: dict[str, float], illustrative: bool = False) -> pd.DataFrame:
    """The same with 累计, as calc computes it for the indicator's kind."""
    return calc.with_ytd(catalog.indicator(code), series(values, illustrative))


def months(year: int, values: list[float]) -> dict[str, float]:
    return {f"{year}-{m:02d}": v for m, v in enumerate(values, start=1)}


@pytest.fixture
def land() -> tuple:
    """低效用地清理面积: 2022 Jan–Apr 100 a month, 2023 Jan–Apr 120, 130, 150, 100; target 2,400."""
    s = with_ytd("land_cleared", {**months(2022, [100, 100, 100, 100]), **months(2023, [120, 130, 150, 100])},
                 illustrative=True)
    a = calc.assess(catalog.indicator("land_cleared"), s, "2023-04",
                    {"kind": "annual", "value": 2400.0, "phasing": None, "illustrative": True})
    return catalog.indicator("land_cleared"), s, a


def all_charts(land) -> dict[str, object]:
    ind, s, a = land
    debt = {c: with_ytd(c, months(2023, [v] * 4)) for c, v in
            (("debt_short_term", 12.0), ("debt_long_term", 6.0), ("bonds_outstanding", 2.0))}
    debt["debt_short_share"] = series(months(2023, [60.0] * 4)).assign(ytd=60.0)
    names = {c: catalog.indicator(c).name for c in debt}
    return {
        "monthly": charts.build_monthly_chart(chartdata.monthly_chart_data(ind, s, a)),
        "ytd": charts.build_ytd_chart(chartdata.ytd_chart_data(ind, s, a)),
        "debt": charts.build_monthly_chart(chartdata.debt_structure_chart_data(debt, "2023-04", names, 4)),
        "ranking": charts.build_ranking_chart(
            chartdata.ranking_chart_data(ind, {ZONE: s, "甲开发区": s.assign(ytd=s["ytd"] * 2)}, "2023-04", a),
            highlight=ZONE),
        "small_multiples": charts.build_small_multiples(
            chartdata.trend_chart_data(ind, {ZONE: s, "甲开发区": s}, "2023-04", 4), highlight=ZONE),
        "completion": charts.build_completion_chart(
            chartdata.completion_chart_data([ind], {ind.code: a}, "完成率与序时进度（%）")),
    }


def json_values(node, key: str) -> list:
    """Every value stored under `key` anywhere in parsed JSON."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in json_values(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in json_values(v, key)]
    return []


def trace_names(fig) -> list[str]:
    return [t.name for t in fig.data if t.name]


def test_monthly_figure_carries_the_target_pace_as_a_dashed_trace_named_in_its_json(land):
    fig = all_charts(land)["monthly"]
    target = next(t for t in fig.data if t.name == "目标月均进度")
    assert list(target.y) == [200.0] * 4  # 2,400 ÷ 12, one value per month shown
    assert target.line.dash == "dash"
    # Parsed, not searched as text: without orjson, plotly escapes Chinese in its JSON (\u76ee…).
    assert "目标月均进度" in [trace.get("name") for trace in json.loads(fig.to_json())["data"]]


def test_floor_and_year_end_targets_are_drawn_as_their_own_lines():
    ind = catalog.indicator("tax_per_mu")
    s = with_ytd("tax_per_mu", months(2023, [7.9, 8.1, 8.2, 8.3]))
    floor = calc.assess(ind, s, "2023-04", {"kind": "floor", "value": 8.0, "phasing": None, "illustrative": False})
    fig = charts.build_monthly_chart(chartdata.monthly_chart_data(ind, s, floor))
    assert list(next(t for t in fig.data if t.name == "底线要求").y) == [8.0] * 4
    debt = catalog.indicator("debt_short_term")
    d = with_ytd("debt_short_term", months(2023, [13.0, 12.8, 12.6, 12.9]))
    year_end = calc.assess(debt, d, "2023-04", {"kind": "year_end", "value": 12.0, "phasing": None, "illustrative": True})
    assert "年末目标" in trace_names(charts.build_monthly_chart(chartdata.monthly_chart_data(debt, d, year_end)))


def test_ytd_figure_draws_completion_against_time_progress_in_percent(land):
    fig = all_charts(land)["ytd"]
    completion = next(t for t in fig.data if t.name == "累计完成率")
    progress = next(t for t in fig.data if t.name == "序时进度")
    # 累计 120, 250, 400, 500 of 2,400; 序时进度 1/12 … 4/12.
    assert list(completion.y) == [5.0, 10.4, 16.7, 20.8]
    assert list(progress.y) == [8.3, 16.7, 25.0, 33.3]
    assert progress.line.dash == "dash" and progress.mode == "lines"


def test_month_axes_are_categories_never_dates(land):
    figures = all_charts(land)
    for key in ("monthly", "ytd", "debt", "small_multiples"):
        layout = figures[key].to_plotly_json()["layout"]
        x_axes = [v for k, v in layout.items() if k.startswith("xaxis")]
        assert x_axes and all(axis.get("type") == "category" for axis in x_axes), key
    assert list(figures["monthly"].data[0].x) == ["1月", "2月", "3月", "4月"]
    assert list(figures["debt"].data[0].x) == ["23年1月", "23年2月", "23年3月", "23年4月"]


def test_every_figure_uses_a_font_family_that_renders_chinese(land):
    for key, fig in all_charts(land).items():
        assert fig.layout.font.family == "Noto Sans CJK SC, Microsoft YaHei, sans-serif", key


def test_numbers_use_thousands_separators_and_never_si_suffixes(land):
    for key, fig in all_charts(land).items():
        spec = fig.to_plotly_json()
        layout = spec["layout"]
        assert layout["separators"] == ".,", key  # decimal point, then the thousands separator
        for name, axis in layout.items():
            if name.startswith(("xaxis", "yaxis")) and axis.get("tickformat"):
                assert re.fullmatch(r",\.\d+f", axis["tickformat"]), (key, name)
                assert axis.get("exponentformat") == "none", (key, name)
        for trace in spec["data"]:
            template = trace.get("hovertemplate") or ""
            assert not re.search(r":[^}]*[~s]}", template), (key, template)
            assert all(re.fullmatch(r",\.\d+f", f) for f in re.findall(r"%\{[xy]:([^}]*)\}", template)), template


def test_illustrative_data_is_stamped_on_the_figure(land):
    ind, s, a = land
    data = chartdata.monthly_chart_data(ind, s, a)
    stamped = charts.build_monthly_chart(data)
    assert stamped.layout.title.text.startswith(data.title) and "［示例数据］" in stamped.layout.title.text
    real = charts.build_monthly_chart(chartdata.monthly_chart_data(ind, s.assign(illustrative=False), a))
    assert real.layout.title.text == data.title
    assert not [x for x in real.layout.annotations if "示例数据" in (x.text or "")]
    assert charts.plot_only(stamped).layout.title.text is None and stamped.layout.title.text  # a copy


def test_red_amber_green_never_colour_data_outside_the_sparklines_status_point(land):
    status = {c.lower() for c in charts.STATUS_COLORS.values()}
    for key, fig in all_charts(land).items():
        colours = [c for c in json_values(json.loads(fig.to_json()), "color")
                   if isinstance(c, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", c)]
        assert colours and not status & {c.lower() for c in colours}, key


def test_ranking_sorts_best_first_highlights_the_zone_and_draws_its_pace_target(land):
    ind, s, a = land
    peers = {ZONE: s, "甲开发区": s.assign(ytd=s["ytd"] * 2), "乙开发区": s.assign(ytd=s["ytd"] / 2)}
    data = chartdata.ranking_chart_data(ind, peers, "2023-04", reference=a)
    assert data.categories == ["甲开发区", ZONE, "乙开发区"]
    assert data.bars == {"2023年1-4月累计": [1000.0, 500.0, 250.0]}
    assert data.lines == {"序时目标": [800.0] * 3}  # 2,400 × 4/12
    fig = charts.build_ranking_chart(data, highlight=ZONE)
    assert list(fig.data[0].marker.color) == [charts.MUTED, charts.PALETTE[0], charts.MUTED]
    assert fig.layout.yaxis.type == "category" and fig.layout.yaxis.autorange == "reversed"


def test_ranking_of_a_lower_is_better_indicator_puts_the_smallest_first():
    ind = catalog.indicator("provincial_rank")
    ranks = {name: with_ytd("provincial_rank", {"2023-04": rank}) for name, rank in
             ((ZONE, 33.0), ("甲开发区", 12.0), ("乙开发区", 58.0))}
    data = chartdata.ranking_chart_data(ind, ranks, "2023-04")
    assert data.categories == ["甲开发区", ZONE, "乙开发区"]
    assert data.bars == {"2023年4月末": [12.0, 33.0, 58.0]}


def test_entities_without_a_figure_for_the_month_are_left_out_of_the_ranking(land):
    ind, s, a = land
    data = chartdata.ranking_chart_data(ind, {ZONE: s, "丙开发区": s[s.period < "2023-04"]}, "2023-04", a)
    assert data.categories == [ZONE]


def test_small_multiples_give_each_entity_a_titled_panel_with_the_others_faint_behind(land):
    ind, s, a = land
    data = chartdata.trend_chart_data(ind, {ZONE: s, "甲开发区": s, "乙开发区": s}, "2023-04", 4)
    assert data.categories == ["23年1月", "23年2月", "23年3月", "23年4月"]
    assert data.lines[ZONE] == [120.0, 130.0, 150.0, 100.0]
    fig = charts.build_small_multiples(data, highlight=ZONE)
    assert [x.text for x in fig.layout.annotations if x.text in data.lines] == [ZONE, "甲开发区", "乙开发区"]
    assert len(fig.data) == 9  # each panel: its entity and the two others
    assert next(t for t in fig.data if t.name == ZONE).line.color == charts.PALETTE[0]


def test_small_multiples_name_the_months_once_per_row_first_and_last_so_phone_panels_never_collide(land):
    ind, s, _ = land
    zones = {ZONE: s, **{f"{n}开发区": s for n in "甲乙丙丁戊"}}
    data = chartdata.trend_chart_data(ind, zones, "2023-04", 4)
    fig = charts.build_small_multiples(data, highlight=ZONE, columns=4)
    x_axes = [fig.layout[name] for name in fig.layout if name.startswith("xaxis")]
    labelled = {axis.anchor: list(axis.tickvals) for axis in x_axes if axis.showticklabels}
    # Two rows of four: the first panel of each row (y and y5) carries the labels, the others none.
    assert sorted(labelled) == ["y", "y5"]
    assert all(ticks == ["23年1月", "23年4月"] for ticks in labelled.values())


def test_completion_figure_marks_each_indicators_own_time_progress(land):
    ind, s, a = land
    invest = catalog.indicator("effective_investment")
    inv = with_ytd(invest.code, months(2023, [2.0, 2.0, 3.0, 4.0]))
    phased = calc.assess(invest, inv, "2023-04", {"kind": "annual", "value": 35.0,
                                                  "phasing": (4, 9, 16, 24, 32, 41, 50, 59, 68, 78, 88, 100),
                                                  "illustrative": True})
    data = chartdata.completion_chart_data([ind, invest], {ind.code: a, invest.code: phased}, "完成率（%）")
    assert data.categories == ["低效用地清理面积", "有效投资"]
    assert data.bars == {"累计完成率": [20.8, 31.4]}  # 500 / 2,400 and 11 / 35
    assert data.lines == {"序时进度": [33.3, 24.0]}  # even 4/12, and the target's own phasing
    fig = charts.build_completion_chart(data)
    assert next(t for t in fig.data if t.name == "序时进度").mode == "markers"


def test_debt_figure_stacks_balances_with_the_short_term_share_on_a_second_axis(land):
    fig = all_charts(land)["debt"]
    assert fig.layout.barmode == "stack"
    share = next(t for t in fig.data if t.name == catalog.indicator("debt_short_share").name)
    assert share.yaxis == "y2" and fig.layout.yaxis2.ticksuffix == "%"
    assert fig.layout.yaxis2.tickmode == "auto"


def test_financing_mix_splits_loans_from_bonds_with_the_direct_share():
    parts = {"debt_short_term": 12.0, "debt_long_term": 6.0, "bonds_outstanding": 2.0}
    data = chartdata.financing_mix_chart_data({c: with_ytd(c, {"2023-04": v}) for c, v in parts.items()},
                                              "2023-04", months_shown=1)
    assert data.bars == {"间接融资（银行贷款）": [18.0], "直接融资（债券）": [2.0]}
    assert data.lines == {"直接融资占比": [10.0]}  # 2 ÷ (18 + 2)
    assert data.stacked and data.line_unit == "%"


def test_safety_chart_shows_hazards_by_month_with_the_cumulative_fix_rate_and_its_floor():
    found = with_ytd("hazards_found", months(2023, [100, 100]))
    fixed = with_ytd("hazards_fixed", months(2023, [80, 100]))
    rate = calc.derived_series(catalog.indicator("hazard_fix_rate"), {"hazards_found": found, "hazards_fixed": fixed})
    names = {c: catalog.indicator(c).name for c in ("hazards_found", "hazards_fixed", "hazard_fix_rate")}
    data = chartdata.safety_chart_data({"hazards_found": found, "hazards_fixed": fixed, "hazard_fix_rate": rate},
                                       "2023-02", names, floor=90.0)
    assert data.bars == {"排查安全隐患": [100.0, 100.0], "已整改安全隐患": [80.0, 100.0]}
    assert data.lines == {"累计隐患整改率": [80.0, 90.0], "底线要求": [90.0, 90.0]}  # 80/100, 180/200
    fig = charts.build_monthly_chart(data)
    assert "底线要求" in trace_names(fig) and fig.layout.yaxis2.ticksuffix == "%"


def test_sparkline_is_an_inline_svg_path_marking_the_last_month_in_the_status_colour(land):
    ind, s, a = land
    svg = charts.sparkline_svg(chartdata.trend_chart_data(ind, {ZONE: s}, "2023-04", 4), a.status)
    assert svg.startswith("<svg") and svg.count("<path") == 1
    assert re.search(r'd="M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){3}"', svg)  # four months, one unbroken line
    assert f'fill="{charts.STATUS_COLORS["red"]}"' in svg


def test_figures_serialise_to_json_that_plotly_js_can_read(land):
    for key, fig in all_charts(land).items():
        assert json.loads(fig.to_json())["data"], key


def test_the_monthly_pace_line_follows_the_phasing_the_status_uses():
    # 有效投资 phased 4, 9, 16 …% of 40: 1.6, 2.0, 2.8 due in January, February and March (issue 13).
    ind = catalog.indicator("effective_investment")
    s = with_ytd("effective_investment", months(2023, [1.0, 1.0, 1.0]))
    phasing = (4, 9, 16, 24, 32, 41, 50, 59, 68, 78, 88, 100)
    a = calc.assess(ind, s, "2023-03", {"kind": "annual", "value": 40.0, "phasing": phasing, "illustrative": False})
    fig = charts.build_monthly_chart(chartdata.monthly_chart_data(ind, s, a))
    assert list(next(t for t in fig.data if t.name == "目标分月进度").y) == [1.6, 2.0, 2.8]


def test_a_rank_is_drawn_as_lines_on_an_inverted_axis_never_as_bars():
    ind = catalog.indicator("provincial_rank")
    s = with_ytd("provincial_rank", {**months(2022, [37, 37]), **months(2023, [33, 33])})
    a = calc.assess(ind, s, "2023-02", {"kind": "year_end", "value": 30.0, "phasing": None, "illustrative": False})
    fig = charts.build_monthly_chart(chartdata.monthly_chart_data(ind, s, a))
    assert {t.type for t in fig.data} == {"scatter"}
    assert fig.layout.yaxis.autorange == "reversed"


def test_a_ranking_of_one_entity_still_draws_its_reference_it_names_in_the_legend():
    data = chartdata.ChartData(title="t", categories=["甲"], bars={"累计": [5.0]}, lines={"序时目标": [6.0]})
    reference = next(t for t in charts.build_ranking_chart(data).data if t.name == "序时目标")
    assert reference.mode == "markers"


def test_a_ranks_sparkline_rises_as_the_rank_improves():
    ind = next(i for i in catalog.indicators().values() if i.is_rank)
    series = pd.DataFrame({"period": ["2023-01", "2023-02"], "months": [1, 1], "value": [37.0, 30.0],
                           "illustrative": [False, False], "ytd": [37.0, 30.0]})
    svg = charts.sparkline_svg(chartdata.trend_chart_data(ind, {ZONE: series}, "2023-02", 2))
    (y_first, y_last) = [float(y) for y in re.findall(r"[ML][\d.]+,([\d.]+)", svg)]
    assert y_last < y_first  # from 37th to 30th place: the line goes up the card
