"""汇报 sentences: what an official would write under a chart, from the numbers alone.

The screens and the slides both call these, so the wording is the same everywhere.
"""
from __future__ import annotations

from . import formatting as fmt
from . import status as rules
from .calc import Assessment, split_period, ytd_label
from .catalog import ZONE, Indicator



def subject(entity: str) -> str:
    return "全区" if entity == ZONE else entity


def _change(a: Assessment, ind: Indicator) -> str:
    """同比 phrase: growth in %, or 个百分点 for indicators that are themselves rates."""
    if ind.unit == "%" and a.yoy_pp is not None:
        if abs(a.yoy_pp) < 0.05:
            return "与上年同期持平"
        return f"比上年同期{'提高' if a.yoy_pp > 0 else '降低'}{fmt.points(a.yoy_pp)}"
    if ind.is_rank and a.ytd is not None and a.ytd_last_year is not None:
        moved = int(round(a.ytd_last_year - a.ytd))
        if moved == 0:
            return "与上年同期持平"
        return f"比上年同期{'前进' if moved > 0 else '后退'}{abs(moved)}位"
    published = "" if a.published_yoy is None else f"（统计局口径{_growth(a.published_yoy)}）"
    if a.yoy_pct is None:
        return f"同比{_growth(a.published_yoy)}（统计局口径）" if published else ""
    if published and abs(a.published_yoy - a.yoy_pct) < PUBLISHED_AGREES_PP:
        published = ""  # the same figure twice says nothing
    return f"同比{_growth(a.yoy_pct)}{published}"


# A published 同比 within this many points of the computed one is not shown beside it.
PUBLISHED_AGREES_PP = 0.05


def _growth(percent: float) -> str:
    if abs(percent) < 0.05:
        return "持平"
    return f"{'增长' if percent > 0 else '下降'}{fmt.percent(abs(percent))}"


def _against_target(a: Assessment, ind: Indicator) -> str:
    """The sentence's half about the target, by the target's kind as metrics.status judged it:
    a share of a paced total, a margin to a floor, ceiling or year-end level, places for a rank."""
    # Targets are round numbers: 不低于8万元/亩, not 8.00万元/亩.
    target_decimals = 0 if a.target is not None and float(a.target).is_integer() else ind.decimals
    unit_target = fmt.amount(a.target, ind.unit, target_decimals) if a.target is not None else ""
    if a.status == "none":
        return ""
    margin = abs(a.margin) if a.margin is not None else None
    distance = fmt.points(margin) if ind.unit == "%" else fmt.amount(margin, ind.unit, ind.decimals)
    if a.target_kind == "annual":
        if a.completion is None:  # less is better: the share of the year's allowance used so far
            return f"占年度控制目标{fmt.percent(a.ytd / a.target, is_fraction=True)}，" + _against_progress(a)
        return f"完成年度目标{fmt.percent(a.completion, is_fraction=True)}，" + _against_progress(a)
    if a.target_kind == "growth":
        text = f"目标增长{fmt.percent(a.target)}"
        if a.completion is not None:
            text += f"，完成全年目标{fmt.percent(a.completion, is_fraction=True)}，" + _against_progress(a)
        return text + (f"，{rules.verdict(a, ind.unit, ind.decimals)}" if a.growth_short_pp else "")
    if a.target_kind == "year_end":
        if a.progress is not None and a.completion is not None:
            return f"为年末目标{unit_target}的{fmt.percent(a.completion, is_fraction=True)}，" + _against_progress(a)
        if ind.direction == "lower":
            if a.margin >= 0:
                return f"已控制在年末目标{unit_target}以内"
            if ind.is_rank:
                return f"距年末目标{unit_target}还差{int(round(margin))}个位次"
            return f"高于年末控制目标{unit_target}，需再压降{distance}"
        if a.margin >= 0:
            return f"已达到年末目标{unit_target}"
        return f"为年末目标{unit_target}的{fmt.percent(a.completion, is_fraction=True)}，距目标还差{distance}"
    if a.target_kind == "floor":
        if a.status == "green":
            return f"达到不低于{unit_target}的要求"
        return f"低于{unit_target}的底线要求{distance}"
    if a.target_kind == "ceiling":
        if a.status == "green":
            return f"控制在不高于{unit_target}的要求以内"
        return f"超出{unit_target}的上限{distance}"
    return ""


def _outlook(a: Assessment, ind: Indicator) -> str:
    """预计全年 and 每月还需完成, for a flow that is behind: the two questions after "are we behind?"."""
    if a.status not in rules.BEHIND or a.projection is None:
        return ""
    text = f"预计全年{fmt.amount(a.projection, ind.unit, ind.decimals)}"
    if a.needed_per_month:
        text += f"，此后每月需完成{fmt.amount(a.needed_per_month, ind.unit, ind.decimals)}"
    return text


def _against_progress(a: Assessment) -> str:
    if a.gap_pp is None:
        return ""
    if abs(a.gap_pp) < 0.05:
        return "与序时进度持平"
    ahead = a.gap_pp > 0
    used = a.completion if a.completion is not None else (a.ytd / a.target if a.target else None)
    if a.progress is not None and used is not None and (used > a.progress) != ahead:
        # Lower-is-better flows: using less than the calendar allows is ahead.
        return f"{'低于' if ahead else '高于'}序时进度{fmt.points(a.gap_pp)}"
    return f"{'高于' if ahead else '低于'}序时进度{fmt.points(a.gap_pp)}"


def indicator_sentence(ind: Indicator, a: Assessment, entity: str = ZONE) -> str:
    """e.g. 1-4月，全区低效用地清理面积累计1,234亩，同比增长12.3%，完成年度目标45.6%，高于序时进度12.3个百分点。"""
    if a.ytd is None:
        year, month = split_period(a.period)
        return f"{year}年{month}月，{subject(entity)}{ind.name}暂无数据。"
    _, month = split_period(a.period)
    if ind.kind == "flow":
        when = ytd_label(a.period)
        head = f"{when}，{subject(entity)}{ind.name}累计{fmt.amount(a.ytd, ind.unit, ind.decimals)}"
    else:
        head = f"{month}月末，{subject(entity)}{ind.name}{'为' if ind.unit != '位' else '列'}{fmt.amount(a.ytd, ind.unit, ind.decimals)}"
    parts = [head] + [p for p in (_change(a, ind), _against_target(a, ind), _outlook(a, ind)) if p]
    return "，".join(parts) + "。"


def overview_sentence(indicators: dict[str, Indicator], assessments: list[Assessment], entity: str = ZONE) -> str:
    """The headline: how many indicators are on pace, and which are behind and by how much."""
    if not assessments:
        return "暂无数据。"
    year, month = split_period(assessments[0].period)
    with_target = [a for a in assessments if a.status != "none"]
    green = [a for a in with_target if a.status == "green"]
    behind = sorted((a for a in with_target if a.status in rules.BEHIND),
                    key=lambda a: (rules.STATUS_ORDER[a.status], a.gap_pp if a.gap_pp is not None else 0.0))
    text = (f"截至{year}年{month}月，{subject(entity)}{len(with_target)}项有目标的指标中，"
            f"{len(green)}项达到序时进度（或达标），{len(behind)}项滞后")
    if behind:
        details = []
        for a in behind:
            ind = indicators[a.code]
            if a.gap_pp is not None and a.gap_pp < 0:
                details.append(f"{ind.name}低于序时进度{fmt.points(a.gap_pp)}")
            else:
                details.append(f"{ind.name}{rules.verdict(a, ind.unit, ind.decimals)}")
        text += "：" + "；".join(details)
    return text + "。"


def headline_counts(assessments: list[Assessment]) -> tuple[int, int]:
    """(on pace, behind) for the headline 'N 项达到序时进度，M 项滞后'."""
    on_pace = sum(a.status == "green" for a in assessments)
    behind = sum(a.status in rules.BEHIND for a in assessments)
    return on_pace, behind
