"""The data behind charts as an Excel workbook: one sheet per chart, the table first, then what
the figures are (title, unit, source, as-of date, whether illustrative).

Text that a spreadsheet would run as a formula (= + - @, or a leading tab or carriage return)
is written with a leading single quote; numbers stay numbers, so the office can compute on them.
"""
from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..chartdata import ChartData
from ..formatting import neutralise

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
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
    sheet.append([neutralise(str(c)) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
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
