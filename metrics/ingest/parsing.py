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
from . import layouts, normalise, read, validate
from .normalise import Reading, YoyClaim
from .problems import Problem, Problems, UnreadableFile


@dataclass
class ParsedFile:
    readable: bool = True
    problems: list[Problem] = field(default_factory=list)
    sheet: read.SheetData | None = None
    layout: str | None = None
    header_row: int | None = None  # 0-based, the last header row of the recognised table
    readings: list[Reading] = field(default_factory=list)
    claims: list[YoyClaim] = field(default_factory=list)

    @classmethod
    def unreadable(cls, message: str) -> "ParsedFile":
        return cls(readable=False, problems=[Problem("error", message)])


def parse_file(path: Path, file_name: str, sheet: str | None, today: dt.date) -> ParsedFile:
    """Open the file as its name says, find its table, and read and check every figure cell."""
    try:
        book = read.open_workbook(path, file_name)
        table = layouts.find_table(book, sheet)
    except UnreadableFile as exc:
        return ParsedFile.unreadable(str(exc))
    if table is None:
        first = book.sheet(book.sheet_names[0]) if book.sheet_names else None
        return ParsedFile(problems=[Problem("error", layouts.EXPECTED_HEADERS, sheet=sheet or "")], sheet=first)
    indicators = catalog.indicators()
    problems = Problems()
    entries = layouts.read_entries(table, layouts.IndicatorNames(indicators), problems)
    readings, claims = normalise.read_values(entries, indicators, problems)
    readings = validate.check_readings(readings, indicators, today, problems)
    return ParsedFile(problems=problems.items, sheet=table.sheet, layout=table.layout,
                      header_row=table.header_rows[-1], readings=readings, claims=claims)
