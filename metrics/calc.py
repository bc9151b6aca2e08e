"""Calculations in the words leaders use: 本月值, 累计值, 同比, 环比, 完成率, 序时进度 and status.

Pure functions over pandas frames; nothing here touches the store or the UI.
"""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import pandas as pd

from . import status as rules
from .catalog import Direction, Indicator, IndicatorKind, TargetKind
from .periods import month_memo, shift, split_period

ROUND = 9  # sums of one-decimal figures are rounded so 276.8 stays 276.8, not 276.79999999999995


def time_progress(period: str, phasing: tuple[float, ...] | None = None) -> float:
    """序时进度: months elapsed / 12, or the target's own cumulative phasing (in percent)."""
    return rules.time_progress(split_period(period)[1], phasing)


def with_ytd(ind: Indicator, series: pd.DataFrame) -> pd.DataFrame:
    """Add `ytd` to one indicator's monthly figures (columns period, months, value)."""
    s = series.sort_values("period").reset_index(drop=True).copy()
    if s.empty:
        s["ytd"] = pd.Series(dtype="float64")
        return s
    if ind.kind == IndicatorKind.FLOW:
        # Grouped by the years as an array: given a Series, pandas first tries it as a column label
        # and formats it for the error it then discards, which cost more than the sum.
        year = s["period"].str.slice(0, 4).to_numpy()
        s["ytd"] = s["value"].groupby(year).cumsum().round(ROUND)
    else:
        s["ytd"] = s["value"]
    return s


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def evaluate_formula(formula: str, values: dict[str, float]) -> float | None:
    """Evaluate a catalogue formula (names, numbers, + - * /) safely; None when undefined."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            v = values.get(node.id)
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Div) and right == 0:
                return None
            return _OPERATORS[type(node.op)](left, right)
        raise ValueError(f"公式中不支持的写法：{ast.dump(node)}")
    return walk(_parsed(formula))


@lru_cache(maxsize=256)
def _parsed(formula: str) -> ast.Expression:
    """A formula is evaluated for every month of its indicator; it is parsed once."""
    return ast.parse(formula, mode="eval")


def derived_series(ind: Indicator, inputs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A derived indicator's months from its inputs' series (each already `with_ytd`).

    The month figure applies the formula to the inputs' month figures; the 累计 applies it to
    their 累计 figures (a year's 整改率 is fixed-to-date over found-to-date, not a mean of months).
    Only months that every input has are computed.
    """
    if any(c not in inputs or inputs[c].empty for c in ind.inputs):
        return pd.DataFrame({"period": [], "months": [], "value": [], "ytd": []})
    joined = None
    for c in ind.inputs:
        part = inputs[c][["period", "months", "value", "ytd"]].rename(
            columns={"months": f"{c}.months", "value": f"{c}.value", "ytd": f"{c}.ytd"})
        joined = part if joined is None else joined.merge(part, on="period", how="inner")
    joined = joined.sort_values("period")
    rows = []
    for record in joined.to_dict("records"):
        value = evaluate_formula(ind.formula, {c: record[f"{c}.value"] for c in ind.inputs})
        ytd = evaluate_formula(ind.formula, {c: record[f"{c}.ytd"] for c in ind.inputs})
        rows.append({"period": record["period"],
                     "months": max(int(record[f"{c}.months"]) for c in ind.inputs),
                     "value": math.nan if value is None else round(value, ROUND),
                     "ytd": math.nan if ytd is None else round(ytd, ROUND)})
    return pd.DataFrame(rows, columns=["period", "months", "value", "ytd"])


def all_series(indicators: dict[str, Indicator], observations: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every indicator's series with 累计 for one entity, derived ones computed.

    observations: the store's current figures for one entity (indicator_code, period, months,
    value, illustrative).
    """
    out: dict[str, pd.DataFrame] = {}
    grouped = dict(tuple(observations.groupby("indicator_code"))) if len(observations) else {}
    for code, ind in indicators.items():
        if ind.kind == IndicatorKind.DERIVED:
            continue
        frame = grouped.get(code)
        kept = ["period", "months", "value", "illustrative"] + (["published_yoy"] if "published_yoy" in observations else [])
        base = (frame[kept] if frame is not None else pd.DataFrame({column: [] for column in kept}))
        out[code] = with_ytd(ind, base)
    for code, ind in indicators.items():
        if ind.kind == IndicatorKind.DERIVED:
            s = derived_series(ind, out)
            illus = [bool(out[c]["illustrative"].any()) for c in ind.inputs if c in out]
            s["illustrative"] = any(illus)
            out[code] = s
    return out


@dataclass(frozen=True)
class Assessment:
    """Where one indicator stands at one month against its target."""
    code: str
    period: str
    value: float | None          # 本月值 (or the month's level)
    months: int                  # >1 when the month's figure covers several months (1-2月)
    ytd: float | None            # 累计值 (flows) or the latest level
    ytd_last_year: float | None  # the same period last year
    yoy_pct: float | None        # 同比 in percent
    yoy_pp: float | None         # 同比 in 个百分点, for indicators measured in %
    mom_pct: float | None        # 环比 in percent
    target_kind: TargetKind | None
    target: float | None
    target_illustrative: bool
    completion: float | None     # 完成率 as a fraction; None where less is better (see metrics.status)
    progress: float | None       # 序时进度 as a fraction
    gap_pp: float | None         # completion minus progress, in 个百分点; positive is good
    status: rules.Status
    illustrative: bool
    margin: float | None = None            # distance from the target in the unit; positive is good
    growth_short_pp: float | None = None   # 增幅低于目标 by this many points
    projection: float | None = None        # 预计全年 (flows)
    needed_per_month: float | None = None  # 每月还需完成 (flows with a year's total)
    year_total: float | None = None        # the year's total a flow is measured against
    target_phasing: tuple[float, ...] | None = None  # the phasing the status used, for the charts' pace
    published_yoy: float | None = None     # the 同比 the uploaded file published (统计局口径), beside ours

    def as_dict(self) -> dict:
        return asdict(self)


def _pct_change(new, old) -> float | None:
    if new is None or old is None or old == 0 or math.isnan(new) or math.isnan(old):
        return None
    return round((new - old) / abs(old) * 100, ROUND)


class MonthFigures:
    """One series' figures by month, looked up without filtering the frame for every figure
    (a page reads a dozen months of two dozen series)."""

    def __init__(self, series: pd.DataFrame):
        self.periods = series["period"].tolist()
        self.columns = {c: series[c].tolist() for c in ("value", "ytd", "months", "illustrative", "published_yoy")
                        if c in series}
        self.first: dict[str, int] = {}
        for i, p in enumerate(self.periods):
            self.first.setdefault(p, i)

    def at(self, period: str, column: str) -> float | None:
        """The month's figure in `column` (its first row), None when the month or the figure is missing."""
        i = self.first.get(period)
        if i is None:
            return None
        v = self.columns[column][i]
        return None if pd.isna(v) else float(v)

    def months(self, period: str) -> int:
        i = self.first.get(period)
        return 1 if i is None else int(self.columns["months"][i])

    def illustrative(self, period: str) -> bool:
        flags = self.columns.get("illustrative")
        return flags is not None and any(bool(flag) for p, flag in zip(self.periods, flags)
                                         if p == period and not pd.isna(flag))


@month_memo
def same_period_last_year(period: str) -> str:
    return shift(period, -12)


def assess(ind: Indicator, series: pd.DataFrame, period: str, target: dict | None) -> Assessment:
    """The indicator's 本月值, 累计, 同比, 环比, 完成率 against 序时进度, and its status.

    target: a row of the store's targets for this year (kind, value, phasing, illustrative) or None.
    """
    figures = MonthFigures(series)
    value = figures.at(period, "value")
    ytd = figures.at(period, "ytd")
    months = figures.months(period)
    last_year = figures.at(same_period_last_year(period), "ytd")
    yoy_pct = _pct_change(ytd, last_year)
    yoy_pp = round(ytd - last_year, ROUND) if ind.unit == "%" and ytd is not None and last_year is not None else None
    mom_pct = _pct_change(value, figures.at(shift(period, -months), "value")) if months == 1 else None
    illustrative = figures.illustrative(period)

    year, month = split_period(period)
    kind = TargetKind(target["kind"]) if target else None
    target_value = float(target["value"]) if target else None
    judged = rules.judge(
        kind=kind, target=target_value, phasing=target.get("phasing") if target else None, month=month,
        ytd=ytd, is_flow=ind.kind == IndicatorKind.FLOW, lower_is_better=ind.direction == Direction.LOWER,
        is_rank=ind.is_rank,
        last_year_ytd=last_year, last_year_total=figures.at(f"{year - 1:04d}-12", "ytd"))
    return Assessment(
        code=ind.code, period=period, value=value, months=months, ytd=ytd, ytd_last_year=last_year,
        yoy_pct=yoy_pct, yoy_pp=yoy_pp, mom_pct=mom_pct, target_kind=kind, target=target_value,
        target_illustrative=bool(target["illustrative"]) if target else False,
        completion=_rounded(judged.completion), progress=_rounded(judged.progress),
        gap_pp=_rounded(judged.gap_pp), status=judged.status, illustrative=illustrative,
        margin=_rounded(judged.margin), growth_short_pp=_rounded(judged.growth_short_pp),
        projection=_rounded(judged.projection), needed_per_month=_rounded(judged.needed_per_month),
        year_total=_rounded(judged.year_total), target_phasing=target.get("phasing") if target else None,
        published_yoy=figures.at(period, "published_yoy") if "published_yoy" in figures.columns else None)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, ROUND)


@dataclass(frozen=True)
class Reporting:
    """How many of the indicators an entity reports hold a figure for each month, and how many more
    wait for review (审核): a month whose figures all wait is still offered, with none counted."""
    by_month: dict[str, int]   # period → indicators with a current figure, latest month first
    expected: int              # indicators the entity has ever reported (current figures)
    waiting: dict[str, int] = field(default_factory=dict)  # period → indicators with a figure waiting

    def line(self, period: str) -> tuple[int, int]:
        return self.by_month.get(period, 0), self.expected

    def pending(self, period: str) -> int:
        return self.waiting.get(period, 0)

    def default_period(self) -> str | None:
        """The latest month for which most indicators have reported: one early upload for next
        month must not blank the overview for everyone. Failing that, the best-reported month.
        Only current figures count: a month whose figures all wait for review is never the default."""
        for period, count in self.by_month.items():
            if count * 2 > self.expected:
                return period
        reported = {p: n for p, n in self.by_month.items() if n}
        return max(reported, key=reported.__getitem__, default=None)


def reporting(observations: pd.DataFrame, pending: pd.DataFrame | None = None) -> Reporting:
    """Reporting from an entity's current figures and, optionally, its figures waiting for review
    (each with indicator_code, period)."""
    counts = _indicators_by_month(observations)
    waiting = _indicators_by_month(pending) if pending is not None else {}
    months = sorted(set(counts) | set(waiting), reverse=True)
    expected = int(observations["indicator_code"].nunique()) if not observations.empty else 0
    return Reporting({p: counts.get(p, 0) for p in months}, expected, waiting)


def _indicators_by_month(figures: pd.DataFrame) -> dict[str, int]:
    if figures.empty:
        return {}
    return {p: int(n) for p, n in figures.groupby("period")["indicator_code"].nunique().items()}


def target_for(targets: pd.DataFrame, code: str, entity: str, year: int) -> dict | None:
    hit = targets[(targets["indicator_code"] == code) & (targets["entity"] == entity) & (targets["year"] == year)]
    return None if hit.empty else hit.iloc[0].to_dict()


def overview(indicators: dict[str, Indicator], observations: pd.DataFrame, targets: pd.DataFrame,
             entity: str, period: str) -> tuple[list[Assessment], dict[str, pd.DataFrame]]:
    """Every indicator assessed at one month for one entity, with the series behind it."""
    series = all_series(indicators, observations)
    year, _ = split_period(period)
    this_year = targets[(targets["entity"] == entity) & (targets["year"] == year)]
    by_code: dict[str, dict] = {}
    for i, code in enumerate(this_year["indicator_code"].tolist()):
        if code not in by_code:  # the first row, as `target_for` takes it
            by_code[code] = this_year.iloc[i].to_dict()
    assessments = [assess(ind, series[code], period, by_code.get(code)) for code, ind in indicators.items()]
    return assessments, series
