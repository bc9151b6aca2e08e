"""The month-figure stage: from the entries a layout read out to the month figures an import stores.

Each entry's cell is read by `cells`; 累计 become months by difference, against the file and the database.
"""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import pandas as pd

from .. import periods
from ..catalog import Indicator, IndicatorKind
from .cells import Period, ValueProblem, conversion_factor, decimal_from_float, parse_number, parse_period, split_cell_unit
from .layouts import Entry
from .problems import CellRef, UploadProblems, show_value


# ---- month figures from the file and the database --------------------------------------------

class MonthBook:
    """Month figures per indicator and entity: the database's current ones, overlaid by the file's.

    A figure spanning 1-2月 sits at February with span 2, so January is covered, not missing.
    """

    def __init__(self, held: pd.DataFrame):
        self._figures: dict[tuple[str, str, int], dict[int, tuple[Decimal, int]]] = {}
        columns = (held[c].tolist() for c in ("indicator_code", "entity", "period", "months", "value"))
        for code, entity, period, months, value in zip(*columns):
            year, month = periods.split_period(period)
            self._figures.setdefault((code, entity, year), {})[month] = (decimal_from_float(value), int(months))

    def put(self, code: str, entity: str, year: int, month: int, value: Decimal, months: int) -> None:
        self._figures.setdefault((code, entity, year), {})[month] = (value, months)

    def get(self, code: str, entity: str, year: int, month: int) -> tuple[Decimal, int] | None:
        return self._figures.get((code, entity, year), {}).get(month)

    def cumulative(self, code: str, entity: str, year: int, month: int) -> tuple[Decimal | None, int | None]:
        """(1月 to `month` total, None) when every month is held, else (None, the latest missing month)."""
        months = self._figures.get((code, entity, year), {})
        total, current = Decimal(0), month
        while current >= 1:
            if current not in months:
                return None, current
            value, span = months[current]
            total += value
            current -= span
        return total, None


# ---- from entries to figures ------------------------------------------------------------------

class Reading(NamedTuple):
    """One number of the file in its indicator's unit: a month's figure or a 累计 (measure "ytd")."""
    code: str
    entity: str
    period: Period
    measure: str
    value: Decimal
    note: str
    cell: CellRef
    period_cell: CellRef | None = None  # where the row states its month, for messages about the month
    entity_from: str = "column"         # as `layouts.ENTITY_FROM`
    entity_cell: CellRef | None = None  # the cell naming the entity, for messages about the name


class YoyClaim(NamedTuple):
    """A 同比 the file states, to be checked against the one computed from last year's figures."""
    code: str
    entity: str
    period: Period
    measure: str
    percent: Decimal
    cell: CellRef
    entity_from: str = "column"         # as `layouts.ENTITY_FROM`
    entity_cell: CellRef | None = None  # the cell naming the entity, for messages about the name


class MonthFigure(NamedTuple):
    """What will be stored: one month's figure (months=2 for a 1-2月 figure at February)."""
    code: str
    entity: str
    period: str
    months: int
    value: Decimal
    note: str
    cell: CellRef
    from_ytd: bool = False


CELL_ISSUE_MESSAGES = {
    "excel_error": "这是 Excel 的错误值 {text}，说明公式计算出错。请修正公式，或直接填写数值；没有数据请留空。",
    "formula_without_result": "这个单元格是公式（{text}），但文件里没有保存计算结果（常见于程序生成或未重算的表格）。"
                              "请在 Excel 中打开、确认数值显示正确后保存再上传，或直接填写数值。",
}


def read_values(entries: list[Entry], indicators: dict[str, Indicator],
                problems: UploadProblems) -> tuple[list[Reading], list[YoyClaim]]:
    """Numbers, months and units for every entry; each bad cell is reported once, nothing guessed."""
    readings: list[Reading] = []
    claims: list[YoyClaim] = []
    reported: set[tuple[str, int, int]] = set()
    known_units = {i.unit for i in indicators.values()}
    no_figure: dict[str, list[CellRef]] = {}  # sheet → the figure cells written as "无", "—", "/"

    def report_once(ref: CellRef, message: str) -> None:
        if (ref.sheet, ref.row, ref.col) not in reported:
            reported.add((ref.sheet, ref.row, ref.col))
            problems.error(message, **ref.where(), indicator=ind.name, entity=entry.entity)

    for entry in entries:
        ind = indicators[entry.code]
        period = entry.period
        if period is None and entry.period_cell is not None:
            try:
                period = parse_period(entry.period_cell.raw)
            except ValueProblem as problem:
                report_once(entry.period_cell, str(problem))
                continue
        if entry.issue is not None and entry.measure != "yoy":
            report_once(entry.cell, CELL_ISSUE_MESSAGES[entry.issue.kind].format(text=entry.issue.text))
            continue
        raw, cell_unit = split_cell_unit(entry.cell.raw, known_units)
        if cell_unit is not None:
            entry = entry._replace(unit=cell_unit, unit_cell=entry.cell, unit_source="单元格中的单位")
        try:
            value = parse_number(raw, percent=entry.measure == "yoy" or ind.unit == "%")
        except ValueProblem as problem:
            if entry.measure == "yoy":
                # A 同比 is only checked, never stored, so an unreadable one must not block the file.
                problems.warning(f"同比无法核对：{problem}", **entry.cell.where(), indicator=ind.name,
                                 entity=entry.entity)
            else:
                report_once(entry.cell, str(problem))
            continue
        if value is None and entry.measure != "yoy" and isinstance(raw, str) and raw.strip():
            no_figure.setdefault(entry.cell.sheet, []).append(entry.cell)
        if value is None or period is None:
            continue
        if entry.measure == "yoy":
            claims.append(YoyClaim(entry.code, entry.entity, period, entry.yoy_of or "month", value, entry.cell,
                                  entry.entity_from, entry.entity_cell))
            continue
        if entry.unit is not None:
            factor = conversion_factor(entry.unit, ind.unit)
            if factor is None:
                report_once(entry.unit_cell or entry.cell,
                            f"单位“{entry.unit}”（来自{entry.unit_source}）无法换算为“{ind.name}”的单位“{ind.unit}”。"
                            f"请按“{ind.unit}”填写，或写明可换算的单位（元/万元/亿元、美元/万美元/亿美元、亩/公顷）。")
                continue
            value *= factor
        measure = entry.measure
        if period.months > 1:
            if period.first_month != 1:
                report_once(entry.cell, f"期间“{period.label}”不从 1 月开始。累计值请按“1-N月”填写，单月数值请写单个月份。")
                continue
            if ind.kind == IndicatorKind.LEVEL:
                period = Period.single(period.year, period.month)
            elif measure == "month" and period.month != 2:
                report_once(entry.cell, f"本月值只能对应一个月（1-2月合并数除外），期间却是“{period.label}”。"
                                        f"如果这是{period.label}的累计数，请填在“累计值”列，期间写 {period.key}。")
                continue
            else:
                measure = "ytd"
        elif measure == "ytd" and period.first_month != 1:
            period = Period(period.year, period.month, 1)
        readings.append(Reading(entry.code, entry.entity, period, measure, value, entry.note, entry.cell,
                                entry.period_cell, entry.entity_from, entry.entity_cell))
    for sheet, cells in no_figure.items():
        shown = "、".join(f"第{c.row + 1}行{c.column}列“{show_value(c.raw)}”" for c in cells[:5])
        more = f"等 {len(cells)} 个单元格" if len(cells) > 5 else ""
        problems.warning(f"{shown}{more}表示没有数据，没有导入（不会覆盖已有数据）。如果有数，请填写数值。", sheet=sheet)
    return readings, claims


def month_figures(readings: list[Reading], book: MonthBook, indicators: dict[str, Indicator],
                  problems: UploadProblems) -> list[MonthFigure]:
    """Each figure as a month's value: 累计 become months by difference, using the file and the database.

    `book` holds the database's figures and receives the file's, so later checks see both.
    A 1-2月 累计 with no January anywhere is kept as one 1-2月 figure, not split into two months.
    """
    figures: dict[tuple[str, str, str], MonthFigure] = {}
    for r in readings:
        if r.measure == "month" and (r.code, r.entity, r.period.key) not in figures:
            figures[(r.code, r.entity, r.period.key)] = MonthFigure(
                r.code, r.entity, r.period.key, 1, r.value, r.note, r.cell)
            book.put(r.code, r.entity, r.period.year, r.period.month, r.value, 1)
    ytds = {}
    for r in readings:
        if r.measure == "ytd":
            ytds.setdefault((r.code, r.entity, r.period.year, r.period.month), r)
    for (code, entity, year, month), r in sorted(ytds.items()):
        ind = indicators[code]
        given = figures.get((code, entity, r.period.key))
        if ind.kind != IndicatorKind.FLOW:
            if given is None:
                figures[(code, entity, r.period.key)] = MonthFigure(code, entity, r.period.key, 1, r.value, r.note, r.cell)
                book.put(code, entity, year, month, r.value, 1)
            elif given.value != r.value:
                problems.warning(f"“{ind.name}”是月末存量指标，累计值应等于本月值，但本月填 {show_value(given.value)}、累计填 {show_value(r.value)}。"
                                 "已按本月值导入，请核对。", **r.cell.where())
            continue
        if given is not None:
            _check_month_against_ytd(ind, r, book, problems)
            continue
        earlier = ytds.get((code, entity, year, month - 1))
        if month == 1:
            before = Decimal(0)
        elif earlier is not None:
            before = earlier.value
        else:
            before, missing = book.cumulative(code, entity, year, month - 1)
        if before is None and month == 2 and book.get(code, entity, year, 1) is None:
            figure = MonthFigure(code, entity, r.period.key, 2, r.value, r.note, r.cell, from_ytd=True)
        elif before is None:
            problems.error(
                f"无法由累计值推算 {year}年{month}月的当月值：缺少 {year}年{missing}月的数据。"
                f"请直接填写{month}月的本月值，或先上传 {year}年{missing}月的数据。", **r.cell.where())
            continue
        else:
            figure = MonthFigure(code, entity, r.period.key, 1, r.value - before, r.note, r.cell, from_ytd=True)
        figures[(code, entity, r.period.key)] = figure
        book.put(code, entity, year, month, figure.value, figure.months)
    return list(figures.values())


def _check_month_against_ytd(ind: Indicator, ytd: Reading, book: MonthBook, problems: UploadProblems) -> None:
    total, _ = book.cumulative(ind.code, ytd.entity, ytd.period.year, ytd.period.month)
    if total is None:
        return
    # Each month's figure may be rounded to the indicator's decimals, so allow half a unit per month.
    tolerance = Decimal(5) * Decimal(10) ** -(ind.decimals + 1) * ytd.period.month
    if abs(total - ytd.value) > tolerance:
        problems.warning(
            f"本月值与累计值对不上：1-{ytd.period.month}月各月合计为 {show_value(total)}，但累计值填 {show_value(ytd.value)}。"
            "已按本月值导入；请核对本月值、累计值或以前月份的数据。", **ytd.cell.where())
