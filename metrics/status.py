"""How each kind of target judges an indicator, and the words for the verdict: the one place the
screens, the 汇报 sentences and the slides take them from.

Rules, by target kind:

- annual (a flow's total for the year): 完成率 = 累计 ÷ 目标 against 序时进度 (months elapsed / 12,
  or the target's phasing); green on pace, amber within 10 points below, red further below.
- growth (增长 X% on last year's same period): red or amber when 进度低于序时 **or** 增幅低于目标;
  the year's implied total is last year's total × (1 + X%), and 累计 ÷ (last year's same period ×
  (1 + X%)) below 100% is behind, within 10% amber.
- year_end (a level to reach by December): with a phasing, against that path like an annual
  target; without one, green once reached and otherwise 年末目标 (status `open`), not red, until
  December, when it is judged against the target itself. A rank is a published result, not a path,
  so it is judged at once: N places short is behind.
- floor / ceiling (every month): green when met, red when not; the margin is shown, never a 完成率.

Lower-is-better indicators (ranks, debt) never get a 完成率: a worse result would read above 100%.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from . import formatting as fmt
from .catalog import RANK_UNIT, TargetKind

AMBER_BAND = 0.10  # within 10 percentage points below 序时进度 (or 10% short) is amber, further is red
EPSILON = 1e-12


class Status(StrEnum):
    """A verdict, stored and sent as its string (`"red"`), compared by name in code."""
    RED = "red"
    AMBER = "amber"
    OPEN = "open"    # a year-end level not reached yet, before December: not behind
    GREEN = "green"
    NONE = "none"    # no target, or nothing to judge against


# Worst first: the order cards, lists and slides sort in.
STATUS_ORDER = {Status.RED: 0, Status.AMBER: 1, Status.OPEN: 2, Status.GREEN: 3, Status.NONE: 4}
BEHIND = (Status.RED, Status.AMBER)
STATUS_NAMES = {
    Status.GREEN: ("达到序时进度", "On pace"),
    Status.AMBER: ("略滞后于序时进度", "Slightly behind"),
    Status.RED: ("滞后于序时进度", "Behind"),
    Status.OPEN: ("年末目标", "Year-end target"),
    Status.NONE: ("无目标", "No target"),
}


@dataclass(frozen=True)
class Judgement:
    status: Status
    completion: float | None = None   # 完成率 as a fraction; only where more is better
    progress: float | None = None     # 序时进度 as a fraction
    gap_pp: float | None = None       # completion minus progress, in points; positive is good
    margin: float | None = None       # distance from the target in the indicator's unit; positive is good
    growth_short_pp: float | None = None  # points by which 同比 falls short of a growth target
    projection: float | None = None   # 预计全年 (flows)
    needed_per_month: float | None = None  # 每月还需完成 to reach the year's total (flows)
    year_total: float | None = None   # the year's total the flow is measured against


def time_progress(month: int, phasing: tuple[float, ...] | None = None) -> float:
    """序时进度 at a month: months elapsed / 12, or the target's cumulative phasing (in percent)."""
    return phasing[month - 1] / 100 if phasing else month / 12


def monthly_pace(total: float, month: int, phasing: tuple[float, ...] | None = None) -> float:
    """The amount due in one month under the same phasing the status uses (total / 12 without one)."""
    return total * (time_progress(month, phasing) - (time_progress(month - 1, phasing) if month > 1 else 0))


def band(shortfall: float) -> Status:
    """green when nothing is short, amber within the band, red beyond (shortfall as a fraction)."""
    if shortfall <= EPSILON:
        return Status.GREEN
    return Status.AMBER if shortfall <= AMBER_BAND + EPSILON else Status.RED


def worst(*statuses: Status) -> Status:
    return min(statuses, key=STATUS_ORDER.__getitem__)


def projection(ytd: float, month: int, last_year_ytd: float | None, last_year_total: float | None) -> float:
    """预计全年 for a flow: this year's months scaled by last year's seasonal pattern (its total over
    its same-period 累计); a straight line (累计 ÷ months × 12) when last year is not complete."""
    if last_year_ytd and last_year_total and last_year_ytd > 0:
        return ytd * last_year_total / last_year_ytd
    return ytd / month * 12


PROJECTION_METHOD = {
    "zh": "预计全年按上年同期累计占上年全年的比例推算（上年数据不全时按已过月份平均推算）；"
          "每月还需完成 = （全年目标 − 累计）÷ 剩余月数。",
    "en": "The full-year projection scales the year to date by last year's share of its total reached "
          "by the same month (a straight line when last year is incomplete); needed per month = "
          "(annual target − year to date) ÷ months left.",
}


def judge(*, kind: TargetKind | None, target: float | None, phasing: tuple[float, ...] | None, month: int,
          ytd: float | None, is_flow: bool, lower_is_better: bool, is_rank: bool,
          last_year_ytd: float | None = None, last_year_total: float | None = None) -> Judgement:
    """The verdict on one figure (累计 for flows, the latest level otherwise) against its target."""
    if kind is None or target is None or ytd is None or (isinstance(ytd, float) and math.isnan(ytd)):
        return Judgement(Status.NONE)
    extra = {}
    if is_flow:
        extra["projection"] = projection(ytd, month, last_year_ytd, last_year_total)
    if kind in (TargetKind.FLOOR, TargetKind.CEILING):
        margin = ytd - target if kind == TargetKind.FLOOR else target - ytd
        return Judgement(Status.GREEN if margin >= -EPSILON else Status.RED, margin=margin, **extra)
    if kind == TargetKind.GROWTH:
        return _growth(target, phasing, month, ytd, is_flow, last_year_ytd, last_year_total, extra)
    if kind == TargetKind.ANNUAL:
        return _against_pace(target, phasing, month, ytd, lower_is_better, is_flow, extra)
    # year_end
    margin = (target - ytd) if lower_is_better else (ytd - target)
    if phasing:
        judged = _against_pace(target, phasing, month, ytd, lower_is_better, False, extra)
        return Judgement(judged.status, judged.completion, judged.progress, judged.gap_pp, margin)
    completion = None if lower_is_better or not target else ytd / target
    if margin >= -EPSILON:
        return Judgement(Status.GREEN, completion=completion, margin=margin)
    if is_rank or month == 12:
        return Judgement(band(-margin / abs(target) if target else 1.0), completion=completion, margin=margin)
    return Judgement(Status.OPEN, completion=completion, margin=margin)


def _against_pace(total, phasing, month, ytd, lower_is_better, is_flow, extra) -> Judgement:
    progress = time_progress(month, phasing)
    used = ytd / total if total else 0.0
    gap = (progress - used) if lower_is_better else (used - progress)
    if is_flow and not lower_is_better and month < 12:
        extra["needed_per_month"] = max(total - ytd, 0.0) / (12 - month)
    return Judgement(band(-gap), completion=None if lower_is_better else used, progress=progress,
                     gap_pp=gap * 100, margin=(total - ytd) if lower_is_better else (ytd - total),
                     year_total=total if is_flow else None, **extra)


def _growth(rate_pct, phasing, month, ytd, is_flow, last_year_ytd, last_year_total, extra) -> Judgement:
    """增长 X%: behind when 增幅低于目标, and for flows also when 进度低于序时 of the implied total."""
    if not last_year_ytd:
        return Judgement(Status.NONE, **extra)
    factor = 1 + rate_pct / 100
    growth_pct = (ytd - last_year_ytd) / abs(last_year_ytd) * 100
    short_pp = max(rate_pct - growth_pct, 0.0)
    growth_status = band(1 - ytd / (last_year_ytd * factor))
    margin = ytd - last_year_ytd * factor
    if is_flow and last_year_total:
        paced = _against_pace(last_year_total * factor, phasing, month, ytd, False, True, extra)
        return Judgement(worst(paced.status, growth_status), paced.completion, paced.progress, paced.gap_pp,
                         margin, short_pp, paced.projection, paced.needed_per_month, paced.year_total)
    return Judgement(growth_status, margin=margin, growth_short_pp=short_pp, **extra)


def status_name(status: Status, lang: str = "zh") -> str:
    return STATUS_NAMES[status][0 if lang == "zh" else 1]


def _distance(value: float, unit: str, decimals: int, lang: str) -> str:
    if unit == "%":
        return fmt.points(value, lang)
    if unit == RANK_UNIT:
        n = int(round(abs(value)))
        return f"{n}位" if lang == "zh" else f"{n} place{'s' if n != 1 else ''}"
    return fmt.amount(abs(value), unit, decimals, lang)


_VERDICTS = {
    "no_figure": ("暂无数据", "No data"),
    "floor_met": ("达标（高于底线{d}）", "Met ({d} above floor)"),
    "floor_missed": ("低于底线{d}", "{d} below floor"),
    "ceiling_met": ("低于上限{d}", "{d} under ceiling"),
    "ceiling_missed": ("超出上限{d}", "{d} over ceiling"),
    "growth_short": ("增幅低于目标{d}", "Growth {d} below target"),
    "rank_reached": ("达到目标位次", "Target rank reached"),
    "rank_short": ("差{d}", "{d} short"),
    "year_end_reached": ("达到年末目标", "Year-end target reached"),
    "year_end_within": ("控制在年末目标以内", "Within year-end target"),
    "year_end_open": ("年末目标尚差{d}", "{d} to go by year end"),
    "year_end_over": ("高于年末目标{d}", "{d} above year-end target"),
    "year_end_short": ("距年末目标差{d}", "{d} short of year-end target"),
}


def verdict(a, unit: str, decimals: int, lang: str = "zh") -> str:
    """The short verdict a badge, a slide's status column and the headline show: the status words
    for targets paced through the year, the margin for floors, ceilings, ranks and year-end levels."""
    def say(key: str, value: float | None = None) -> str:
        text = _VERDICTS[key][0 if lang == "zh" else 1]
        return text.format(d=_distance(value, unit, decimals, lang)) if value is not None else text
    kind, status, margin = a.target_kind, a.status, a.margin
    if kind is not None and a.target is not None and a.ytd is None:
        return say("no_figure")  # the month has no figure yet: the target is there, nothing to judge
    if status == Status.NONE or kind is None:
        return status_name(Status.NONE, lang)
    if kind == TargetKind.FLOOR:
        return say("floor_met" if status == Status.GREEN else "floor_missed", margin)
    if kind == TargetKind.CEILING:
        return say("ceiling_met" if status == Status.GREEN else "ceiling_missed", margin)
    if kind == TargetKind.GROWTH and a.growth_short_pp:
        # 增幅 is a rate whatever the indicator's unit: the shortfall is in 个百分点.
        return _VERDICTS["growth_short"][0 if lang == "zh" else 1].format(
            d=_distance(a.growth_short_pp, "%", 1, lang))
    if kind == TargetKind.YEAR_END and a.progress is None:
        if unit == RANK_UNIT:
            return say("rank_reached") if status == Status.GREEN else say("rank_short", margin)
        if status == Status.GREEN:
            return say("year_end_within" if a.completion is None else "year_end_reached")
        if status == Status.OPEN and a.completion is not None:
            return say("year_end_open", margin)
        return say("year_end_short" if a.completion is not None else "year_end_over", margin)
    return status_name(status, lang)
