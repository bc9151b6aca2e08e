"""The monthly upload template: every uploadable indicator, its unit, and last month's figure as a guide.

The template is itself a layout the importer reads (`template`), so a filled-in copy uploads as is.
"""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import catalog, periods
from ..catalog import IndicatorKind
from ..formatting import neutralise
from ..store import Store
from .cells import Period

TEMPLATE_SHEET = "月度填报"
GUIDE_HEADER = "上月值（参考，不导入）"
HEADERS = ("指标编码", "指标名称", "单位", "期间", "本月值", "累计值", "主体", "备注", GUIDE_HEADER)
WIDTHS = (24, 26, 10, 10, 14, 14, 18, 24, 20)
INSTRUCTIONS = ("填写说明：流量指标填“本月值”或“累计值”其一即可（填累计值时系统按已有月份推算本月值）；"
                "存量指标只填“本月值”（月末数）；没有数据请留空，不要填 0；单位以“单位”列为准，"
                "如按其他单位填写请改写“单位”列（如 万元、公顷）；请勿修改表头和指标编码。")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOT_APPLICABLE_FILL = PatternFill("solid", fgColor="E7E6E6")


def write_template(store: Store, period: Period, out: Path | None = None, entity: str = catalog.ZONE) -> bytes:
    """The template for one month as xlsx bytes (also written to `out` when given)."""
    previous = periods.shift(period.key, -1)
    held = store.observations(entity=entity)
    last_month = {row.indicator_code: (row.value, int(row.months))
                  for row in held[held["period"] == previous].itertuples(index=False)}

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = TEMPLATE_SHEET
    sheet.append([neutralise(f"{entity} 指标月度填报表（{period.label}）")])
    sheet.append([INSTRUCTIONS])
    sheet.append(list(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    sheet.row_dimensions[2].height = 48
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for ind in catalog.indicators().values():
        if ind.kind == IndicatorKind.DERIVED:
            continue
        sheet.append([ind.code, ind.name, ind.unit, period.key, None, None, neutralise(entity), None,
                      _guide(last_month.get(ind.code), previous)])
        row = sheet.max_row
        sheet.cell(row, 4).number_format = "@"  # kept as text so Excel does not turn 2023-05 into a date
        if ind.kind == IndicatorKind.LEVEL:
            sheet.cell(row, 6).fill = NOT_APPLICABLE_FILL
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"

    guide = book.create_sheet("指标说明")
    guide.append(["指标编码", "指标名称", "单位", "类型", "口径"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    kinds = {IndicatorKind.FLOW: "流量（按月发生额，可填累计值）", IndicatorKind.LEVEL: "存量（月末数）"}
    for ind in catalog.indicators().values():
        if ind.kind != IndicatorKind.DERIVED:
            guide.append([ind.code, ind.name, ind.unit, kinds[ind.kind], ind.definition])
    for index, width in enumerate((24, 26, 10, 28, 80), start=1):
        guide.column_dimensions[get_column_letter(index)].width = width

    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return data


def _guide(figure: tuple[float, int] | None, previous: str):
    if figure is None:
        return None
    value, months = figure
    return value if months == 1 else f"{periods.period_label(previous, months)}合计 {value:g}"
