"""The rules a file's figures must meet, reported all at once with where each problem is.

Errors reject the whole file; warnings (a ×10 jump, a revision, a new entity, a 同比 or 累计 that
does not agree) let it through once someone has read them and confirmed.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from .. import catalog, periods
from ..catalog import Indicator, IndicatorKind
from .figures import MonthBook, MonthFigure, Reading, YoyClaim
from .problems import UploadProblems, show_value

JUMP_FACTOR = 10
YOY_TOLERANCE_PP = Decimal("0.1")


def check_readings(readings: list[Reading], indicators: dict[str, Indicator], today: dt.date,
                   problems: UploadProblems) -> list[Reading]:
    """Drop and report derived indicators, future months and conflicting duplicates."""
    kept: list[Reading] = []
    first_seen: dict[tuple, Reading] = {}
    this_month = (today.year, today.month)
    for r in readings:
        ind = indicators[r.code]
        if ind.kind == IndicatorKind.DERIVED:
            inputs = "、".join(f"“{indicators[c].name}”" for c in ind.inputs)
            problems.error(f"“{ind.name}”是派生指标，由系统根据{inputs}计算，不能上传。"
                           f"请删除这一行，只上传{inputs}。", **r.cell.where(), **_about(r, ind))
            continue
        if (r.period.year, r.period.month) > this_month:
            problems.error(f"期间 {r.period.label} 还没有到（今天是 {today.year}年{today.month}月{today.day}日）。"
                           "请检查年份和月份是否填错。", **(r.period_cell or r.cell).where(), **_about(r, ind))
            continue
        key = (r.code, r.entity, r.period.key, r.measure)
        earlier = first_seen.get(key)
        if earlier is None:
            first_seen[key] = r
            kept.append(r)
        elif earlier.value != r.value:
            what = "累计值" if r.measure == "ytd" else "数值"
            sheet = f"工作表“{earlier.cell.sheet}”" if earlier.cell.sheet != r.cell.sheet else ""
            problems.error(
                f"与{sheet}第{earlier.cell.row + 1}行（{earlier.cell.column}列，值 {show_value(earlier.value)}）重复："
                f"“{ind.name}”{_entity_text(r.entity)}{r.period.label}的{what}出现了两个不同的数。"
                f"请删除或更正其中一行。", **r.cell.where(), **_about(r, ind))
    return kept


def check_figures(figures: list[MonthFigure], book: MonthBook, indicators: dict[str, Indicator],
                  problems: UploadProblems) -> None:
    in_file = {(f.code, f.entity, f.period) for f in figures}
    for f in figures:
        ind = indicators[f.code]
        year, month = periods.split_period(f.period)
        if f.value < 0 and not ind.may_be_negative:
            problems.error(f"“{ind.name}”不能为负数，{_label(f)}却是 {show_value(f.value)}{_origin(f)}。"
                           "请检查正负号；如果是累计值推算出的负数，请核对本月和以前月份的累计值。", **f.cell.where(), **_about(f, ind))
        if ind.is_count and f.value != f.value.to_integral_value():
            problems.error(f"“{ind.name}”以“{ind.unit}”计数，只能是整数，{_label(f)}却是 {show_value(f.value)}{_origin(f)}。"
                           "请填写整数。", **f.cell.where(), **_about(f, ind))
        if month == 1 and f.months == 1:
            february = book.get(f.code, f.entity, year, 2)
            if february is not None and february[1] == 2 and (f.code, f.entity, f"{year:04d}-02") not in in_file:
                problems.error(f"{year}年1-2月已按合并数保存，不能再单独上传 1 月，否则 1 月会被计算两次。"
                               f"请同时上传 2 月的单月数，或改为上传 1-2月合计。", **f.cell.where(), **_about(f, ind))
        _check_jump(f, ind, book, problems)


def _label(f: MonthFigure) -> str:
    return periods.period_label(f.period, f.months)


def _origin(f: MonthFigure) -> str:
    return "（由累计值减去以前月份得到）" if f.from_ytd else ""


def _check_jump(f: MonthFigure, ind: Indicator, book: MonthBook, problems: UploadProblems) -> None:
    if f.value <= 0:
        return
    previous = book.get(f.code, f.entity, *periods.split_period(periods.shift(f.period, -f.months)))
    if previous is None or previous[0] <= 0:
        return
    ratio = (f.value / f.months) / (previous[0] / previous[1])
    if ratio > JUMP_FACTOR or ratio < 1 / Decimal(JUMP_FACTOR):
        problems.warning(
            f"“{ind.name}”{periods.period_label(f.period, f.months)}为 {show_value(f.value)}，是上月（{show_value(previous[0])}）的 "
            f"{ratio:.1f} 倍，相差超过 {JUMP_FACTOR} 倍，常见原因是单位填错（例如万元填成了元）。请核对单位和数值。",
            **f.cell.where(), **_about(f, ind))


def check_yoy(claims: list[YoyClaim], book: MonthBook, indicators: dict[str, Indicator],
              figures: list[MonthFigure], problems: UploadProblems) -> dict[tuple[str, str, str], float]:
    """A stated 同比 against the one computed from last year's figures (file or database).

    Returns the 同比 the file publishes on the basis the tracker computes (累计 for a flow, the
    month's level otherwise), by (code, entity, period), to be kept beside the figure as 统计局口径.
    Where the file gives this period's figure too, a difference is a note: the publisher's 口径
    may differ (revised last-year figures, a changed 统计范围); only a 同比 stated without its figure
    makes a difference worth a warning."""
    in_file = {(f.code, f.entity, f.period) for f in figures}
    published: dict[tuple[str, str, str], float] = {}
    for claim in claims:
        ind = indicators[claim.code]
        year, month = claim.period.year, claim.period.month
        cumulative = ind.kind == IndicatorKind.FLOW and (claim.measure == "ytd" or claim.period.months > 1)
        key = (claim.code, claim.entity, claim.period.key)
        if cumulative or ind.kind != IndicatorKind.FLOW or month == 1:
            published[key] = float(claim.percent)
        if cumulative:
            this, _ = book.cumulative(claim.code, claim.entity, year, month)
            last, _ = book.cumulative(claim.code, claim.entity, year - 1, month)
        else:
            this, last = (book.get(claim.code, claim.entity, y, month) for y in (year, year - 1))
            if this is None or last is None or this[1] != last[1]:
                continue
            this, last = this[0], last[0]
        if this is None or last is None or last == 0:
            continue
        computed = (this - last) / abs(last) * 100
        if abs(computed - claim.percent) > YOY_TOLERANCE_PP:
            basis = f"去年同期{'累计' if cumulative else ''} {show_value(last)}、本期 {show_value(this)}"
            said = (f"同比填写为 {show_value(claim.percent)}%，但按{basis}计算应为 {computed:.1f}%，相差超过 0.1 个百分点。")
            if key in in_file:
                problems.info(said + "填写的同比将作为“统计局口径”保存在数值旁，与系统计算的同比并列显示。",
                              **claim.cell.where(), **_about(claim, ind))
            else:
                problems.warning(said + "请核对本期数值、去年同期数据或同比的计算口径。", **claim.cell.where(), **_about(claim, ind))
    return published


def revision_warnings(diff: pd.DataFrame, figures: list[MonthFigure], indicators: dict[str, Indicator],
                      problems: UploadProblems) -> None:
    cells = {(f.code, f.entity, f.period): f.cell for f in figures}
    for row in diff[diff["change"] == "changed"].itertuples(index=False):
        ind = indicators[row.indicator_code]
        old = periods.period_label(row.period, int(row.old_months))
        new = periods.period_label(row.period, int(row.months))
        span = f"（{old} → {new}）" if old != new else ""
        problems.warning(
            f"将修订已有数据：“{ind.name}”{_entity_text(row.entity)}{new} 原为 {_number(row.old_value)}，"
            f"改为 {_number(row.value)}{span}。旧值保留在修订历史中，可撤销本次上传恢复。",
            **cells[(row.indicator_code, row.entity, row.period)].where(),
            indicator=ind.name, entity=row.entity)


def _about(record, ind: Indicator) -> dict:
    """Which indicator and entity a problem is about, for the error table's columns."""
    return {"indicator": ind.name, "entity": record.entity}


def _entity_text(entity: str) -> str:
    return "" if entity == catalog.ZONE else f"（{entity}）"


def _number(value: float) -> str:
    return f"{value:,.10g}" if abs(value) >= 1000 else f"{value:.10g}"
