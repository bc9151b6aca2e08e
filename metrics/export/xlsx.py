"""The data behind charts as an Excel workbook: one sheet per chart, the table first, then what
the figures are (title, unit, source, as-of date, whether illustrative). And the 整改台账 as the
office keeps it: one row per measure in the usual columns.

Text that a spreadsheet would run as a formula (= + - @, or a leading tab or carriage return)
is written with a leading single quote; numbers stay numbers, so the office can compute on them.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence

import pandas as pd

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import ledger
from ..chartdata import ChartData
from ..formatting import neutralise

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
OVERDUE_FILL = PatternFill("solid", fgColor="F8CBAD")
LEDGER_COLUMNS = ("序号", "问题", "整改措施", "责任领导", "牵头单位", "完成时限", "整改进展", "状态")
LEDGER_WIDTHS = (6, 28, 60, 12, 14, 12, 28, 12)
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def chart_data_xlsx(charts: ChartData | Sequence[ChartData]) -> bytes:
    """One chart's data, or several charts' data one sheet each, as xlsx bytes."""
    charts = [charts] if isinstance(charts, ChartData) else list(charts)
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for chart in charts:
        _write_sheet(book.create_sheet(_sheet_name(chart.title, used)), chart)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ledger_xlsx(problems: pd.DataFrame, measures: pd.DataFrame, progress: ledger.LedgerProgress,
                today: dt.date) -> bytes:
    """The ledger (`Store.ledger()`'s problems and measures) as xlsx bytes: sheet 整改台账, one row per
    measure, overdue ones filled; sheet 说明, the counts and the report's own disagreement."""
    book = Workbook()
    sheet = book.active
    sheet.title = "整改台账"
    _header(sheet, LEDGER_COLUMNS)
    late = ledger.overdue(measures, today)
    for number, p in enumerate(problems.itertuples(index=False), start=1):
        for m in measures[measures["problem_id"] == p.id].itertuples():
            progress_text = (f"{'已完成' if m.status == ledger.LedgerStatus.DONE else '推进中'}；佐证材料 {m.evidence} 份"
                             + ("；已逾期" if late[m.Index] else ""))
            sheet.append([number] + [neutralise(v) for v in (
                f"{p.id} {p.title}", m.ordinal + m.text, m.leader, m.lead_unit, m.deadline, progress_text,
                ledger.STATUS_LABELS[p.status])])
            if late[m.Index]:
                for cell in sheet[sheet.max_row]:
                    cell.fill = OVERDUE_FILL
    for column, width in enumerate(LEDGER_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    for label, value in (("导出日期", today.isoformat()), ("报告日期", progress.report_date),
                         ("问题", f"{progress.total} 个：已整改完成 {progress.done} 个，正在推进 {progress.in_progress} 个"),
                         ("整改措施", f"{progress.measures} 项：已完成 {progress.measures_done} 项"),
                         ("口径", progress.disagreement() or "报告汇总与逐项清单一致"),
                         ("逾期", f"{int(late.sum())} 项措施已过完成时限仍未完成（整改台账中以底色标出）")):
        notes.append([label, neutralise(value)])
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 12, 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet, columns) -> None:
    sheet.append([neutralise(str(c)) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")


def _sheet_name(title: str, used: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ ; repeated titles get a number."""
    base = SHEET_NAME_FORBIDDEN.sub("_", title)[:28] or "图表"
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _write_sheet(sheet, chart: ChartData) -> None:
    table = chart.table()
    series_names = list(table.columns[1:])
    _header(sheet, table.columns)
    line_names = set(chart.lines) if chart.line_unit else set()
    for row in table.itertuples(index=False):
        sheet.append([neutralise(v if not hasattr(v, "item") else v.item()) for v in row])
    for column, name in enumerate(series_names, start=2):
        decimals = chart.line_decimals if name in line_names else chart.decimals
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = pattern
    sheet.freeze_panes = "B2"
    notes = [("图表", chart.title), ("单位", chart.unit + (f"；折线：{chart.line_unit}" if chart.line_unit else "")),
             ("来源", chart.source), ("截至", chart.as_of), ("示例数据", "是（系统生成，非真实统计）" if chart.illustrative else "否")]
    sheet.append([])
    for label, value in notes:
        sheet.append([label, neutralise(value)])
    sheet.column_dimensions["A"].width = 16
    for column in range(2, len(series_names) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 16
