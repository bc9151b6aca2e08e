"""Every kind of target judged by its own rule (metrics.status), against figures worked out by hand (issue 13)."""
import pandas as pd
import pytest

from metrics import calc, catalog, status

INDS = catalog.indicators()


def assessed(code, values: dict[str, float], period: str, kind=None, value=None, phasing=None):
    frame = pd.DataFrame({"period": list(values), "value": list(values.values()),
                          "months": [1] * len(values), "illustrative": False})
    series = calc.with_ytd(INDS[code], frame)
    target = None if kind is None else {"kind": kind, "value": value, "phasing": phasing, "illustrative": False}
    return calc.assess(INDS[code], series, period, target)


def verdict(code, a, lang="zh"):
    return status.verdict(a, INDS[code].unit, INDS[code].decimals, lang)


def test_a_rank_worse_than_its_target_is_behind_by_places_never_a_completion_above_100():
    a = assessed("provincial_rank", {"2023-04": 33}, "2023-04", "year_end", 30)
    assert a.completion is None and a.status == "amber"  # 3 places of 30 = 10% short
    assert a.margin == -3 and verdict("provincial_rank", a) == "差3位"
    assert verdict("provincial_rank", a, "en") == "3 places short"
    far = assessed("provincial_rank", {"2023-04": 37}, "2023-04", "year_end", 30)
    assert far.status == "red"
    assert assessed("provincial_rank", {"2023-04": 29}, "2023-04", "year_end", 30).status == "green"


def test_a_loan_balance_over_its_ceiling_is_over_the_ceiling_not_107_percent():
    a = assessed("debt_short_term", {"2023-04": 12.9}, "2023-04", "ceiling", 12)
    assert a.status == "red" and a.completion is None
    assert a.margin == pytest.approx(-0.9)
    assert verdict("debt_short_term", a) == "超出上限0.90亿元"
    under = assessed("debt_short_term", {"2023-04": 11.1}, "2023-04", "ceiling", 12)
    assert under.status == "green" and verdict("debt_short_term", under) == "低于上限0.90亿元"


def test_a_floor_shows_its_margin():
    a = assessed("tax_per_mu", {"2023-04": 7.5}, "2023-04", "floor", 8)
    assert a.status == "red" and verdict("tax_per_mu", a) == "低于底线0.50万元/亩"


def test_a_bond_balance_planned_for_later_in_the_year_is_not_behind_in_april():
    a = assessed("bonds_outstanding", {"2023-04": 2.0}, "2023-04", "year_end", 7)
    assert a.status == "open" and a.status not in status.BEHIND
    assert verdict("bonds_outstanding", a) == "年末目标尚差5.00亿元"
    december = assessed("bonds_outstanding", {"2023-12": 2.0}, "2023-12", "year_end", 7)
    assert december.status == "red"


def test_a_year_end_level_with_a_phasing_follows_that_path():
    path = (0, 0, 0, 50, 50, 60, 70, 80, 90, 95, 100, 100)
    a = assessed("bonds_outstanding", {"2023-04": 2.0}, "2023-04", "year_end", 7, path)
    # 2 of 7 = 28.6% against 50% due by April: 21.4 points behind.
    assert a.progress == pytest.approx(0.5) and a.gap_pp == pytest.approx(-21.428571, abs=1e-5)
    assert a.status == "red"


def test_a_growth_target_is_behind_when_growth_falls_short_even_on_pace():
    # Last year: 10 a month, 120 in all. Target 增长 8% → 129.6 for the year, 43.2 by April.
    last = {f"2022-{m:02d}": 10.0 for m in range(1, 13)}
    this = {f"2023-{m:02d}": v for m, v in zip(range(1, 5), (10.5, 10.5, 10.5, 10.5))}  # 42: +5%
    a = assessed("invoice_sales", {**last, **this}, "2023-04", "growth", 8)
    assert a.growth_short_pp == pytest.approx(3.0)
    assert a.year_total == pytest.approx(129.6)
    assert a.completion == pytest.approx(42 / 129.6)        # 32.4% against 33.3%: amber on pace
    assert a.status == "amber"                              # 42 of 43.2 needed: 2.8% short
    assert verdict("invoice_sales", a) == "增幅低于目标3.0个百分点"
    assert a.needed_per_month == pytest.approx((129.6 - 42) / 8)


def test_a_growth_target_met_on_pace_is_green():
    last = {f"2022-{m:02d}": 10.0 for m in range(1, 13)}
    this = {f"2023-{m:02d}": 11.0 for m in range(1, 5)}  # +10%
    a = assessed("invoice_sales", {**last, **this}, "2023-04", "growth", 8)
    assert a.status == "green" and a.growth_short_pp == 0


def test_the_projection_follows_last_years_seasonal_pattern():
    # Last year 30 by April of 150 in all: this year's 40 by April projects to 40 × 150 / 30 = 200.
    last = {f"2022-{m:02d}": v for m, v in enumerate([5, 5, 10, 10] + [15] * 8, start=1)}
    this = {"2023-01": 10.0, "2023-02": 10.0, "2023-03": 10.0, "2023-04": 10.0}
    a = assessed("land_cleared", {**last, **this}, "2023-04", "annual", 240)
    assert a.projection == pytest.approx(200)
    assert a.needed_per_month == pytest.approx((240 - 40) / 8)


def test_the_projection_is_a_straight_line_without_a_full_last_year():
    a = assessed("land_cleared", {"2023-01": 10.0, "2023-02": 20.0, "2023-03": 30.0}, "2023-03", "annual", 240)
    assert a.projection == pytest.approx(240) and a.needed_per_month == pytest.approx(20)


def test_the_monthly_pace_follows_the_phasing():
    phasing = (4, 9, 16, 24, 32, 41, 50, 59, 68, 78, 88, 100)
    assert status.monthly_pace(100, 1, phasing) == pytest.approx(4)
    assert status.monthly_pace(100, 3, phasing) == pytest.approx(7)
    assert status.monthly_pace(120, 5) == pytest.approx(10)


def test_statuses_sort_worst_first():
    assert sorted(["green", "none", "open", "red", "amber"], key=status.STATUS_ORDER.get) == \
        ["red", "amber", "open", "green", "none"]


def test_an_admin_types_a_phasing_as_twelve_cumulative_percentages():
    assert catalog.parse_phasing("") is None
    assert catalog.parse_phasing("0，0，0，20,30,40,50,60,70,80,90,100")[3] == 20
    with pytest.raises(ValueError, match="12 个"):
        catalog.parse_phasing("10, 20")


def test_a_month_without_a_figure_says_no_data_not_no_target():
    """A month whose figures have not come in (or still wait for review) has its target all the same."""
    a = assessed("land_cleared", {"2023-03": 120}, "2023-04", "annual", 2800)
    assert a.ytd is None and a.status == "none"
    assert verdict("land_cleared", a) == "暂无数据" and verdict("land_cleared", a, "en") == "No data"
    untargeted = assessed("land_cleared", {"2023-04": 120}, "2023-04")
    assert verdict("land_cleared", untargeted) == "无目标"
