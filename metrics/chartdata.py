"""The table behind each chart: categories, bar series and line series, with titles and units.

Both the plotly builders (screens, pictures) and the native PowerPoint charts draw from these,
so a chart says the same thing wherever it shows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from . import formatting as fmt
from . import status as rules
from .calc import Assessment, MonthFigures, split_period, time_progress, ytd_label
from .catalog import ZONE, Indicator
from .narrative import subject

DEBT_PARTS = ("debt_short_term", "debt_long_term", "bonds_outstanding")
DEBT_SHARE = "debt_short_share"
# Line names that are yardsticks rather than data: figures draw them dashed, and tests find the
# target in a figure's JSON by these names.
REFERENCE_LINES = frozenset({"目标月均进度", "目标分月进度", "底线要求", "上限要求", "年末目标", "序时进度", "序时目标"})


@dataclass
class ChartData:
    title: str
    categories: list[str]
    bars: dict[str, list[float | None]]
    lines: dict[str, list[float | None]] = field(default_factory=dict)
    unit: str = ""
    decimals: int = 0
    illustrative: bool = False
    source: str = ""
    as_of: str = ""
    stacked: bool = False
    line_unit: str = ""      # set when the lines use another unit than the bars (a second axis)
    line_decimals: int = 1
    ranks: bool = False      # smaller is better (a rank): drawn as lines on an inverted axis, never bars

    def table(self) -> pd.DataFrame:
        """One row per category, one column per series: the data behind the chart."""
        data = {"类别": self.categories}
        for name, values in {**self.bars, **self.lines}.items():
            data[name] = values
        return pd.DataFrame(data)


def _value(series: pd.DataFrame, period: str, column: str = "value") -> float | None:
    hit = series.loc[series["period"] == period, column]
    if hit.empty or pd.isna(hit.iloc[0]):
        return None
    return float(hit.iloc[0])


def _values(series: pd.DataFrame, periods: list[str], column: str = "value") -> list[float | None]:
    """`_value` for several months, reading the series once rather than filtering it per month."""
    figures = MonthFigures(series)
    return [figures.at(p, column) for p in periods]


def _year_periods(year: int, last_month: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(1, last_month + 1)]


def _is_illustrative(series: pd.DataFrame, periods: list[str]) -> bool:
    return "illustrative" in series and bool(series.loc[series["period"].isin(periods), "illustrative"].any())


def _source(illustrative: bool) -> str:
    return "数据来源：示例数据（系统生成，非真实统计）" if illustrative else "数据来源：各部门月度上报"


def monthly_chart_data(ind: Indicator, series: pd.DataFrame, a: Assessment, entity: str = ZONE) -> ChartData:
    """This year's months as bars beside the same months last year, with the target's monthly
    pace (the year's total spread by the same phasing the status uses) or the floor/ceiling as a
    line. A rank is drawn as lines on an inverted axis, so the better rank stands higher."""
    year, month = split_period(a.period)
    periods = _year_periods(year, month)
    last_year = _year_periods(year - 1, month)
    categories, this_year, previous = [], [], []
    figures = MonthFigures(series)
    for p, q in zip(periods, last_year):
        span = figures.months(p)
        if span > 1:
            # A 1-2月 figure replaces the months it covers with one bar.
            drop = span - 1
            categories, this_year, previous = categories[:-drop], this_year[:-drop], previous[:-drop]
            previous_total = sum(v for v in (figures.at(x, "value") for x in last_year[int(q[5:]) - span:int(q[5:])])
                                 if v is not None)
            categories.append(fmt.month_label(p, span))
            this_year.append(figures.at(p, "value"))
            previous.append(previous_total or None)
            continue
        categories.append(fmt.month_label(p))
        this_year.append(figures.at(p, "value"))
        previous.append(figures.at(q, "value"))
    bars = {f"{year}年": this_year, f"{year - 1}年同期": previous}
    lines: dict[str, list[float | None]] = {}
    total = a.year_total if a.year_total is not None else (a.target if a.target_kind == "annual" else None)
    if total is not None and a.target_kind in ("annual", "growth"):
        name = "目标分月进度" if a.target_phasing else "目标月均进度"
        lines[name] = [round(_pace_over(total, c, a.target_phasing), ind.decimals + 2) for c in categories]
    elif a.target is not None and a.target_kind in ("floor", "ceiling"):
        lines["底线要求" if a.target_kind == "floor" else "上限要求"] = [a.target] * len(categories)
    elif a.target is not None and a.target_kind == "year_end":
        lines["年末目标"] = [a.target] * len(categories)
    illustrative = _is_illustrative(series, periods + last_year)
    noun = "月度" if ind.kind == "flow" else "月末"
    ranks = ind.is_rank
    if ranks:  # ranks are positions, not amounts: every series is a line
        lines = {**bars, **lines}
        bars = {}
    return ChartData(
        title=f"{subject(entity)}{ind.name}{noun}情况（{ind.unit}）", categories=categories, bars=bars,
        lines=lines, unit=ind.unit, decimals=ind.decimals, illustrative=illustrative,
        source=_source(illustrative), as_of=a.period, ranks=ranks)


def _pace_over(total: float, category: str, phasing) -> float:
    """The amount due in the months a bar covers ('3月', or '1-2月' for a combined figure)."""
    months = category.rstrip("月").split("-")
    first, last = int(months[0]), int(months[-1])
    return sum(rules.monthly_pace(total, m, phasing) for m in range(first, last + 1))


def ytd_chart_data(ind: Indicator, series: pd.DataFrame, a: Assessment, target_phasing=None,
                   entity: str = ZONE) -> ChartData:
    """完成率 month by month against 序时进度, both in percent of the year's target."""
    year, month = split_period(a.period)
    periods = _year_periods(year, month)
    categories = [fmt.month_label(p) for p in periods]
    completion = [None if ytd is None or not a.target else round(ytd / a.target * 100, 1)
                  for ytd in _values(series, periods, "ytd")]
    progress = [round(time_progress(p, target_phasing) * 100, 1) for p in periods]
    illustrative = _is_illustrative(series, periods)
    return ChartData(
        title=f"{subject(entity)}{ind.name}完成率与序时进度（%）", categories=categories,
        bars={"累计完成率": completion}, lines={"序时进度": progress}, unit="%", decimals=1,
        illustrative=illustrative, source=_source(illustrative), as_of=a.period)


def debt_structure_chart_data(series_by_code: dict[str, pd.DataFrame], period: str,
                              names: dict[str, str], months_shown: int = 13) -> ChartData:
    """Balances by maturity, stacked, over the last months, with the short-term share as a line."""
    year, month = split_period(period)
    index = year * 12 + month - 1
    periods = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - months_shown + 1, index + 1)]
    bars = {names[c]: _values(series_by_code[c], periods) for c in DEBT_PARTS}
    share = _values(series_by_code[DEBT_SHARE], periods)
    share = [None if v is None or math.isnan(v) else round(v, 1) for v in share]
    illustrative = any(_is_illustrative(series_by_code[c], periods) for c in DEBT_PARTS)
    return ChartData(
        title="融资平台债务结构（亿元）与短期债务占比（%）",
        categories=[f"{p[2:4]}年{int(p[5:])}月" for p in periods], bars=bars,
        lines={names[DEBT_SHARE]: share}, unit="亿元", decimals=2, illustrative=illustrative,
        source=_source(illustrative), as_of=period, stacked=True, line_unit="%", line_decimals=1)


# ---- screens: comparisons and themes -----------------------------------------------------

HAZARD_COUNTS = ("hazards_found", "hazards_fixed")
HAZARD_RATE = "hazard_fix_rate"


def _trailing_periods(period: str, months_shown: int) -> list[str]:
    year, month = split_period(period)
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - months_shown + 1, index + 1)]


def _short_month(period: str) -> str:
    """'2022-04' → '22年4月': months across a year boundary stay unambiguous."""
    return f"{period[2:4]}年{int(period[5:])}月"


def _rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def trend_chart_data(ind: Indicator, series_by_entity: dict[str, pd.DataFrame], period: str,
                     months_shown: int = 13) -> ChartData:
    """Each entity's monthly figures over the trailing months, one line per entity: the small
    multiples of a comparison and, with a single entity, a card's sparkline."""
    periods = _trailing_periods(period, months_shown)
    lines = {entity: [_rounded(v, ind.decimals + 2) for v in _values(s, periods)]
             for entity, s in series_by_entity.items()}
    illustrative = any(_is_illustrative(s, periods) for s in series_by_entity.values())
    noun = "月度" if ind.kind == "flow" else "月末"
    return ChartData(
        title=f"{ind.name}{noun}走势（{ind.unit}）", categories=[_short_month(p) for p in periods],
        bars={}, lines=lines, unit=ind.unit, decimals=ind.decimals, illustrative=illustrative,
        source=_source(illustrative), as_of=period, ranks=ind.is_rank)


def ranking_chart_data(ind: Indicator, series_by_entity: dict[str, pd.DataFrame], period: str,
                       reference: Assessment | None = None) -> ChartData:
    """The entities ranked at one month (累计 for flows, the month-end figure otherwise), best
    first, with the reference entity's floor, ceiling, year-end target or 序时目标 as a line."""
    values = {e: v for e, s in series_by_entity.items() if (v := _value(s, period, "ytd")) is not None}
    order = sorted(values, key=values.__getitem__, reverse=ind.direction != "lower")
    year, month = split_period(period)
    measure = f"{year}年{ytd_label(period)}累计" if ind.kind == "flow" else f"{year}年{month}月末"
    lines: dict[str, list[float | None]] = {}
    if reference is not None and reference.target is not None and order:
        if reference.target_kind in ("floor", "ceiling"):
            lines["底线要求" if reference.target_kind == "floor" else "上限要求"] = [reference.target] * len(order)
        elif reference.target_kind == "year_end":
            lines["年末目标"] = [reference.target] * len(order)
        elif reference.target_kind == "annual" and reference.progress is not None:
            pace = round(reference.target * reference.progress, ind.decimals + 2)
            lines["序时目标"] = [pace] * len(order)
    illustrative = any(_is_illustrative(series_by_entity[e], [period]) for e in order)
    return ChartData(
        title=f"{ind.name}{measure}比较（{ind.unit}）", categories=order,
        bars={measure: [_rounded(values[e], ind.decimals + 2) for e in order]}, lines=lines,
        unit=ind.unit, decimals=ind.decimals, illustrative=illustrative,
        source=_source(illustrative), as_of=period)


def completion_chart_data(indicators: list[Indicator], assessments: dict[str, Assessment],
                          title: str) -> ChartData:
    """Several indicators' 完成率 side by side, each against its own 序时进度 (in percent)."""
    shown = [i for i in indicators
             if assessments[i.code].completion is not None and assessments[i.code].progress is not None]
    illustrative = any(assessments[i.code].illustrative for i in shown)
    period = assessments[shown[0].code].period if shown else ""
    return ChartData(
        title=title, categories=[i.name for i in shown],
        bars={"累计完成率": [round(assessments[i.code].completion * 100, 1) for i in shown]},
        lines={"序时进度": [round(assessments[i.code].progress * 100, 1) for i in shown]},
        unit="%", decimals=1, illustrative=illustrative, source=_source(illustrative), as_of=period)


def safety_chart_data(series_by_code: dict[str, pd.DataFrame], period: str, names: dict[str, str],
                      floor: float | None = None) -> ChartData:
    """This year's hazards found and fixed by month, with the year-to-date fix rate and its floor."""
    year, month = split_period(period)
    periods = _year_periods(year, month)
    bars = {names[c]: _values(series_by_code[c], periods) for c in HAZARD_COUNTS}
    rate = [_rounded(v, 1) for v in _values(series_by_code[HAZARD_RATE], periods, "ytd")]
    lines = {f"累计{names[HAZARD_RATE]}": rate}
    if floor is not None:
        lines["底线要求"] = [floor] * len(periods)
    illustrative = any(_is_illustrative(series_by_code[c], periods) for c in HAZARD_COUNTS)
    return ChartData(
        title=f"{year}年安全隐患排查整改情况（条）与累计整改率（%）",
        categories=[fmt.month_label(p) for p in periods], bars=bars, lines=lines, unit="条",
        decimals=0, illustrative=illustrative, source=_source(illustrative), as_of=period,
        line_unit="%", line_decimals=1)


def financing_mix_chart_data(series_by_code: dict[str, pd.DataFrame], period: str,
                             months_shown: int = 13) -> ChartData:
    """Indirect (bank loans) and direct (bonds) financing, stacked, with the direct share."""
    periods = _trailing_periods(period, months_shown)
    loans, bonds, share = [], [], []
    parts = [_values(series_by_code[c], periods) for c in DEBT_PARTS]
    for short, long_, bond in zip(*parts):
        loan = None if short is None or long_ is None else round(short + long_, 4)
        loans.append(loan)
        bonds.append(bond)
        total = None if loan is None or bond is None else loan + bond
        share.append(round(bond / total * 100, 1) if total else None)
    illustrative = any(_is_illustrative(series_by_code[c], periods) for c in DEBT_PARTS)
    return ChartData(
        title="直接融资与间接融资结构（亿元）与直接融资占比（%）",
        categories=[_short_month(p) for p in periods],
        bars={"间接融资（银行贷款）": loans, "直接融资（债券）": bonds}, lines={"直接融资占比": share},
        unit="亿元", decimals=2, illustrative=illustrative, source=_source(illustrative),
        as_of=period, stacked=True, line_unit="%", line_decimals=1)
