"""The table behind each chart: categories, bar series and line series, with titles and units.

Both the plotly builders (screens, pictures) and the native PowerPoint charts draw from these,
so a chart says the same thing wherever it shows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from . import formatting as fmt
from . import i18n
from . import status as rules
from .calc import Assessment, MonthFigures, time_progress
from .catalog import ZONE, Direction, Indicator, IndicatorKind, TargetKind
from .ledger import LedgerProgress
from .narrative import subject
from .periods import month_label, short_label, split_period, trailing_periods, year_periods, ytd_label

DEBT_PARTS = ("debt_short_term", "debt_long_term", "bonds_outstanding")
DEBT_SHARE = "debt_short_share"

# Every word a chart shows, in Chinese and English: titles, series, sources.
_WORDS: dict[str, tuple[str, str]] = {
    "pace_even": ("目标月均进度", "Target pace (even)"),
    "pace_phased": ("目标分月进度", "Target pace (phased)"),
    "floor": ("底线要求", "Floor"),
    "ceiling": ("上限要求", "Ceiling"),
    "year_end": ("年末目标", "Year-end target"),
    "progress": ("序时进度", "Time-elapsed pace"),
    "progress_target": ("序时目标", "Target to date"),
    "completion": ("累计完成率", "Share of target done"),
    "this_year": ("{year}年", "{year}"),
    "last_year": ("{year}年同期", "{year}, same months"),
    "monthly_title": ("{subject}{name}月度情况（{unit}）", "{name} in {subject}, by month ({unit})"),
    "level_title": ("{subject}{name}月末情况（{unit}）", "{name} in {subject}, month-end ({unit})"),
    "ytd_title": ("{subject}{name}完成率与序时进度（%）", "{name} in {subject}: share of target against pace (%)"),
    "trend_title": ("{name}月度走势（{unit}）", "{name}, monthly trend ({unit})"),
    "level_trend_title": ("{name}月末走势（{unit}）", "{name}, month-end trend ({unit})"),
    "ranking_title": ("{name}{measure}比较（{unit}）", "{name}, {measure}, by entity ({unit})"),
    "ranking_flow": ("{year}年{months}累计", "{months} {year}, year to date"),
    "ranking_level": ("{year}年{month}末", "end of {month} {year}"),
    "debt_title": ("融资平台债务结构（亿元）与短期债务占比（%）",
                   "Financing platforms' debt by maturity (100m yuan) and short-term share (%)"),
    "safety_title": ("{year}年安全隐患排查整改情况（条）与累计整改率（%）",
                     "Work-safety hazards found and fixed in {year} (items) and fix rate to date (%)"),
    "safety_rate": ("累计{name}", "{name} to date"),
    "financing_title": ("直接融资与间接融资结构（亿元）与直接融资占比（%）",
                        "Direct and indirect financing (100m yuan) and the direct share (%)"),
    "loans": ("间接融资（银行贷款）", "Indirect (bank loans)"),
    "bonds": ("直接融资（债券）", "Direct (bonds)"),
    "direct_share": ("直接融资占比", "Direct share"),
    "source_illustrative": ("数据来源：示例数据（系统生成，非真实统计）",
                            "Source: illustrative data (generated, not real statistics)"),
    "source_reported": ("数据来源：各部门月度上报", "Source: departments' monthly returns"),
    "category": ("类别", "Category"),
    "illustrative_stamp": ("示例数据", "示例数据 · illustrative"),
}
_REFERENCE_KEYS = ("pace_even", "pace_phased", "floor", "ceiling", "year_end", "progress", "progress_target")
# Line names that are yardsticks rather than data, in either language: figures draw them dashed,
# and tests find the target in a figure's JSON by these names.
REFERENCE_LINES = frozenset(name for key in _REFERENCE_KEYS for name in _WORDS[key])


def word(key: str, lang: str = "zh", **values) -> str:
    """A chart's word in `lang`, with `values` filled in."""
    return i18n.phrase(_WORDS, key, lang, **values)


def _name(ind: Indicator, lang: str) -> str:
    return i18n.indicator_name(ind, lang, short=True)


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
    lang: str = "zh"         # the language of every word above, and of the stamp the picture adds

    def table(self) -> pd.DataFrame:
        """One row per category, one column per series: the data behind the chart."""
        data = {word("category", self.lang): self.categories}
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


def _is_illustrative(series: pd.DataFrame, periods: list[str]) -> bool:
    return "illustrative" in series and bool(series.loc[series["period"].isin(periods), "illustrative"].any())


def _source(illustrative: bool, lang: str = "zh") -> str:
    return word("source_illustrative" if illustrative else "source_reported", lang)


def monthly_chart_data(ind: Indicator, series: pd.DataFrame, a: Assessment, entity: str = ZONE,
                       lang: str = "zh") -> ChartData:
    """This year's months as bars beside the same months last year, with the target's monthly
    pace (the year's total spread by the same phasing the status uses) or the floor/ceiling as a
    line. A rank is drawn as lines on an inverted axis, so the better rank stands higher."""
    year, month = split_period(a.period)
    periods = year_periods(year, month)
    last_year = year_periods(year - 1, month)
    categories, this_year, previous = [], [], []
    spans: list[tuple[int, int]] = []  # the months each bar covers
    figures = MonthFigures(series)
    for p, q in zip(periods, last_year):
        span = figures.months(p)
        if span > 1:
            # A 1-2月 figure replaces the months it covers with one bar.
            drop = span - 1
            categories, this_year, previous = categories[:-drop], this_year[:-drop], previous[:-drop]
            spans = spans[:-drop]
            previous_total = sum(v for v in (figures.at(x, "value") for x in last_year[int(q[5:]) - span:int(q[5:])])
                                 if v is not None)
            categories.append(month_label(p, span, lang))
            spans.append((int(p[5:]) - span + 1, int(p[5:])))
            this_year.append(figures.at(p, "value"))
            previous.append(previous_total or None)
            continue
        categories.append(month_label(p, lang=lang))
        spans.append((int(p[5:]), int(p[5:])))
        this_year.append(figures.at(p, "value"))
        previous.append(figures.at(q, "value"))
    bars = {word("this_year", lang, year=year): this_year, word("last_year", lang, year=year - 1): previous}
    lines: dict[str, list[float | None]] = {}
    total = a.year_total if a.year_total is not None else (a.target if a.target_kind == TargetKind.ANNUAL else None)
    if total is not None and a.target_kind in (TargetKind.ANNUAL, TargetKind.GROWTH):
        name = word("pace_phased" if a.target_phasing else "pace_even", lang)
        lines[name] = [round(_pace_over(total, first, last, a.target_phasing), ind.decimals + 2)
                       for first, last in spans]
    elif a.target is not None and a.target_kind in (TargetKind.FLOOR, TargetKind.CEILING):
        lines[word(a.target_kind, lang)] = [a.target] * len(categories)
    elif a.target is not None and a.target_kind == TargetKind.YEAR_END:
        lines[word("year_end", lang)] = [a.target] * len(categories)
    illustrative = _is_illustrative(series, periods + last_year)
    ranks = ind.is_rank
    if ranks:  # ranks are positions, not amounts: every series is a line
        lines = {**bars, **lines}
        bars = {}
    title = word("monthly_title" if ind.kind == IndicatorKind.FLOW else "level_title", lang,
                 subject=subject(entity, lang), name=_name(ind, lang), unit=fmt.unit_name(ind.unit, lang))
    return ChartData(
        title=title, categories=categories, bars=bars, lines=lines, unit=ind.unit, decimals=ind.decimals,
        illustrative=illustrative, source=_source(illustrative, lang), as_of=a.period, ranks=ranks, lang=lang)


def _pace_over(total: float, first: int, last: int, phasing) -> float:
    """The amount due in the months a bar covers (one month, or 1-2月 for a combined figure)."""
    return sum(rules.monthly_pace(total, m, phasing) for m in range(first, last + 1))


def ytd_chart_data(ind: Indicator, series: pd.DataFrame, a: Assessment, target_phasing=None,
                   entity: str = ZONE, lang: str = "zh") -> ChartData:
    """完成率 month by month against 序时进度, both in percent of the year's target."""
    year, month = split_period(a.period)
    periods = year_periods(year, month)
    categories = [month_label(p, lang=lang) for p in periods]
    completion = [None if ytd is None or not a.target else round(ytd / a.target * 100, 1)
                  for ytd in _values(series, periods, "ytd")]
    progress = [round(time_progress(p, target_phasing) * 100, 1) for p in periods]
    illustrative = _is_illustrative(series, periods)
    return ChartData(
        title=word("ytd_title", lang, subject=subject(entity, lang), name=_name(ind, lang)), categories=categories,
        bars={word("completion", lang): completion}, lines={word("progress", lang): progress}, unit="%", decimals=1,
        illustrative=illustrative, source=_source(illustrative, lang), as_of=a.period, lang=lang)


def debt_structure_chart_data(series_by_code: dict[str, pd.DataFrame], period: str,
                              names: dict[str, str], months_shown: int = 13, lang: str = "zh") -> ChartData:
    """Balances by maturity, stacked, over the last months, with the short-term share as a line."""
    periods = trailing_periods(period, months_shown)
    bars = {names[c]: _values(series_by_code[c], periods) for c in DEBT_PARTS}
    share = _values(series_by_code[DEBT_SHARE], periods)
    share = [None if v is None or math.isnan(v) else round(v, 1) for v in share]
    illustrative = any(_is_illustrative(series_by_code[c], periods) for c in DEBT_PARTS)
    return ChartData(
        title=word("debt_title", lang), categories=[short_label(p, lang) for p in periods], bars=bars,
        lines={names[DEBT_SHARE]: share}, unit="亿元", decimals=2, illustrative=illustrative,
        source=_source(illustrative, lang), as_of=period, stacked=True, line_unit="%", line_decimals=1, lang=lang)


# ---- screens: comparisons and themes -----------------------------------------------------

HAZARD_COUNTS = ("hazards_found", "hazards_fixed")
HAZARD_RATE = "hazard_fix_rate"


def _rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def trend_chart_data(ind: Indicator, series_by_entity: dict[str, pd.DataFrame], period: str,
                     months_shown: int = 13, lang: str = "zh") -> ChartData:
    """Each entity's monthly figures over the trailing months, one line per entity: the small
    multiples of a comparison and, with a single entity, a card's sparkline."""
    periods = trailing_periods(period, months_shown)
    lines = {entity: [_rounded(v, ind.decimals + 2) for v in _values(s, periods)]
             for entity, s in series_by_entity.items()}
    illustrative = any(_is_illustrative(s, periods) for s in series_by_entity.values())
    title = word("trend_title" if ind.kind == IndicatorKind.FLOW else "level_trend_title", lang,
                 name=_name(ind, lang), unit=fmt.unit_name(ind.unit, lang))
    return ChartData(
        title=title, categories=[short_label(p, lang) for p in periods],
        bars={}, lines=lines, unit=ind.unit, decimals=ind.decimals, illustrative=illustrative,
        source=_source(illustrative, lang), as_of=period, ranks=ind.is_rank, lang=lang)


def ranking_chart_data(ind: Indicator, series_by_entity: dict[str, pd.DataFrame], period: str,
                       reference: Assessment | None = None, lang: str = "zh") -> ChartData:
    """The entities ranked at one month (累计 for flows, the month-end figure otherwise), best
    first, with the reference entity's floor, ceiling, year-end target or 序时目标 as a line."""
    values = {e: v for e, s in series_by_entity.items() if (v := _value(s, period, "ytd")) is not None}
    order = sorted(values, key=values.__getitem__, reverse=ind.direction != Direction.LOWER)
    year, month = split_period(period)
    measure = (word("ranking_flow", lang, year=year, months=ytd_label(period, lang)) if ind.kind == IndicatorKind.FLOW
               else word("ranking_level", lang, year=year, month=month_label(period, lang=lang)))
    lines: dict[str, list[float | None]] = {}
    if reference is not None and reference.target is not None and order:
        if reference.target_kind in (TargetKind.FLOOR, TargetKind.CEILING, TargetKind.YEAR_END):
            lines[word(reference.target_kind, lang)] = [reference.target] * len(order)
        elif reference.target_kind == TargetKind.ANNUAL and reference.progress is not None:
            pace = round(reference.target * reference.progress, ind.decimals + 2)
            lines[word("progress_target", lang)] = [pace] * len(order)
    illustrative = any(_is_illustrative(series_by_entity[e], [period]) for e in order)
    return ChartData(
        title=word("ranking_title", lang, name=_name(ind, lang), measure=measure, unit=fmt.unit_name(ind.unit, lang)),
        categories=order, bars={measure: [_rounded(values[e], ind.decimals + 2) for e in order]}, lines=lines,
        unit=ind.unit, decimals=ind.decimals, illustrative=illustrative,
        source=_source(illustrative, lang), as_of=period, lang=lang)


def completion_chart_data(indicators: list[Indicator], assessments: dict[str, Assessment],
                          title: str, lang: str = "zh") -> ChartData:
    """Several indicators' 完成率 side by side, each against its own 序时进度 (in percent)."""
    shown = [i for i in indicators
             if assessments[i.code].completion is not None and assessments[i.code].progress is not None]
    illustrative = any(assessments[i.code].illustrative for i in shown)
    period = assessments[shown[0].code].period if shown else ""
    return ChartData(
        title=title, categories=[_name(i, lang) for i in shown],
        bars={word("completion", lang): [round(assessments[i.code].completion * 100, 1) for i in shown]},
        lines={word("progress", lang): [round(assessments[i.code].progress * 100, 1) for i in shown]},
        unit="%", decimals=1, illustrative=illustrative, source=_source(illustrative, lang), as_of=period, lang=lang)


def safety_chart_data(series_by_code: dict[str, pd.DataFrame], period: str, names: dict[str, str],
                      floor: float | None = None, lang: str = "zh") -> ChartData:
    """This year's hazards found and fixed by month, with the year-to-date fix rate and its floor."""
    year, month = split_period(period)
    periods = year_periods(year, month)
    bars = {names[c]: _values(series_by_code[c], periods) for c in HAZARD_COUNTS}
    rate = [_rounded(v, 1) for v in _values(series_by_code[HAZARD_RATE], periods, "ytd")]
    lines = {word("safety_rate", lang, name=names[HAZARD_RATE]): rate}
    if floor is not None:
        lines[word("floor", lang)] = [floor] * len(periods)
    illustrative = any(_is_illustrative(series_by_code[c], periods) for c in HAZARD_COUNTS)
    return ChartData(
        title=word("safety_title", lang, year=year),
        categories=[month_label(p, lang=lang) for p in periods], bars=bars, lines=lines, unit="条",
        decimals=0, illustrative=illustrative, source=_source(illustrative, lang), as_of=period,
        line_unit="%", line_decimals=1, lang=lang)


def financing_mix_chart_data(series_by_code: dict[str, pd.DataFrame], period: str,
                             months_shown: int = 13, lang: str = "zh") -> ChartData:
    """Indirect (bank loans) and direct (bonds) financing, stacked, with the direct share."""
    periods = trailing_periods(period, months_shown)
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
        title=word("financing_title", lang), categories=[short_label(p, lang) for p in periods],
        bars={word("loans", lang): loans, word("bonds", lang): bonds}, lines={word("direct_share", lang): share},
        unit="亿元", decimals=2, illustrative=illustrative, source=_source(illustrative, lang),
        as_of=period, stacked=True, line_unit="%", line_decimals=1, lang=lang)


def ledger_chart_data(progress: LedgerProgress) -> ChartData:
    """Problems and measures, done and in progress, as the report lists them."""
    return ChartData(
        title="巡察反馈问题及整改措施完成情况（个、项）", categories=["问题（个）", "整改措施（项）"],
        bars={"已完成": [progress.done, progress.measures_done],
              "正在推进": [progress.in_progress, progress.measures_open]},
        unit="", decimals=0, source=f"数据来源：巡察整改进展情况通报（{progress.report_date}）逐项清单",
        as_of=progress.report_date, stacked=True)
