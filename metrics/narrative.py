"""汇报 sentences: what an official would write under a chart, from the numbers alone.

The screens and the slides both call these, so the wording is the same everywhere. There is one
generator; each language is a phrasebook of its clauses (`_PHRASES`), so the English sentence says
exactly what the Chinese one says, in the same order.
"""
from __future__ import annotations

from . import formatting as fmt
from . import i18n
from . import status as rules
from .calc import Assessment
from .catalog import ZONE, Direction, Indicator, IndicatorKind, TargetKind
from .status import Status
from .periods import month_end_label, period_label, split_period, ytd_label

# A published 同比 within this many points of the computed one is not shown beside it.
PUBLISHED_AGREES_PP = 0.05

_PHRASES: dict[str, tuple[str, str]] = {
    "zone": ("全区", "the zone"),
    "sep": ("，", ", "),
    "end": ("。", "."),
    "list_sep": ("；", "; "),
    "no_data": ("{when}，{subject}{name}暂无数据。", "{name} in {subject}: no figures yet for {when}."),
    "flow_head": ("{when}，{subject}{name}累计{amount}", "{name} in {subject} totalled {amount} in {when}"),
    "level_head": ("{when}，{subject}{name}为{amount}", "{name} in {subject} stood at {amount} at the {when}"),
    "rank_head": ("{when}，{subject}{name}列{amount}", "{name} of {subject} was {amount} at the {when}"),
    # 同比
    "yoy_flat": ("与上年同期持平", "unchanged on a year earlier"),
    "yoy_points_up": ("比上年同期提高{d}", "up {d} on a year earlier"),
    "yoy_points_down": ("比上年同期降低{d}", "down {d} on a year earlier"),
    "rank_up": ("比上年同期前进{n}位", "{n} places up on a year earlier"),
    "rank_down": ("比上年同期后退{n}位", "{n} places down on a year earlier"),
    "growth_flat": ("持平", "flat"),
    "growth_up": ("增长{p}", "up {p}"),
    "growth_down": ("下降{p}", "down {p}"),
    "yoy": ("同比{growth}", "{growth} year on year"),
    "yoy_published": ("（统计局口径{growth}）", " (statistics bureau: {growth})"),
    "yoy_published_only": ("同比{growth}（统计局口径）", "{growth} year on year (statistics bureau)"),
    # against the target
    "annual_done": ("完成年度目标{p}", "{p} of the annual target"),
    "annual_used": ("占年度控制目标{p}", "{p} of the annual limit used"),
    "growth_target": ("目标增长{p}", "growth target {p}"),
    "growth_done": ("完成全年目标{p}", "{p} of the year's target"),
    "year_end_share": ("为年末目标{target}的{p}", "{p} of the year-end target of {target}"),
    "year_end_within": ("已控制在年末目标{target}以内", "within the year-end target of {target}"),
    "year_end_rank_short": ("距年末目标{target}还差{n}个位次", "{n} places short of the year-end target of {target}"),
    "year_end_over": ("高于年末控制目标{target}，需再压降{d}",
                      "above the year-end limit of {target}, with {d} still to cut"),
    "year_end_reached": ("已达到年末目标{target}", "year-end target of {target} reached"),
    "year_end_to_go": ("距目标还差{d}", "{d} still to go"),
    "floor_met": ("达到不低于{target}的要求", "meets the floor of {target}"),
    "floor_missed": ("低于{target}的底线要求{d}", "{d} below the floor of {target}"),
    "ceiling_met": ("控制在不高于{target}的要求以内", "within the ceiling of {target}"),
    "ceiling_missed": ("超出{target}的上限{d}", "{d} over the ceiling of {target}"),
    # 序时进度
    "pace_level": ("与序时进度持平", "level with the time-elapsed pace"),
    "pace_above": ("高于序时进度{d}", "{d} ahead of the time-elapsed pace"),
    "pace_below": ("低于序时进度{d}", "{d} behind the time-elapsed pace"),
    # Lower-is-better flows: using less than the calendar allows is ahead.
    "pace_under": ("低于序时进度{d}", "{d} under the time-elapsed pace"),
    "pace_over": ("高于序时进度{d}", "{d} over the time-elapsed pace"),
    # 预计全年 and 每月还需完成
    "projection": ("预计全年{amount}", "full year projected at {amount}"),
    "needed": ("此后每月需完成{amount}", "{amount} needed each month from now on"),
    # the headline
    "overview_none": ("暂无数据。", "No figures yet."),
    "overview": ("截至{when}，{subject}{total}项有目标的指标中，{green}项达到序时进度（或达标），{behind}项滞后",
                 "As of {when}, of {total} indicators with targets in {subject}, {green} on pace (or met) "
                 "and {behind} behind"),
    "overview_list": ("：", ": "),
    "overview_item_pace": ("{name}低于序时进度{d}", "{name} {d} behind pace"),
    "overview_item": ("{name}{verdict}", "{name}: {verdict}"),
    # 情况说明, after the 汇报 sentence
    # Each a whole sentence; the English one ends with the space before the next.
    "reason": ("原因分析：{text}。", "Why: {text}. "),
    "next_steps": ("下步措施：{text}。", "Next steps: {text}. "),
}


def _say(key: str, lang: str, **values) -> str:
    return i18n.phrase(_PHRASES, key, lang, **values)


def subject(entity: str, lang: str = "zh") -> str:
    return _say("zone", lang) if entity == ZONE else entity


def _name(ind: Indicator, lang: str) -> str:
    return i18n.indicator_name(ind, lang, short=True) if lang == "en" else ind.name


def _amount(value: float, ind: Indicator, lang: str, decimals: int | None = None) -> str:
    return fmt.amount(value, ind.unit, ind.decimals if decimals is None else decimals, lang)


def _change(a: Assessment, ind: Indicator, lang: str) -> str:
    """同比 phrase: growth in %, or 个百分点 for indicators that are themselves rates."""
    if ind.unit == "%" and a.yoy_pp is not None:
        if abs(a.yoy_pp) < 0.05:
            return _say("yoy_flat", lang)
        return _say("yoy_points_up" if a.yoy_pp > 0 else "yoy_points_down", lang, d=fmt.points(a.yoy_pp, lang))
    if ind.is_rank and a.ytd is not None and a.ytd_last_year is not None:
        moved = int(round(a.ytd_last_year - a.ytd))
        if moved == 0:
            return _say("yoy_flat", lang)
        return _say("rank_up" if moved > 0 else "rank_down", lang, n=abs(moved))
    if a.yoy_pct is None:
        return "" if a.published_yoy is None else _say("yoy_published_only", lang, growth=_growth(a.published_yoy, lang))
    text = _say("yoy", lang, growth=_growth(a.yoy_pct, lang))
    if a.published_yoy is not None and abs(a.published_yoy - a.yoy_pct) >= PUBLISHED_AGREES_PP:
        text += _say("yoy_published", lang, growth=_growth(a.published_yoy, lang))  # the same figure twice says nothing
    return text


def _growth(percent: float, lang: str) -> str:
    if abs(percent) < 0.05:
        return _say("growth_flat", lang)
    return _say("growth_up" if percent > 0 else "growth_down", lang, p=fmt.percent(abs(percent)))


def _against_target(a: Assessment, ind: Indicator, lang: str) -> str:
    """The sentence's half about the target, by the target's kind as metrics.status judged it:
    a share of a paced total, a margin to a floor, ceiling or year-end level, places for a rank."""
    if a.status == Status.NONE:
        return ""
    # Targets are round numbers: 不低于8万元/亩, not 8.00万元/亩.
    target_decimals = 0 if a.target is not None and float(a.target).is_integer() else ind.decimals
    target = _amount(a.target, ind, lang, target_decimals) if a.target is not None else ""
    margin = abs(a.margin) if a.margin is not None else None
    distance = fmt.points(margin, lang) if ind.unit == "%" else _amount(margin, ind, lang)
    sep = _say("sep", lang)

    def share(fraction: float) -> str:
        return fmt.percent(fraction, is_fraction=True)

    def with_progress(text: str) -> str:
        pace = _against_progress(a, lang)
        return text + sep + pace if pace else text

    if a.target_kind == TargetKind.ANNUAL:
        if a.completion is None:  # less is better: the share of the year's allowance used so far
            return with_progress(_say("annual_used", lang, p=share(a.ytd / a.target)))
        return with_progress(_say("annual_done", lang, p=share(a.completion)))
    if a.target_kind == TargetKind.GROWTH:
        text = _say("growth_target", lang, p=fmt.percent(a.target))
        if a.completion is not None:
            text += sep + with_progress(_say("growth_done", lang, p=share(a.completion)))
        return text + (sep + rules.verdict(a, ind.unit, ind.decimals, lang) if a.growth_short_pp else "")
    if a.target_kind == TargetKind.YEAR_END:
        if a.progress is not None and a.completion is not None:
            return with_progress(_say("year_end_share", lang, target=target, p=share(a.completion)))
        if ind.direction == Direction.LOWER:
            if a.margin >= 0:
                return _say("year_end_within", lang, target=target)
            if ind.is_rank:
                return _say("year_end_rank_short", lang, target=target, n=int(round(margin)))
            return _say("year_end_over", lang, target=target, d=distance)
        if a.margin >= 0:
            return _say("year_end_reached", lang, target=target)
        return (_say("year_end_share", lang, target=target, p=share(a.completion)) + sep
                + _say("year_end_to_go", lang, d=distance))
    if a.target_kind == TargetKind.FLOOR:
        return _say("floor_met" if a.status == Status.GREEN else "floor_missed", lang, target=target, d=distance)
    if a.target_kind == TargetKind.CEILING:
        return _say("ceiling_met" if a.status == Status.GREEN else "ceiling_missed", lang, target=target, d=distance)
    return ""


def _outlook(a: Assessment, ind: Indicator, lang: str) -> str:
    """预计全年 and 每月还需完成, for a flow that is behind: the two questions after "are we behind?"."""
    if a.status not in rules.BEHIND or a.projection is None:
        return ""
    text = _say("projection", lang, amount=_amount(a.projection, ind, lang))
    if a.needed_per_month:
        text += _say("sep", lang) + _say("needed", lang, amount=_amount(a.needed_per_month, ind, lang))
    return text


def _against_progress(a: Assessment, lang: str) -> str:
    if a.gap_pp is None:
        return ""
    if abs(a.gap_pp) < 0.05:
        return _say("pace_level", lang)
    ahead = a.gap_pp > 0
    d = fmt.points(a.gap_pp, lang)
    used = a.completion if a.completion is not None else (a.ytd / a.target if a.target else None)
    if a.progress is not None and used is not None and (used > a.progress) != ahead:
        return _say("pace_under" if ahead else "pace_over", lang, d=d)
    return _say("pace_above" if ahead else "pace_below", lang, d=d)


def indicator_sentence(ind: Indicator, a: Assessment, entity: str = ZONE, lang: str = "zh") -> str:
    """e.g. 1-4月，全区低效用地清理面积累计1,234亩，同比增长12.3%，完成年度目标45.6%，高于序时进度12.3个百分点。"""
    who, name = subject(entity, lang), _name(ind, lang)
    if a.ytd is None:
        return _say("no_data", lang, when=period_label(a.period, lang=lang), subject=who, name=name)
    amount = _amount(a.ytd, ind, lang)
    if ind.kind == IndicatorKind.FLOW:
        when = ytd_label(a.period, lang) + (f" {split_period(a.period)[0]}" if lang == "en" else "")
        head = _say("flow_head", lang, when=when, subject=who, name=name, amount=amount)
    else:
        head = _say("rank_head" if ind.unit == "位" else "level_head", lang,
                    when=month_end_label(a.period, lang), subject=who, name=name, amount=amount)
    parts = [head] + [p for p in (_change(a, ind, lang), _against_target(a, ind, lang), _outlook(a, ind, lang)) if p]
    return _say("sep", lang).join(parts) + _say("end", lang)


def explained_sentence(sentence: str, reason: str, next_steps: str, lang: str = "zh") -> str:
    """A 汇报 sentence followed by its 情况说明, as the screens show it after each indicator."""
    said = explanation_sentence(reason, next_steps, lang)
    return sentence + (" " if said and lang == "en" else "") + said


def explanation_sentence(reason: str, next_steps: str, lang: str = "zh") -> str:
    """The 情况说明 as it follows the 汇报 sentence: 原因分析：…。下步措施：…。 (either part may be empty)."""
    return "".join(_say(key, lang, text=text.strip().rstrip("。.；;，, "))
                   for key, text in (("reason", reason), ("next_steps", next_steps)) if text.strip()).rstrip()


def overview_sentence(indicators: dict[str, Indicator], assessments: list[Assessment], entity: str = ZONE,
                      lang: str = "zh") -> str:
    """The headline: how many indicators are on pace, and which are behind and by how much."""
    if not assessments:
        return _say("overview_none", lang)
    with_target = [a for a in assessments if a.status != Status.NONE]
    green = [a for a in with_target if a.status == Status.GREEN]
    behind = sorted((a for a in with_target if a.status in rules.BEHIND),
                    key=lambda a: (rules.STATUS_ORDER[a.status], a.gap_pp if a.gap_pp is not None else 0.0))
    text = _say("overview", lang, when=period_label(assessments[0].period, lang=lang), subject=subject(entity, lang),
                total=len(with_target), green=len(green), behind=len(behind))
    if behind:
        details = []
        for a in behind:
            ind = indicators[a.code]
            if a.gap_pp is not None and a.gap_pp < 0:
                details.append(_say("overview_item_pace", lang, name=_name(ind, lang), d=fmt.points(a.gap_pp, lang)))
            else:
                details.append(_say("overview_item", lang, name=_name(ind, lang),
                                    verdict=rules.verdict(a, ind.unit, ind.decimals, lang)))
        text += _say("overview_list", lang) + _say("list_sep", lang).join(details)
    return text + _say("end", lang)


def headline_counts(assessments: list[Assessment]) -> tuple[int, int]:
    """(on pace, behind) for the headline 'N 项达到序时进度，M 项滞后'."""
    on_pace = sum(a.status == Status.GREEN for a in assessments)
    behind = sum(a.status in rules.BEHIND for a in assessments)
    return on_pace, behind
