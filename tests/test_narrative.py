"""汇报 sentences checked against numbers worked out by hand on small frames built here: ahead of
and behind 序时进度, lower-is-better balances and flows, floors, rates in 个百分点, ranks, a
combined 1-2月 figure, and the overview's headline."""
import pandas as pd

from metrics import calc, catalog, narrative
from metrics.catalog import Indicator

ZONE = catalog.ZONE


def frame(values: dict[str, float], months: dict[str, int] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"period": list(values), "months": [(months or {}).get(p, 1) for p in values],
                         "value": list(values.values()), "illustrative": False})


def assessed(ind: Indicator, values: dict[str, float], period: str, kind: str | None = None,
             target: float | None = None, months: dict[str, int] | None = None) -> calc.Assessment:
    series = calc.with_ytd(ind, frame(values, months))
    row = None if kind is None else {"kind": kind, "value": target, "phasing": None, "illustrative": False}
    return calc.assess(ind, series, period, row)


def year(y: int, values: list[float]) -> dict[str, float]:
    return {f"{y}-{m:02d}": v for m, v in enumerate(values, start=1)}


LAND = catalog.indicator("land_cleared")


def test_a_flow_ahead_of_time_progress_reads_like_the_officials_example():
    # 累计 300+334+300+300 = 1,234 against 4 × 250 = 1,000 last year: 同比 +23.4%.
    # 1,234 ÷ 2,468 = 50.0% done; 序时进度 4/12 = 33.3%; 16.7 points ahead.
    a = assessed(LAND, {**year(2022, [250] * 4), **year(2023, [300, 334, 300, 300])}, "2023-04", "annual", 2468)
    assert narrative.indicator_sentence(LAND, a) == (
        "1-4月，全区低效用地清理面积累计1,234亩，同比增长23.4%，完成年度目标50.0%，高于序时进度16.7个百分点。")
    assert a.status == "green"


def test_a_flow_behind_time_progress_says_by_how_many_points():
    # 累计 500 against 400: +25.0%; 500 ÷ 2,400 = 20.8%; 33.3 − 20.8 = 12.5 points behind: red.
    a = assessed(LAND, {**year(2022, [100] * 4), **year(2023, [120, 130, 150, 100])}, "2023-04", "annual", 2400)
    assert narrative.indicator_sentence(LAND, a) == (
        "1-4月，全区低效用地清理面积累计500亩，同比增长25.0%，完成年度目标20.8%，低于序时进度12.5个百分点，"
        "预计全年1,500亩，此后每月需完成238亩。")
    assert a.status == "red"


def test_a_flow_slightly_behind_is_amber_and_a_fall_reads_as_a_decline():
    # 累计 750 against 1,000: −25.0%; 750 ÷ 2,500 = 30.0%, 3.3 points behind 33.3%: amber.
    a = assessed(LAND, {**year(2022, [250] * 4), **year(2023, [150, 200, 200, 200])}, "2023-04", "annual", 2500)
    assert narrative.indicator_sentence(LAND, a) == (
        "1-4月，全区低效用地清理面积累计750亩，同比下降25.0%，完成年度目标30.0%，低于序时进度3.3个百分点，"
        "预计全年2,250亩，此后每月需完成219亩。")
    assert a.status == "amber"


def test_a_combined_january_february_figure_is_reported_as_1_2_months():
    # One 1-2月 figure of 200 (Jan–Feb 2022: 50 + 50): +100.0%; 200 ÷ 2,400 = 8.3%,
    # 序时进度 2/12 = 16.7%, 8.3 points behind.
    a = assessed(LAND, {**year(2022, [50, 50]), "2023-02": 200}, "2023-02", "annual", 2400,
                 months={"2023-02": 2})
    assert a.months == 2 and a.mom_pct is None
    assert narrative.indicator_sentence(LAND, a) == (
        "1-2月，全区低效用地清理面积累计200亩，同比增长100.0%，完成年度目标8.3%，低于序时进度8.3个百分点，"
        "预计全年1,200亩，此后每月需完成220亩。")


def test_january_alone_is_reported_as_1_month():
    a = assessed(LAND, {"2022-01": 80, "2023-01": 100}, "2023-01", "annual", 2400)
    # 100 ÷ 2,400 = 4.2% against 1/12 = 8.3%: 4.2 points behind.
    assert narrative.indicator_sentence(LAND, a) == (
        "1月，全区低效用地清理面积累计100亩，同比增长25.0%，完成年度目标4.2%，低于序时进度4.2个百分点，"
        "预计全年1,200亩，此后每月需完成209亩。")


def test_a_balance_to_bring_down_above_its_year_end_target_says_how_much_to_cut():
    debt = catalog.indicator("debt_short_term")
    # 12.90 against 15.00 a year ago: −14.0%; 0.90 above the year-end 12.
    a = assessed(debt, {"2022-04": 15.0, "2023-04": 12.9}, "2023-04", "year_end", 12)
    assert narrative.indicator_sentence(debt, a) == (
        "4月末，全区短期贷款余额为12.90亿元，同比下降14.0%，高于年末控制目标12亿元，需再压降0.90亿元。")
    # Due at the year's end, so not behind in April, and never a 完成率 (107.5% would read as ahead).
    assert a.status == "open" and a.completion is None


def test_a_balance_within_its_year_end_target_is_reported_as_controlled():
    debt = catalog.indicator("debt_short_term")
    a = assessed(debt, {"2022-04": 15.0, "2023-04": 11.5}, "2023-04", "year_end", 12)
    assert narrative.indicator_sentence(debt, a) == (
        "4月末，全区短期贷款余额为11.50亿元，同比下降23.3%，已控制在年末目标12亿元以内。")
    assert a.status == "green"


def test_a_lower_is_better_flow_using_less_than_the_calendar_allows_is_ahead():
    energy = Indicator(code="energy_use", name="综合能耗", name_en="Energy use", unit="吨标准煤",
                       category="安全生产", kind="flow", direction="lower", decimals=0, is_count=False,
                       may_be_negative=False, definition="")
    # 累计 300 of a 1,200 budget = 25.0%, under the 33.3% the calendar allows: 8.3 points to spare.
    a = assessed(energy, {**year(2022, [100] * 4), **year(2023, [75] * 4)}, "2023-04", "annual", 1200)
    assert narrative.indicator_sentence(energy, a) == (
        "1-4月，全区综合能耗累计300吨标准煤，同比下降25.0%，占年度控制目标25.0%，低于序时进度8.3个百分点。")
    assert a.status == "green" and a.gap_pp > 0


def test_a_rank_reports_places_moved_and_places_still_to_climb():
    rank = catalog.indicator("provincial_rank")
    a = assessed(rank, {"2022-04": 37, "2023-04": 33}, "2023-04", "year_end", 30)
    assert narrative.indicator_sentence(rank, a) == (
        "4月末，全区省级开发区综合考核排名列第33位，比上年同期前进4位，距年末目标第30位还差3个位次。")


def test_floors_read_as_met_or_short_by_how_much():
    tax = catalog.indicator("tax_per_mu")
    met = assessed(tax, {"2022-04": 7.68, "2023-04": 8.3}, "2023-04", "floor", 8)
    # 8.30 ÷ 7.68 − 1 = 8.1%.
    assert narrative.indicator_sentence(tax, met) == (
        "4月末，全区亩均税收为8.30万元/亩，同比增长8.1%，达到不低于8万元/亩的要求。")
    output = catalog.indicator("output_per_mu")
    short = assessed(output, {"2022-04": 286, "2023-04": 296}, "2023-04", "floor", 300)
    assert narrative.indicator_sentence(output, short) == (
        "4月末，全区亩均产出为296万元/亩，同比增长3.5%，低于300万元/亩的底线要求4万元/亩。")
    assert (met.status, short.status) == ("green", "red")


def test_a_rate_changes_in_percentage_points_not_percent():
    share = catalog.indicator("county_sales_share")
    a = assessed(share, {"2022-04": 67.5, "2023-04": 67.4}, "2023-04")
    assert narrative.indicator_sentence(share, a) == "4月末，全区占全县规上开票销售比重为67.4%，比上年同期降低0.1个百分点。"


def test_another_entity_is_named_a_missing_month_says_so_and_no_target_adds_nothing():
    a = assessed(LAND, {"2023-03": 100}, "2023-04", "annual", 2400)
    assert narrative.indicator_sentence(LAND, a, "甲开发区") == "2023年4月，甲开发区低效用地清理面积暂无数据。"
    b = assessed(LAND, {"2023-04": 100}, "2023-04")
    assert narrative.indicator_sentence(LAND, b, "甲开发区") == "1-4月，甲开发区低效用地清理面积累计100亩。"


def test_the_overview_counts_indicators_on_pace_and_lists_the_laggards_worst_first():
    inds = catalog.indicators()
    on_pace = assessed(LAND, {**year(2022, [250] * 4), **year(2023, [300, 334, 300, 300])}, "2023-04", "annual", 2468)
    sales = inds["invoice_sales"]
    behind = assessed(sales, year(2023, [20.0, 20.0, 25.0, 28.0]), "2023-04", "annual", 300)  # 31.0% vs 33.3%
    below_floor = assessed(inds["output_per_mu"], {"2023-04": 296}, "2023-04", "floor", 300)
    no_target = assessed(inds["hazards_found"], {"2023-04": 10}, "2023-04")
    assessments = [on_pace, behind, below_floor, no_target]
    assert narrative.headline_counts(assessments) == (1, 2)
    assert narrative.overview_sentence(inds, assessments) == (
        "截至2023年4月，全区3项有目标的指标中，1项达到序时进度（或达标），2项滞后："
        "亩均产出低于底线4万元/亩；规上工业开票销售低于序时进度2.3个百分点。")


def test_a_share_short_of_its_year_end_target_says_how_many_points_remain():
    share = catalog.indicator("county_sales_share")
    a = assessed(share, {"2022-04": 67.5, "2023-04": 67.4}, "2023-04", "year_end", 70)
    assert narrative.indicator_sentence(share, a) == (
        "4月末，全区占全县规上开票销售比重为67.4%，比上年同期降低0.1个百分点，为年末目标70%的96.3%，距目标还差2.6个百分点。")


# English: the same generator with the English phrasebook, so each sentence carries the same
# figures in the same order as its Chinese twin above.

def test_in_english_a_flow_behind_gives_its_share_its_gap_and_its_outlook():
    a = assessed(LAND, {**year(2022, [100] * 4), **year(2023, [120, 130, 150, 100])}, "2023-04", "annual", 2400)
    assert narrative.indicator_sentence(LAND, a, lang="en") == (
        "Inefficient land cleared in the zone totalled 500 mu in Jan–Apr 2023, up 25.0% year on year, "
        "20.8% of the annual target, 12.5 pts behind the time-elapsed pace, full year projected at 1,500 mu, "
        "238 mu needed each month from now on.")


def test_in_english_a_rank_moves_in_places_and_a_balance_says_what_is_left_to_cut():
    rank = catalog.indicator("provincial_rank")
    a = assessed(rank, {"2022-04": 37, "2023-04": 33}, "2023-04", "year_end", 30)
    assert narrative.indicator_sentence(rank, a, lang="en") == (
        "Provincial ranking of the zone was No. 33 at the end of Apr, 4 places up on a year earlier, "
        "3 places short of the year-end target of No. 30.")
    debt = catalog.indicator("debt_short_term")
    b = assessed(debt, {"2022-04": 15.0, "2023-04": 12.9}, "2023-04", "year_end", 12)
    assert narrative.indicator_sentence(debt, b, lang="en") == (
        "Short-term loans in the zone stood at 12.90 100m yuan at the end of Apr, down 14.0% year on year, "
        "above the year-end limit of 12 100m yuan, with 0.90 100m yuan still to cut.")


def test_in_english_the_headline_counts_and_lists_the_laggards_worst_first():
    inds = catalog.indicators()
    on_pace = assessed(LAND, {**year(2022, [250] * 4), **year(2023, [300, 334, 300, 300])}, "2023-04", "annual", 2468)
    behind = assessed(inds["invoice_sales"], year(2023, [20.0, 20.0, 25.0, 28.0]), "2023-04", "annual", 300)
    below_floor = assessed(inds["output_per_mu"], {"2023-04": 296}, "2023-04", "floor", 300)
    assert narrative.overview_sentence(inds, [on_pace, behind, below_floor], lang="en") == (
        "As of Apr 2023, of 3 indicators with targets in the zone, 1 on pace (or met) and 2 behind: "
        "Output per mu: 4 10k yuan/mu below floor; Invoiced industrial sales 2.3 pts behind pace.")


def test_every_phrase_has_both_languages_with_the_same_placeholders():
    import string
    fields = string.Formatter()
    for key, (zh, en) in narrative._PHRASES.items():
        assert zh and en, key
        assert {f for _, f, _, _ in fields.parse(zh) if f} == {f for _, f, _, _ in fields.parse(en) if f}, key
