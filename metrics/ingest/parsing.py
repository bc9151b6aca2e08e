"""Reading an uploaded file into checked numbers, with no database: the part of an import a hostile
file can make expensive, run in a worker process (metrics.ingest.worker) under memory and time
limits, and never while the database is held.

What it returns is all an import needs from the file: the recognised sheet (for the errors
workbook), its layout, the readings and 同比 claims, and every problem found so far.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .. import catalog
from . import layouts, read, validate
from .figures import Reading, YoyClaim, read_values
from .problems import CellRef, UploadProblem, UploadProblems, UnreadableFile, column_letter


@dataclass
class ParsedFile:
    readable: bool = True
    problems: list[UploadProblem] = field(default_factory=list)
    sheet: read.SheetData | None = None  # the first sheet read (the errors workbook marks its rows)
    layout: str | None = None
    header_row: int | None = None  # 0-based, the last header row of the first sheet read
    sheet_names: list[str] = field(default_factory=list)  # every sheet read, in the workbook's order
    readings: list[Reading] = field(default_factory=list)
    claims: list[YoyClaim] = field(default_factory=list)
    # For each sheet read without an entity column, the texts that may name its entity, the most
    # specific first: the title above the header, the sheet name, the file name. The import matches
    # them against the entities held.
    sheet_titles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unread_names: list[CellRef] = field(default_factory=list)  # as `layouts.unread_names`

    @classmethod
    def unreadable(cls, message: str) -> "ParsedFile":
        return cls(readable=False, problems=[UploadProblem("error", message)])


def parse_file(path: Path, file_name: str, sheet: str | None, today: dt.date) -> ParsedFile:
    """Open the file as its name says, find its tables (every sheet's, or the named sheet's), and read
    and check every figure cell."""
    try:
        book = read.open_workbook(path, file_name)
        tables, without_table = layouts.find_tables(book, sheet)
    except UnreadableFile as exc:
        return ParsedFile.unreadable(str(exc))
    problems = UploadProblems()
    if not tables:
        if not without_table:
            problems.error("文件中没有可见的工作表（所有工作表都被隐藏了）。请在 Excel 中取消隐藏要导入的工作表后再上传。")
            return ParsedFile(problems=problems.items)
        # The sheet that looks most like a table is the one the user meant to send.
        likeliest = max((book.sheet(name) for name in without_table), key=layouts.header_likeness)
        problems.error(**layouts.header_not_found(likeliest))
        return ParsedFile(problems=problems.items, sheet=likeliest)
    _say_what_is_not_read(book, tables, without_table, sheet, problems)
    indicators = catalog.indicators()
    names = layouts.IndicatorNames(indicators)
    entries, titles, unread = [], {}, []
    for table in tables:
        entries += layouts.read_entries(table, names, problems)
        if table.role("entity") is None:
            titles[table.sheet.name] = (table.title, table.sheet.name, Path(file_name).stem)
        unread += layouts.unread_names(table)
    readings, claims = read_values(entries, indicators, problems)
    readings = validate.check_readings(readings, indicators, today, problems)
    first = tables[0]
    return ParsedFile(problems=problems.items, sheet=first.sheet, layout=first.layout,
                      header_row=first.header_rows[-1], sheet_names=[t.sheet.name for t in tables],
                      readings=readings, claims=claims, sheet_titles=titles, unread_names=unread)


def _say_what_is_not_read(book: read.Workbook, tables: list[layouts.Table], without_table: list[str],
                          sheet: str | None, problems: UploadProblems) -> None:
    """What the file holds that is not imported, so that nothing is left out without a word and no
    message names a row the user cannot see."""
    if sheet is None and book.hidden_sheet_names:
        problems.warning(f"隐藏的工作表“{'”“'.join(book.hidden_sheet_names)}”没有导入。如需导入，请在 Excel 中取消隐藏后重新上传。")
    if without_table:
        problems.warning(f"工作表“{'”“'.join(without_table)}”中没有可识别的指标表格（指标列和数值列），已跳过。")
    for table in tables:
        data = table.sheet
        hidden = [f"第{r + 1}行" for r in data.hidden_rows] + [f"{column_letter(c)}列" for c in data.hidden_columns]
        if hidden:
            shown = "、".join(hidden[:20]) + (f"等 {len(hidden)} 处" if len(hidden) > 20 else "")
            problems.warning(f"隐藏的{shown}没有导入（Excel 中看不到它们）。如需导入，请取消隐藏后重新上传。",
                             sheet=data.name)
