"""What is wrong with an uploaded file, said so that the person who filled it in can fix it.

Every step of the import reports into one `UploadProblems` list instead of stopping at the first
mistake: staff should see all of a file's errors at once, not one per upload.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def show_value(raw) -> str:
    """A cell's content as the user typed it, or a figure as a person writes it, for a message."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, Decimal):
        return format(raw.normalize(), "f")  # 2.5000 after a unit conversion reads 2.5
    return str(raw)


LEVEL_WORDS = {"error": "错误", "warning": "提醒", "info": "说明"}


@dataclass(frozen=True)
class UploadProblem:
    """One error, warning or note. `row` is the row number Excel shows (None for the whole sheet).
    An error stops the import; a warning must be acknowledged before confirming; a note ("info")
    only tells, as when the file's own 同比 differs from the one computed from its figures."""
    level: str        # "error" | "warning" | "info"
    message: str      # what is wrong and how to fix it, in Chinese
    sheet: str = ""
    row: int | None = None
    column: str = ""  # "C（数值）"
    value: str = ""
    indicator: str = ""  # the indicator's name, where the problem is about one figure
    entity: str = ""

    @property
    def cause(self) -> str:
        """The message with its particulars (quoted names, numbers) masked: problems that share a
        cause share it, so a file with one mistake repeated down a column reads as one cause."""
        return re.sub(r"-?\d[\d,.]*", "N", re.sub(r"“[^”]*”", "“…”", self.message))

    def line(self) -> str:
        where = []
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"{self.column}列")
        place = "".join(where)
        quoted = f"值“{self.value}”" if self.value else ""
        prefix = "，".join(part for part in (place, quoted) if part)
        label = LEVEL_WORDS[self.level]
        return f"{label}：{prefix}：{self.message}" if prefix else f"{label}：{self.message}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "indicator": self.indicator, "entity": self.entity, "message": self.message}


@dataclass
class UploadProblems:
    items: list[UploadProblem] = field(default_factory=list)

    def error(self, message: str, **where) -> None:
        self.items.append(UploadProblem("error", message, **where))

    def warning(self, message: str, **where) -> None:
        self.items.append(UploadProblem("warning", message, **where))

    def info(self, message: str, **where) -> None:
        self.items.append(UploadProblem("info", message, **where))

    @property
    def errors(self) -> list[UploadProblem]:
        return [p for p in self.items if p.level == "error"]

    @property
    def warnings(self) -> list[UploadProblem]:
        return [p for p in self.items if p.level == "warning"]

    @property
    def infos(self) -> list[UploadProblem]:
        return [p for p in self.items if p.level == "info"]


class CellRef(NamedTuple):
    """Where a value sits: the sheet, the 0-based row and column, the column's header, the raw cell.

    A named tuple, as are the ingest's other per-cell records: an upload makes one or two per cell
    of up to 20,000 rows, and a frozen dataclass took twice as long to make, setting each field
    through `object.__setattr__`."""
    sheet: str
    row: int
    col: int
    header: str
    raw: object

    @property
    def column(self) -> str:
        letter = column_letter(self.col)
        return f"{letter}（{self.header}）" if self.header else letter

    def where(self) -> dict:
        """Keyword arguments placing a problem at this cell."""
        return {"sheet": self.sheet, "row": self.row + 1, "column": self.column, "value": show_value(self.raw)}


class UnreadableFile(Exception):
    """The file cannot be opened as a table at all (exit code 2); the message says why and what to do."""


def grouped(problems: list[UploadProblem]) -> list[tuple[UploadProblem, list[UploadProblem]]]:
    """Problems by shared cause, the most repeated first, whole-sheet ones (no row) before them all:
    each with its first instance, to show as 同一原因 N 行."""
    groups: dict[tuple[str, str], list[UploadProblem]] = {}
    for problem in problems:
        groups.setdefault((problem.level, problem.cause), []).append(problem)
    ordered = sorted(groups.values(), key=lambda g: (g[0].row is not None, -len(g)))
    return [(group[0], group) for group in ordered]
