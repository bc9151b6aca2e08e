"""The uploaded rows handed back as xlsx, with each row's problems written beside it.

Rows stay at the row numbers they had, so "第12行" in a message is row 12 here too.
"""
from __future__ import annotations

import io

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from .pipeline import ImportResult
from .problems import UploadProblem

ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
WARNING_FILL = PatternFill("solid", fgColor="FFF2CC")
LEVELS = {"error": "错误", "warning": "提醒"}


def errors_workbook(result: ImportResult) -> bytes:
    book = openpyxl.Workbook()
    marked = book.active
    marked.title = "错误标注"
    by_row: dict[int, list[UploadProblem]] = {}
    for problem in result.problems:
        if problem.row is not None and result.sheet is not None and problem.sheet == result.sheet.name:
            by_row.setdefault(problem.row, []).append(problem)
    rows = result.sheet.rows if result.sheet is not None else []
    note_column = max((len(row) for row in rows), default=0) + 1
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value not in ("", None):
                _put(marked.cell(r, c), value)
    header_row = (result.header_row or 0) + 1
    marked.cell(header_row, note_column, "错误说明").font = Font(bold=True)
    for r, problems in by_row.items():
        text = "；".join(f"{LEVELS[p.level]}（{p.column}列）：{p.message}" if p.column else f"{LEVELS[p.level]}：{p.message}"
                        for p in problems)
        cell = marked.cell(r, note_column)
        _put(cell, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        fill = ERROR_FILL if any(p.level == "error" for p in problems) else WARNING_FILL
        for c in range(1, note_column + 1):
            marked.cell(r, c).fill = fill
    marked.column_dimensions[openpyxl.utils.get_column_letter(note_column)].width = 80

    listing = book.create_sheet("问题清单")
    listing.append(["类别", "工作表", "行号", "列", "值", "说明"])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    # Rows counted here: openpyxl's max_row scans every cell, which made 8,000 problems take a minute.
    for r, p in enumerate(result.problems, start=2):
        for c, value in enumerate((LEVELS[p.level], p.sheet, p.row, p.column, p.value, p.message), start=1):
            if value not in ("", None):
                _put(listing.cell(r, c), value)
    listing.column_dimensions["F"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(cell, value) -> None:
    """Write a value back as it was: text that looks like a formula stays text, never runs."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
