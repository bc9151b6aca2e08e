"""Recognising how a sheet is laid out, and reading out one entry per figure cell.

Four shapes are understood, all by their headers, wherever the header row sits under titles:
- long: one row per figure, with a 期间 column;
- wide: one row per indicator, one column per month;
- template: the long shape `template` writes, with a guide column that is never imported;
- monthly_report (统计月报): one row per indicator by name, 本月 / 1-4月累计 / 同比 columns, the month
  taken from the title or the sheet name, a 单位：万元 line, 其中 sub-rows, 合计 rows, 注 footnotes,
  and two-row headers with merged cells.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import NamedTuple

from .. import catalog
from ..catalog import Indicator
from ..formatting import typed_text
from .cells import (MissingYear, Period, ValueProblem, clean_text, is_unit, memoised, normalise_unit,
                    parse_period, period_in_text)
from .problems import CellRef, UploadProblems, UnreadableFile
from .read import MAX_TITLE_ROWS, CellIssue, SheetData, Workbook

ROLE_WORDS = {
    "code": {"指标编码", "指标代码", "编码", "代码", "code", "indicator", "indicator_code", "indicatorcode"},
    "name": {"指标名称", "指标", "名称", "项目", "指标项", "指标名", "项目名称", "indicator_name", "name"},
    "period": {"期间", "月份", "统计期间", "统计月份", "时间", "日期", "年月", "报告期", "统计期", "统计时间", "所属期",
               "所属期间", "填报期间", "数据期间", "period", "month"},
    # 单位 is a unit here; a 单位 column holding names rather than units is the entity column (see
    # `_entity_or_unit`), because offices use the word for both.
    "unit": {"单位", "计量单位", "unit"},
    "entity": {"主体", "主体名称", "entity", "企业", "企业名称", "填报单位", "单位名称", "报送单位", "园区", "园区名称",
               "开发区", "开发区名称", "所属园区", "所属开发区", "区域", "地区", "乡镇", "镇街", "统计单位"},
    "note": {"备注", "说明", "note", "notes", "remark", "remarks"},
    "ignored": {"序号", "no", "no.", "行次", "编号", "上年同期", "去年同期", "上年同期数", "上年同期累计",
                "上年同月", "上年同期值"},
}
MONTH_WORDS = {"数值", "本月值", "当月值", "本月", "当月", "本月数", "当月数", "value", "本月完成", "当月完成",
               "本期", "本期数", "本期值", "本月实绩"}
YTD_WORDS = {"累计值", "本年累计", "累计", "ytd", "本年累计值", "年初至今", "累计数", "本年累计完成", "累计完成",
             "本年累计数", "全年累计", "年累计", "自年初累计", "今年累计", "本年度累计"}
SUB_VALUE_WORDS = {"绝对值", "数值", "金额", "完成", "完成值", "完成数", "实绩", "数量", "总量", "绝对数", "总额", "value"}
YOY = re.compile(r"(同比|增幅|增速|比上年同期|比去年同期|增长|增减|yoy).*")
YOY_OF = re.compile(r"(.+?)(同比|增幅|增速|比上年同期|比去年同期|增长|增减).*")
YTD_SPAN = re.compile(r"(?:(\d{4})年)?1[-~～至—–](\d{1,2})月份?(?:累计|合计)?(?:值|数|完成)?")
UNIT_LINE = re.compile(r"(?:^|[\s，,;；])(?:计量)?单位[:：]\s*([^\s，,;；]+)")
FOOTNOTE = re.compile(r"(注|说明|备注)\s*[:：\d]|(数据来源|资料来源|填报人|制表|审核|联系人|负责人|填报日期|统计负责人)")
TOTAL = re.compile(r"(合计|总计|小计|全区合计|全区总计|总合计)")
ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(][一二三四五六七八九十\d]+[)]|\d+[、.)](?!\d)|[①-⑳])\s*")
SUB_ROW = re.compile(r"^其中[:：]?\s*")
HEADER_UNIT = re.compile(r"^(.*?)[(（]([^()（）]*)[)）]$")


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    role: str                   # code | name | period | unit | entity | note | value | yoy | ignored | unknown
    measure: str | None = None  # value and yoy columns: "month" or "ytd"
    period: Period | None = None
    unit: str | None = None     # a unit the header names: 数值（万元）
    needs_year: bool = False    # a header such as "4月" when no year is known


@dataclass
class Table:
    sheet: SheetData
    layout: str                 # long | wide | template | monthly_report
    header_rows: tuple[int, ...]
    columns: list[Column]
    period: Period | None       # from the title or the sheet name
    unit: str | None            # the 单位：万元 line above the header
    title: str = ""             # the text above the header, where an entity may be named

    def role(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    @property
    def value_columns(self) -> list[Column]:
        return [c for c in self.columns if c.role in ("value", "yoy")]


# Where a figure's entity comes from, which decides what an unknown name means: in an entity column it
# is an error; in a 其中 row it is a breakdown we do not track, skipped; a sheet without an entity column
# is about the entity its title, sheet or file name names, else the zone.
ENTITY_FROM = ("column", "sub_row", "sheet")


class Entry(NamedTuple):
    """One figure cell of the file, with everything the layout says about it (a named tuple, as
    `CellRef` says why)."""
    cell: CellRef
    issue: CellIssue | None
    code: str
    entity: str
    measure: str                # month | ytd | yoy
    yoy_of: str | None          # for a 同比 cell: whether it compares the month or the 累计
    period: Period | None       # from the column header or the title; None when the row gives it
    period_cell: CellRef | None
    unit: str | None            # the unit the figure is written in, where the file says so
    unit_cell: CellRef | None   # the cell naming that unit, when it is a cell of this row
    unit_source: str            # where `unit` came from, for messages
    note: str
    entity_from: str            # column | sub_row | sheet: where the entity came from (see ENTITY_FROM)
    entity_cell: CellRef | None  # the cell naming the entity, for messages about the name


# ---- header recognition ----------------------------------------------------------------------

def split_header_unit(text: str, known_units: set[str]) -> tuple[str, str | None]:
    """"数值（万元）" → ("数值", "万元"); brackets that do not hold a unit stay part of the label."""
    text = clean_text(text)
    match = HEADER_UNIT.match(text)
    if match and match.group(1).strip() and is_unit(match.group(2), known_units):
        return match.group(1).strip(), normalise_unit(match.group(2))
    return text, None


def header_key(text: str) -> str:
    return re.sub(r"\s+", "", clean_text(text)).strip("*:：").lower()


def classify_header(raw, context_year: int | None, known_units: set[str], index: int = 0) -> Column:
    if raw is None or raw == "":
        return Column(index, "", "unknown")
    shown = raw.strftime("%Y-%m") if hasattr(raw, "strftime") else clean_text(raw)
    if not isinstance(raw, str):
        return _period_column(index, shown, raw, None, context_year)
    label, unit = split_header_unit(raw, known_units)
    key = header_key(label)
    if not key:
        return Column(index, shown, "unknown")
    if "参考" in key:
        return Column(index, shown, "ignored")
    for role, words in ROLE_WORDS.items():
        if key in words:
            return Column(index, shown, role, unit=unit)
    if key in MONTH_WORDS:
        return Column(index, shown, "value", "month", unit=unit)
    if key in YTD_WORDS:
        return Column(index, shown, "value", "ytd", unit=unit)
    if YOY.fullmatch(key):
        return Column(index, shown, "yoy", unit=unit)
    compared = YOY_OF.fullmatch(key)
    if compared:  # 累计同比, 1-4月累计增长, 本月同比: the 同比 of the value the prefix names
        base = classify_header(compared.group(1), context_year, known_units, index)
        if base.role == "value":
            return replace(base, header=shown, role="yoy", unit=unit)
    span = YTD_SPAN.fullmatch(key)
    if span:
        year = int(span.group(1)) if span.group(1) else context_year
        month = int(span.group(2))
        if year is None:
            return Column(index, shown, "value", "ytd", unit=unit, needs_year=True)
        if 1 <= month <= 12:
            return Column(index, shown, "value", "ytd", Period(year, month, 1), unit)
    return _period_column(index, shown, raw if unit is None else label, unit, context_year)


def _period_column(index: int, shown: str, raw, unit: str | None, context_year: int | None) -> Column:
    try:
        period = parse_period(raw, context_year)
    except MissingYear:
        return Column(index, shown, "value", "month", unit=unit, needs_year=True)
    except ValueProblem:
        return Column(index, shown, "unknown")
    if period.months > 1:
        if period.first_month != 1:
            return Column(index, shown, "unknown")
        return Column(index, shown, "value", "ytd", period, unit)
    return Column(index, shown, "value", "month", period, unit)


def _compose(top: Column, bottom: Column, top_raw, bottom_raw, context_year, known_units, index) -> Column:
    """One column of a two-row header: the merged group above, the sub-heading below."""
    if bottom.header == "":
        return replace(top, index=index)
    if top.header == "":
        return replace(bottom, index=index)
    header = f"{top.header}/{bottom.header}"
    if bottom.role == "yoy":
        return Column(index, header, "yoy", top.measure, top.period, bottom.unit or "%")
    if header_key(split_header_unit(str(bottom_raw), known_units)[0]) in SUB_VALUE_WORDS:
        return replace(top, index=index, header=header, unit=bottom.unit or top.unit)
    if top.role == "value" and bottom.role == "value":
        period = bottom.period or top.period
        if bottom.measure == "ytd" and period is not None and bottom.period is None:
            period = Period(period.year, period.month, 1)
        return Column(index, header, "value", bottom.measure, period, bottom.unit or top.unit,
                      needs_year=period is None and (top.needs_year or bottom.needs_year))
    if bottom.role != "unknown":
        return replace(bottom, index=index, header=header)
    joined = classify_header(f"{clean_text(top_raw)}{clean_text(bottom_raw)}", context_year, known_units, index)
    return replace(joined, header=header)


def find_tables(book: Workbook, sheet_name: str | None = None) -> tuple[list[Table], list[str]]:
    """Every visible sheet (or only the named one) with a recognisable header, and the names of the
    visible sheets without one: a workbook of one sheet per month is read whole."""
    if sheet_name is not None and sheet_name not in book.sheet_names:
        raise UnreadableFile(f"文件中没有名为“{sheet_name}”的工作表。文件中的工作表有：{'、'.join(book.sheet_names)}。")
    tables, without_table = [], []
    for name in [sheet_name] if sheet_name is not None else book.visible_sheet_names:
        table = recognise_sheet(book.sheet(name))
        if table is None:
            without_table.append(name)
        else:
            tables.append(table)
    return tables, without_table


def recognise_sheet(sheet: SheetData) -> Table | None:
    rows = sheet.rows
    known_units = {i.unit for i in catalog.indicators().values()} | {"%"}
    name_period, name_year = period_in_text(sheet.name)
    title_period, title_year, unit_line = None, None, None
    title: list[str] = []
    for r in range(min(len(rows), MAX_TITLE_ROWS + 1)):
        row = rows[r]
        year = title_year or name_year
        single = [classify_header(v, year, known_units, i) for i, v in enumerate(row)]
        if _is_header(single):
            columns, header_rows = single, (r,)
            if r + 1 < len(rows) and _is_subheader(rows[r + 1], single, year, known_units):
                below = [classify_header(v, year, known_units, i) for i, v in enumerate(rows[r + 1])]
                merged_top = _fill_merged(row, rows[r + 1], sheet.merged, r)
                top = [classify_header(v, year, known_units, i) for i, v in enumerate(merged_top)]
                width = max(len(top), len(below))
                top += [Column(i, "", "unknown") for i in range(len(top), width)]
                below += [Column(i, "", "unknown") for i in range(len(below), width)]
                columns = [_compose(top[i], below[i], _at(merged_top, i), _at(rows[r + 1], i), year, known_units, i)
                           for i in range(width)]
                header_rows = (r, r + 1)
            columns = _entity_or_unit(_assign_yoy_measures(columns), rows[max(header_rows) + 1:], known_units)
            unit_line = unit_line or _unit_line(row, known_units)
            return Table(sheet, _layout_name(columns), header_rows, columns,
                         title_period or name_period, unit_line, " ".join(title))
        for cell in row:
            if isinstance(cell, str) and cell.strip():
                title.append(clean_text(cell))
                unit_line = unit_line or _unit_line([cell], known_units)
                if title_period is None:
                    title_period, found_year = period_in_text(cell)
                    title_year = title_year or found_year
    return None


def _at(row: list, index: int):
    return row[index] if index < len(row) else ""


def _is_header(columns: list[Column]) -> bool:
    roles = {c.role for c in columns}
    return bool(roles & {"code", "name"}) and "value" in roles


def _is_subheader(row: list, top: list[Column], year, known_units) -> bool:
    """A second header row: only labels, none under the indicator column, at least one we know."""
    cells = [(i, v) for i, v in enumerate(row) if v not in ("", None)]
    if not cells:
        return False
    indicator_columns = {c.index for c in top if c.role in ("code", "name")}
    if any(i in indicator_columns for i, _ in cells):
        return False
    if any(not isinstance(v, str) for _, v in cells):
        return False
    keys = [header_key(split_header_unit(v, known_units)[0]) for _, v in cells]
    if any(re.fullmatch(r"[+-]?[\d.,]+%?", key) for key in keys):
        return False
    return any(key in SUB_VALUE_WORDS or classify_header(v, year, known_units, i).role in ("value", "yoy")
               for key, (i, v) in zip(keys, cells))


def _fill_merged(top_row: list, bottom_row: list, merged, r: int) -> list:
    """The top header row with each merged group's label copied over the columns it spans.

    Without merge information (CSV, ODS), a label is carried right over empty top cells that
    have a sub-heading beneath them, which is how a merged group looks once unmerged.
    """
    filled = list(top_row) + [""] * max(0, len(bottom_row) - len(top_row))
    spans = [(c0, c1) for r0, c0, r1, c1 in merged if r0 <= r <= r1 and c1 > c0]
    if spans:
        for c0, c1 in spans:
            for c in range(c0 + 1, min(c1 + 1, len(filled))):
                filled[c] = filled[c0]
        return filled
    for c in range(1, len(filled)):
        if filled[c] in ("", None) and _at(bottom_row, c) not in ("", None) and filled[c - 1] not in ("", None):
            filled[c] = filled[c - 1]
    return filled


def _assign_yoy_measures(columns: list[Column]) -> list[Column]:
    """A single-row 同比 column compares the value column to its left."""
    out, last_value = [], None
    for column in columns:
        if column.role == "value":
            last_value = column
        elif column.role == "yoy" and column.measure is None and last_value is not None:
            column = replace(column, measure=last_value.measure, period=last_value.period,
                             needs_year=last_value.needs_year)
        out.append(column)
    return out


def _entity_or_unit(columns: list[Column], body: list[list], known_units: set[str]) -> list[Column]:
    """A 单位 column whose every filled cell is a name, not a unit, is the entity column (填报单位 for
    short); with a unit in any cell it stays the unit column, whose cells are then checked one by one."""
    if any(c.role == "entity" for c in columns):
        return columns
    out = []
    for column in columns:
        if column.role == "unit" and header_key(column.header) == "单位":
            filled = [v for row in body if not _blank(v := _at(row, column.index))]
            if filled and all(isinstance(v, str) and not is_unit(v, known_units) for v in filled):
                column = replace(column, role="entity")
        out.append(column)
    return out


def _unit_line(cells: list, known_units: set[str]) -> str | None:
    for cell in cells:
        if isinstance(cell, str):
            match = UNIT_LINE.search(clean_text(cell))
            if match and is_unit(match.group(1), known_units):
                return normalise_unit(match.group(1))
    return None


def _layout_name(columns: list[Column]) -> str:
    roles = {c.role for c in columns}
    if "period" in roles:
        guide = any(c.role == "ignored" and "参考" in c.header for c in columns)
        return "template" if guide and {"code", "name"} <= roles else "long"
    months = {c.period.key for c in columns if c.role == "value" and c.period is not None}
    return "wide" if len(months) > 1 else "monthly_report"


# ---- reading entries out of the body -----------------------------------------------------------

class IndicatorNames:
    """Codes, Chinese and English names of the catalogue, looked up the forgiving-but-exact way."""

    def __init__(self, indicators: dict[str, Indicator]):
        self.indicators = indicators
        self._lookup: dict[str, str] = {}
        for code, ind in indicators.items():
            for key in (code, ind.name, ind.name_en):
                self._lookup[_name_key(key)] = code

    def match(self, text: str) -> str | None:
        return self._lookup.get(_name_key(text))

    def suggestion(self, text: str) -> str:
        names = {ind.name: code for code, ind in self.indicators.items()}
        candidates = difflib.get_close_matches(clean_label(text), list(names) + list(self.indicators), n=1, cutoff=0.4)
        if not candidates:
            return "请使用模板中的指标名称或编码（`python -m metrics catalog` 可查看全部指标）"
        code = names.get(candidates[0], candidates[0])
        return f"您是否要填“{self.indicators[code].name}”（{code}）？请改为模板中的指标名称或编码"


@memoised
def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", clean_label(text)).casefold()


@memoised
def clean_label(text) -> str:
    """A row label without its numbering, its 其中 and a unit in brackets: "（1）其中：亩均税收（万元/亩）"."""
    label = clean_text(text)
    for _ in range(2):
        label = ORDINAL.sub("", label)
        label = SUB_ROW.sub("", label)
    label = HEADER_UNIT.sub(lambda m: m.group(1) if m.group(1).strip() else m.group(0), label).strip()
    return label.rstrip(":：").strip()


@memoised
def _is_footnote(text: str) -> bool:
    return FOOTNOTE.match(text) is not None


@memoised
def _is_total(label: str) -> bool:
    return TOTAL.fullmatch(re.sub(r"\s+", "", clean_label(label))) is not None


@memoised
def _names_a_sub_row(name_text: str) -> bool:
    return SUB_ROW.match(ORDINAL.sub("", name_text)) is not None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(value) -> str:
    return "" if _blank(value) else clean_text(value)


def _row_start(row: list) -> tuple[bool, str]:
    """(whether any cell is filled, the first filled text cell cleaned): what tells a footnote row."""
    filled = False
    for value in row:
        if _blank(value):
            continue
        if isinstance(value, str):
            return True, clean_text(value)
        filled = True
    return filled, ""


def read_entries(table: Table, names: IndicatorNames, problems: UploadProblems) -> list[Entry]:
    """One entry per non-blank figure cell; rows that are not figures (合计, 注, headings) are skipped.

    This runs once per cell of files of up to 20,000 rows, so the per-row work is kept to lookups:
    the cleaning and matching of repeated codes, names and units is remembered (see `memoised`).
    """
    sheet = table.sheet
    known_units = {i.unit for i in names.indicators.values()} | {"%"}
    code_col, name_col = table.role("code"), table.role("name")
    period_col, unit_col = table.role("period"), table.role("unit")
    entity_col, note_col = table.role("entity"), table.role("note")
    value_cols = table.value_columns
    if not _check_columns(table, problems):
        return []
    issues = sheet.issues
    slots = [_ValueSlot.of(table, column) for column in value_cols]
    value_indexes = [column.index for column in value_cols]
    code_i, name_i, entity_i, note_i = (None if c is None else c.index for c in (code_col, name_col, entity_col, note_col))
    # Rows short of the last column read (a CSV's ragged rows) are padded, in a copy, so every cell
    # below is a plain index: this loop runs 20,000 times and calls cost more than the work.
    width = 1 + max([*value_indexes, *(c.index for c in table.columns if c.role != "unknown")])
    may_nest = table.layout in ("monthly_report", "wide")  # only report-shaped sheets nest 其中 rows
    label_units: dict[str, str | None] = {}
    entries: list[Entry] = []
    parent_code = None
    for r in range(max(table.header_rows) + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if len(row) < width:
            row = row + [""] * (width - len(row))
        values = [row[i] for i in value_indexes]
        row_issues = [issues.get((r, i)) for i in value_indexes] if issues else [None] * len(value_indexes)
        filled, first_text = _row_start(row)
        if not filled and not any(row_issues):
            continue
        code_text = "" if code_i is None else _text(row[code_i])
        name_raw = None if name_i is None else row[name_i]
        name_text = _text(name_raw)
        label = code_text or name_text
        if _is_footnote(first_text) and names.match(label) is None:
            continue
        if _is_total(label):
            continue
        has_figures = any(not _blank(v) or issue is not None for v, issue in zip(values, row_issues))
        # In a long table an indented name is just a typo, not a 其中 row.
        is_sub_row = may_nest and (
            _names_a_sub_row(name_text)
            or (isinstance(name_raw, str) and name_raw[:1] in (" ", "\u3000") and parent_code is not None))
        entity_raw = None if entity_i is None else row[entity_i]
        entity, entity_from = (catalog.ZONE, "sheet") if _blank(entity_raw) else (clean_text(entity_raw), "column")
        entity_cell = None if entity_from == "sheet" else _ref(sheet, r, row, entity_col)

        code = names.match(code_text) if code_text else None
        by_name = names.match(name_text) if name_text else None
        if code_text and name_text and code and by_name and code != by_name:
            problems.error(
                f"指标编码“{code_text}”与指标名称“{name_text}”不是同一个指标（编码对应“{names.indicators[code].name}”）。"
                "请核对这一行，改成一致的编码和名称。", **_ref(sheet, r, row, code_col).where())
            continue
        code = code or (by_name if not code_text else None)
        if code is None:
            if is_sub_row and parent_code is not None and not code_text:
                # "其中：理士电池" under an indicator row is that indicator for the named entity.
                code, entity, entity_from = parent_code, clean_label(label), "sub_row"
                entity_cell = _ref(sheet, r, row, name_col)
            elif not has_figures:
                continue
            else:
                bad = code_col if code_text else name_col
                problems.error(f"没有这个指标。{names.suggestion(label)}；如果这一行不需要导入，请删除它。",
                               **_ref(sheet, r, row, bad).where())
                continue
        if not is_sub_row:
            parent_code = code
        unit, unit_cell, unit_source = _row_unit(table, row, r, unit_col, name_col, name_text, known_units,
                                                 label_units)
        note = "" if note_i is None or _blank(row[note_i]) else typed_text(row[note_i])
        period_cell = (_ref(sheet, r, row, period_col)
                       if period_col is not None and not _blank(_cell(row, period_col)) else None)
        for slot, value, issue in zip(slots, values, row_issues):
            if issue is None and _blank(value):
                continue
            column = slot.column
            if period_col is not None and period_cell is None and column.period is None:
                problems.error("有数值但“期间”为空。请填写这个数值所属的月份，例如 2023-05。",
                               **CellRef(sheet.name, r, period_col.index, period_col.header, "").where())
                continue
            stated = unit is not None
            entries.append(Entry(
                cell=CellRef(sheet.name, r, column.index, column.header, value), issue=issue, code=code,
                entity=entity, measure=slot.measure, yoy_of=slot.yoy_of, period=slot.period,
                period_cell=period_cell if column.period is None else None,
                unit=unit if stated else slot.unit, unit_cell=unit_cell if stated else None,
                unit_source=unit_source if stated else slot.unit_source, note=note, entity_from=entity_from,
                entity_cell=entity_cell))
    return entries


@dataclass(frozen=True)
class _ValueSlot:
    """What a value column says about every figure in it, worked out once rather than per row."""
    column: Column
    measure: str
    yoy_of: str | None
    period: Period | None       # None when each row gives its month
    unit: str | None            # the column's or the table's unit, for rows that state none
    unit_source: str

    @classmethod
    def of(cls, table: Table, column: Column) -> "_ValueSlot":
        is_yoy = column.role == "yoy"
        return cls(column, "yoy" if is_yoy else column.measure, column.measure if is_yoy else None,
                   column.period or (None if table.role("period") is not None else _table_period(table, column)),
                   column.unit or table.unit, f"表头“{column.header}”" if column.unit else "表格上方的单位行")


def _cell(row: list, column: Column | None):
    return None if column is None else _at(row, column.index)


def _ref(sheet: SheetData, r: int, row: list, column: Column) -> CellRef:
    return CellRef(sheet.name, r, column.index, column.header, _cell(row, column))


def _table_period(table: Table, column: Column) -> Period | None:
    """The month a 本月 or 累计 column means when only the title or sheet name gives it.

    A title "2023年1-4月" reports April, so 本月 is April and 累计 is 1-4月. A title "2023年1-2月" is the
    Spring Festival report with no February of its own, so its 本月 is the 1-2月 figure.
    """
    period = table.period
    if period is None:
        return None
    measure = column.measure or "month"
    if measure == "ytd" or (period.first_month == 1 and period.month == 2):
        return Period(period.year, period.month, 1)
    return Period.single(period.year, period.month)


def _row_unit(table: Table, row: list, r: int, unit_col: Column | None, name_col: Column | None,
              name_text: str, known_units: set[str],
              label_units: dict[str, str | None]) -> tuple[str | None, CellRef | None, str]:
    """The unit a row states in its unit column or its name; `label_units` remembers names already read."""
    if unit_col is not None and not _blank(_at(row, unit_col.index)):
        raw = _at(row, unit_col.index)
        return normalise_unit(raw), CellRef(table.sheet.name, r, unit_col.index, unit_col.header, raw), "单位列"
    if not name_text or name_col is None:
        return None, None, ""
    if name_text not in label_units:
        label_units[name_text] = split_header_unit(name_text, known_units)[1]
    in_label = label_units[name_text]
    if in_label is not None:
        return in_label, CellRef(table.sheet.name, r, name_col.index, name_col.header, name_text), "指标名称"
    return None, None, ""


def _check_columns(table: Table, problems: UploadProblems) -> bool:
    """Header-level problems; False when the sheet cannot be read figure by figure at all."""
    sheet = table.sheet.name
    header_row = table.header_rows[0] + 1
    ok = True
    for column in table.columns:
        where = {"sheet": sheet, "row": header_row, "column": CellRef(sheet, 0, column.index, column.header, "").column,
                 "value": column.header}
        if column.role in ("value", "yoy") and column.needs_year:
            problems.error("表头中的月份没有写年份，表格标题和工作表名中也找不到年份。"
                           "请在标题中写明年份（例如“2023年1-4月主要指标”），或把表头改为“2023年4月”。", **where)
            ok = False
        elif column.role == "unknown" and column.header and _column_has_data(table, column):
            problems.warning("无法识别这一列的表头，该列已忽略。如果这一列是要导入的数据，请把表头改为"
                             "“本月值”“累计值”或具体月份（例如 2023年5月）。", **where)
    has_period = table.role("period") is not None or table.period is not None
    if not has_period and any(c.period is None for c in table.value_columns if not c.needs_year):
        problems.error("无法确定数据所属的月份：表中没有“期间”列，表头、标题和工作表名中也没有年月。"
                       "请在标题中写明期间（例如“2023年4月”），或增加一列“期间”。", sheet=sheet, row=header_row)
        ok = False
    return ok


# Enough of an unread column's names to tell whether it holds entities, whatever its length.
UNREAD_NAMES_PER_COLUMN = 20


def unread_names(table: Table) -> list[CellRef]:
    """The distinct texts of the columns that are not read (an unrecognised header, 序号, a second entity
    column), first cell of each: the import checks them against the entities held, because a column of
    entity names that is not read would file every figure under the zone."""
    entity = table.role("entity")
    unread = [c for c in table.columns
              if c.role in ("unknown", "ignored") or (c.role == "entity" and c is not entity)]
    found: list[CellRef] = []
    for column in unread:
        seen: set[str] = set()
        for r in range(max(table.header_rows) + 1, len(table.sheet.rows)):
            value = _at(table.sheet.rows[r], column.index)
            if isinstance(value, str) and (text := clean_text(value)) and text not in seen:
                seen.add(text)
                found.append(CellRef(table.sheet.name, r, column.index, column.header, value))
                if len(seen) == UNREAD_NAMES_PER_COLUMN:
                    break
    return found


def _column_has_data(table: Table, column: Column) -> bool:
    return any(not _blank(_at(row, column.index)) for row in table.sheet.rows[max(table.header_rows) + 1:])


EXPECTED_HEADERS = ("请使用系统模板，或让表头包含：指标列（“指标编码”或“指标名称”）和数值列"
                    "（“本月值”“累计值”或具体月份如“2023年5月”）；长表还需“期间”列。标题行可以在表头上方。")


def _header_candidate(sheet: SheetData) -> tuple[int, int]:
    """(how many labels, 0-based row) of the row among the first ones with the most text cells."""
    labelled = [(sum(isinstance(v, str) and bool(v.strip()) for v in row), r)
                for r, row in enumerate(sheet.rows[:MAX_TITLE_ROWS + 1])]
    return max(labelled, default=(0, 0), key=lambda pair: (pair[0], -pair[1]))


def header_likeness(sheet: SheetData) -> int:
    return _header_candidate(sheet)[0]


def header_not_found(sheet: SheetData) -> dict:
    """The no-header error, placed at the row that looks most like a header (the one with the most
    labels among the first rows), naming what it lacks and the first label not understood."""
    known_units = {i.unit for i in catalog.indicators().values()} | {"%"}
    count, r = _header_candidate(sheet)
    rows = sheet.rows
    if count < 2:
        return {"message": f"无法在工作表中找到可识别的表头。{EXPECTED_HEADERS}", "sheet": sheet.name}
    columns = [classify_header(v, None, known_units, i) for i, v in enumerate(rows[r])]
    roles = {c.role for c in columns}
    lacking = "、".join(what for what, present in (("指标列（“指标编码”或“指标名称”）", roles & {"code", "name"}),
                                                   ("数值列（“本月值”“累计值”或具体月份）", "value" in roles))
                        if not present)
    unknown = next((c for c in columns if c.role == "unknown" and c.header), None)
    where = {"sheet": sheet.name, "row": r + 1}
    if unknown is not None:
        where.update(column=CellRef(sheet.name, r, unknown.index, "", "").column, value=unknown.header)
    named = f"其中“{unknown.header}”无法识别；" if unknown is not None else ""
    return {"message": f"这一行像是表头，但缺少{lacking}，系统无法识别这张表。{named}{EXPECTED_HEADERS}", **where}
