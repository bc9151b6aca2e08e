"""Reading an uploaded file into rows of cells, refusing anything unsafe or not what its name says.

Spreadsheets are read with python-calamine. Before calamine sees a file, its bytes are checked
against its extension, its size, and (for the zip-based formats) the sizes its entries declare,
so a hostile or mislabelled file is refused quickly and in bounded memory.
"""
from __future__ import annotations

import csv
import io
import math
import re
import struct
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from defusedxml.ElementTree import iterparse as safe_iterparse

from ..zip_safety import DAMAGED_ZIP, UnsafeZip, open_checked_zip
from .problems import UnreadableFile, column_letter

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000      # rows of figures
MAX_TITLE_ROWS = 30    # rows above the header that may hold titles; the header is looked for within them
MAX_SHEET_ROWS = MAX_ROWS + MAX_TITLE_ROWS
MAX_COLUMNS = 256      # ten years of months across, with room to spare
MAX_CELLS = 2_000_000  # rows × columns of a sheet's extent: what a reader allocates
EXTENSIONS = (".xlsx", ".xls", ".ods", ".csv")

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# ElementTree's ParseError, caught by its base class: defusedxml may parse with its own copy of the
# module, whose ParseError is another class.
MALFORMED_XML = SyntaxError
SAVE_AS_HINT = "请在 Excel 中打开该文件，另存为“Excel 工作簿（*.xlsx）”后再上传。"


@dataclass(frozen=True)
class CellIssue:
    """A cell that calamine reads as empty but that is not: an error value or an unsaved formula."""
    kind: str   # "excel_error" | "formula_without_result"
    text: str   # "#DIV/0!" or the formula


@dataclass
class SheetData:
    """One sheet: rows[i][j] is the cell Excel shows at row i+1, column j+1 ("" when empty)."""
    name: str
    rows: list[list]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, first col, last row, last col
    issues: dict[tuple[int, int], CellIssue] = field(default_factory=dict)
    # Hidden rows and columns that held something, 0-based: blanked in `rows`, because what the user
    # cannot see must not be imported; kept here so the import can say what it left out.
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)


class Workbook:
    """An opened file; sheets are loaded on demand, so a sheet that is asked for is the only one read."""

    def __init__(self, sheet_names: list[str], load, hidden_sheet_names: list[str] | None = None):
        self.sheet_names = sheet_names
        self.hidden_sheet_names = hidden_sheet_names or []
        self._load = load
        self._loaded: dict[str, SheetData] = {}

    @property
    def visible_sheet_names(self) -> list[str]:
        return [name for name in self.sheet_names if name not in self.hidden_sheet_names]

    def sheet(self, name: str) -> SheetData:
        if name not in self._loaded:
            self._loaded[name] = self._load(name)
        return self._loaded[name]


def check_size(n_bytes: int, file_name: str) -> None:
    if n_bytes > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"文件“{file_name}”大小为 {n_bytes / 1024 / 1024:.1f} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限。"
            "月度数据文件通常不到 1 MB：请删除无关的工作表、图片和多余的行后再上传。")


def extension(file_name: str) -> str:
    ext = Path(file_name).suffix.lower()
    if ext not in EXTENSIONS:
        shown = ext or "（无扩展名）"
        raise UnreadableFile(f"不支持的文件类型“{shown}”。请上传 .xlsx、.xls 或 .csv 文件（也支持 .ods）。")
    return ext


def open_workbook(path: Path, file_name: str) -> Workbook:
    """Open `path` as the kind of file `file_name`'s extension names, after the safety checks.

    `path` carries the same extension (the upload archive keeps it), because calamine recognises
    an encrypted .xls by its extension, not by sniffing its bytes.
    """
    ext = extension(file_name)
    check_size(path.stat().st_size, file_name)
    data = path.read_bytes()
    if ext == ".csv":
        return _open_csv(data, file_name)
    try:
        if ext in (".xlsx", ".ods"):
            _check_zip_container(data, ext, file_name)
        else:
            _check_xls_container(data, file_name)
    # A zip whose headers lie about its entries' sizes or compression fails only when an entry is read.
    except (*DAMAGED_ZIP, MALFORMED_XML, struct.error) as exc:
        raise UnreadableFile(_damaged_message(file_name, exc)) from exc
    return _open_spreadsheet(path, data, ext, file_name)


# ---- content against extension ------------------------------------------------------------

def _check_zip_container(data: bytes, ext: str, file_name: str) -> None:
    if data.startswith(OLE2_MAGIC):
        streams = _ole_stream_names(data, file_name)
        if "EncryptedPackage" in streams:
            raise UnreadableFile(_encrypted_message(file_name))
        if streams & {"Workbook", "Book"}:
            raise UnreadableFile(
                f"文件“{file_name}”的扩展名是 {ext}，但内容是旧版 Excel 97-2003 格式（.xls）。"
                "请把扩展名改为 .xls，或" + SAVE_AS_HINT)
        raise UnreadableFile(f"文件“{file_name}”不是电子表格（内容与扩展名 {ext} 不符）。{SAVE_AS_HINT}")
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableFile(_mismatch_message(data, ext, file_name))
    try:
        archive = open_checked_zip(data, file_name, "只保留本月数据，" + SAVE_AS_HINT)
    except UnsafeZip as exc:
        raise UnreadableFile(str(exc)) from exc
    names = set(archive.namelist())
    is_ods = "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE
    if ext == ".xlsx":
        if "xl/workbook.bin" in names:
            raise UnreadableFile(f"文件“{file_name}”是二进制工作簿（.xlsb），无法读取。{SAVE_AS_HINT}")
        if is_ods:
            raise UnreadableFile(f"文件“{file_name}”实为 OpenDocument 表格，请把扩展名改为 .ods 后再上传。")
        if "xl/workbook.xml" not in names:
            raise UnreadableFile(f"文件“{file_name}”不是 Excel 工作簿（可能是 Word 文档或其他压缩包改了扩展名）。{SAVE_AS_HINT}")
    elif not is_ods:
        if "xl/workbook.xml" in names:
            raise UnreadableFile(f"文件“{file_name}”实为 Excel 工作簿，请把扩展名改为 .xlsx 后再上传。")
        raise UnreadableFile(f"文件“{file_name}”不是 OpenDocument 表格（可能是其他压缩包改了扩展名）。{SAVE_AS_HINT}")
    if ext == ".xlsx":
        for sheet_name, part in _sheet_parts(archive, file_name).items():
            _check_extent(archive, part, sheet_name, file_name)


_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\s[^>]*?\bref="[A-Z]{0,3}\d*:?([A-Z]{1,3})(\d{1,7})"')
_CELL_REFERENCE = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_ROW_REFERENCE = re.compile(rb'<(?:[\w.-]+:)?row\s[^>]*?\br="(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_extent(archive: zipfile.ZipFile, part: str, sheet_name: str, file_name: str) -> None:
    """Refuse a sheet whose extent (its declared dimension, or its farthest cell) is over the caps.

    A reader allocates the whole rectangle from A1 to the farthest cell: one cell at XFD1048576 in
    a 5 KB file would ask for hundreds of gigabytes. So the extent is read from the XML first.
    """
    with archive.open(part) as raw:
        xml = raw.read()
    rows = columns = 0
    for match in (*_DIMENSION.finditer(xml), *_CELL_REFERENCE.finditer(xml)):
        columns = max(columns, _column_number(match.group(1)))
        rows = max(rows, int(match.group(2)))
    for match in _ROW_REFERENCE.finditer(xml):
        rows = max(rows, int(match.group(1)))
    if rows > MAX_SHEET_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        corner = f"{column_letter(columns - 1)}{rows}" if columns else f"第 {rows} 行"
        raise UnreadableFile(
            f"文件“{file_name}”的工作表“{sheet_name}”的范围延伸到 {corner}（第 {rows} 行、第 {columns} 列），超过上限"
            f"（{MAX_SHEET_ROWS:,} 行、{MAX_COLUMNS} 列、共 {MAX_CELLS:,} 个单元格），没有读取。常见原因是很远处有"
            "一个误填或带格式的单元格：请在 Excel 中按 Ctrl+End 找到它，删除多余的行和列后保存再上传。")


def _check_xls_container(data: bytes, file_name: str) -> None:
    if data.startswith(ZIP_MAGIC):
        raise UnreadableFile(f"文件“{file_name}”的扩展名是 .xls，但内容是新版 Excel 工作簿。请把扩展名改为 .xlsx 后再上传。")
    if not data.startswith(OLE2_MAGIC):
        raise UnreadableFile(_mismatch_message(data, ".xls", file_name))
    streams = _ole_stream_names(data, file_name)
    if "EncryptedPackage" in streams:
        raise UnreadableFile(_encrypted_message(file_name))
    if not streams & {"Workbook", "Book"}:
        raise UnreadableFile(f"文件“{file_name}”不是 Excel 工作簿（可能是改了扩展名的 Word 等文档）。{SAVE_AS_HINT}")


def _mismatch_message(data: bytes, ext: str, file_name: str) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        return (f"文件“{file_name}”的扩展名是 {ext}，但内容是网页或 XML 文本（有些系统导出的“Excel”其实是网页）。"
                + SAVE_AS_HINT)
    if head.startswith(b"%pdf"):
        return f"文件“{file_name}”是 PDF 文件，不是电子表格。请上传 Excel 原表或本系统的模板。"
    return f"文件“{file_name}”的内容与扩展名 {ext} 不符，无法作为电子表格打开。{SAVE_AS_HINT}"


def _encrypted_message(file_name: str) -> str:
    return (f"文件“{file_name}”设置了打开密码（已加密），系统无法读取。请在 Excel 中打开，"
            "依次点“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码并保存后再上传。")


def _ole_stream_names(data: bytes, file_name: str) -> set[str]:
    """The names in a compound file's directory (enough to tell .xls from an encrypted .xlsx)."""
    corrupt = UnreadableFile(f"文件“{file_name}”已损坏，无法读取其内部目录。{SAVE_AS_HINT}")
    if len(data) < 512:
        raise corrupt
    sector_shift, = struct.unpack_from("<H", data, 30)
    first_dir_sector, = struct.unpack_from("<I", data, 48)
    if sector_shift not in (9, 12):
        raise corrupt
    size = 1 << sector_shift
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
    fat: list[int] = []
    for s in fat_sectors:
        start = (s + 1) * size
        fat.extend(struct.unpack_from(f"<{size // 4}I", data, start) if start + size <= len(data) else ())
    names, sector, visited = set(), first_dir_sector, set()
    while sector < 0xFFFFFFFA and sector not in visited:
        visited.add(sector)
        start = (sector + 1) * size
        if start + size > len(data):
            raise corrupt
        for offset in range(start, start + size, 128):
            length, = struct.unpack_from("<H", data, offset + 64)
            if 2 <= length <= 64:
                names.add(data[offset:offset + length - 2].decode("utf-16-le", "replace"))
        sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
    return names


# ---- spreadsheets ---------------------------------------------------------------------------

def _open_spreadsheet(path: Path, data: bytes, ext: str, file_name: str) -> Workbook:
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = [m for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        sheet_names = [m.name for m in sheets]
        hidden_sheet_names = [m.name for m in sheets if m.visible != python_calamine.SheetVisibleEnum.Visible]
    except python_calamine.PasswordError as exc:
        raise UnreadableFile(_encrypted_message(file_name)) from exc
    except Exception as exc:
        raise UnreadableFile(_damaged_message(file_name, exc)) from exc

    def load(name: str) -> SheetData:
        try:
            sheet = book.get_sheet_by_name(name)
            end = sheet.end
            if end is not None and end[0] + 1 > MAX_SHEET_ROWS:
                raise UnreadableFile(
                    f"工作表“{name}”有内容的最后一行是第 {end[0] + 1} 行，超过上限（{MAX_ROWS} 行数据，"
                    f"另加表头以上 {MAX_TITLE_ROWS} 行标题）。"
                    "请删除多余的行（包括看似空白但有格式或空格的行），或把数据拆成几个文件上传。")
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(_damaged_message(file_name, exc)) from exc
        issues = _xlsx_cell_issues(data, name, file_name) if ext == ".xlsx" else {}
        if ext == ".xlsx":
            view = _xlsx_view(data, name, file_name)
        elif ext == ".ods":
            view = _ods_view(data, name, file_name)
        else:
            view = SheetView()
        hidden_rows, hidden_columns = view.apply(rows)
        return SheetData(name, rows, merged, issues, hidden_rows, hidden_columns)

    return Workbook(sheet_names, load, hidden_sheet_names)


@dataclass
class SheetView:
    """What a spreadsheet shows beyond its values: hidden rows and columns, and percent-formatted
    cells (0-based). calamine reads neither, so the sheet's XML is scanned for them."""
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)

    def apply(self, rows: list[list]) -> tuple[list[int], list[int]]:
        """Make `rows` what the user sees: a percent cell holding 0.679 becomes the text "67.9%" (so it
        reads as 67.9 where a percentage is expected, and as a mistake elsewhere), and hidden rows and
        columns are blanked. Returns the hidden rows and columns that held something."""
        for r, c in self.percent_cells:
            if r < len(rows) and c < len(rows[r]):
                value = rows[r][c]
                if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                    rows[r][c] = format((_decimal_of(value) * 100).normalize(), "f") + "%"
        blanked_rows = []
        for r in sorted(self.hidden_rows):
            if r < len(rows) and any(v not in ("", None) for v in rows[r]):
                blanked_rows.append(r)
                rows[r] = [""] * len(rows[r])
        blanked_columns = []
        for c in sorted(self.hidden_columns):
            held = False
            for row in rows:
                if c < len(row) and row[c] not in ("", None):
                    held, row[c] = True, ""
            if held:
                blanked_columns.append(c)
        return blanked_rows, blanked_columns


def _decimal_of(value: int | float) -> Decimal:
    """The number Excel shows for a cell: 15 significant digits (as `cells.decimal_from_float`)."""
    return Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))


# Builtin number formats 9 and 10 are 0% and 0.00%; a custom one is a percentage when a % sign
# stands outside its quoted text and escapes.
_PERCENT_BUILTIN_FORMATS = {"9", "10"}
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.')
_TAG_ATTRIBUTES = re.compile(rb'([\w:.-]+)="([^"]*)"')
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*)>")
_COL_TAG = re.compile(rb"<(?:[\w.-]+:)?col\b([^>]*)>")
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*)>")


def _attributes(raw: bytes) -> dict[str, str]:
    return {k.decode().rsplit(":", 1)[-1]: v.decode() for k, v in _TAG_ATTRIBUTES.findall(raw)}


def _is_true(value: str | None) -> bool:
    return value in ("1", "true")


def _percent_styles(archive: zipfile.ZipFile, file_name: str) -> set[str]:
    """The indexes (as in a cell's s="…") of the cell styles whose number format is a percentage."""
    try:
        styles = safe_fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    except DefusedXmlException as exc:
        raise UnreadableFile(f"文件“{file_name}”含有不安全的 XML 实体定义，已拒绝。{SAVE_AS_HINT}") from exc
    except MALFORMED_XML as exc:
        raise UnreadableFile(_damaged_message(file_name, exc)) from exc
    percent_formats = set(_PERCENT_BUILTIN_FORMATS)
    cell_styles = None
    for element in styles.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "numFmt" and "%" in _FORMAT_LITERALS.sub("", element.get("formatCode") or ""):
            percent_formats.add(element.get("numFmtId"))
        elif tag == "cellXfs":
            cell_styles = [xf.get("numFmtId") for xf in element if xf.tag.rsplit("}", 1)[-1] == "xf"]
    return {str(i) for i, number_format in enumerate(cell_styles or []) if number_format in percent_formats}


def _xlsx_view(data: bytes, sheet_name: str, file_name: str) -> SheetView:
    archive = zipfile.ZipFile(io.BytesIO(data))
    part = _sheet_part(archive, sheet_name, file_name)
    view = SheetView()
    if part is None:
        return view
    with archive.open(part) as raw:
        xml = raw.read()
    for match in _ROW_TAG.finditer(xml):
        attributes = _attributes(match.group(1))
        if _is_true(attributes.get("hidden")) and attributes.get("r", "").isdigit():
            view.hidden_rows.add(int(attributes["r"]) - 1)
    for match in _COL_TAG.finditer(xml):
        attributes = _attributes(match.group(1))
        if _is_true(attributes.get("hidden")) and attributes.get("min", "").isdigit():
            last = min(int(attributes.get("max") or attributes["min"]), MAX_COLUMNS)
            view.hidden_columns.update(range(int(attributes["min"]) - 1, last))
    percent = _percent_styles(archive, file_name)
    if percent and any(f's="{i}"'.encode() in xml for i in percent):
        for match in _CELL_TAG.finditer(xml):
            attributes = _attributes(match.group(1))
            if attributes.get("s") in percent and attributes.get("r"):
                row = re.search(r"\d+", attributes["r"])
                if row is not None:
                    view.percent_cells.add((int(row.group()) - 1, _cell_column(attributes["r"], 0)))
    return view


# Identical rows repeated with a percentage in them are a formatting accident past a few hundred; the
# cap keeps the set of percent cells small whatever the file declares.
MAX_REPEATED_PERCENT_ROWS = 1_000


def _ods_view(data: bytes, sheet_name: str, file_name: str) -> SheetView:
    """Hidden (collapsed or filtered) rows and columns and percentage cells of one ODS table,
    streamed from content.xml; repeats are counted, and expanded only up to the sheet's caps."""
    view = SheetView()
    archive = zipfile.ZipFile(io.BytesIO(data))
    in_table = False
    nested = 0                      # tables inside a cell of this one are not this sheet
    column = 0                      # next column declared by <table:table-column>
    rows = range(0)                 # the sheet rows the current <table:table-row> stands for
    cell = 0                        # next cell of the current row
    try:
        with archive.open("content.xml") as raw:
            for event, element in safe_iterparse(raw, events=("start", "end")):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "table":
                    if not in_table:
                        in_table = event == "start" and _ods_attribute(element, "name") == sheet_name
                    elif event == "start":
                        nested += 1
                    elif nested:
                        nested -= 1
                    else:
                        break
                    continue
                if not in_table or nested:
                    continue
                if event == "end":
                    if tag == "table-row":
                        element.clear()
                    continue
                hidden = _ods_attribute(element, "visibility") in ("collapse", "filter")
                if tag == "table-column":
                    repeat = _ods_repeat(element, "number-columns-repeated")
                    if hidden:
                        view.hidden_columns.update(range(column, min(column + repeat, MAX_COLUMNS)))
                    column += repeat
                elif tag == "table-row":
                    start = rows.stop
                    rows = range(start, start + _ods_repeat(element, "number-rows-repeated"))
                    cell = 0
                    if hidden:
                        view.hidden_rows.update(range(start, min(rows.stop, MAX_SHEET_ROWS)))
                elif tag in ("table-cell", "covered-table-cell"):
                    repeat = _ods_repeat(element, "number-columns-repeated")
                    if _ods_attribute(element, "value-type") == "percentage":
                        view.percent_cells.update(
                            (r, c) for r in range(rows.start, min(rows.stop, rows.start + MAX_REPEATED_PERCENT_ROWS))
                            for c in range(cell, min(cell + repeat, MAX_COLUMNS)))
                    cell += repeat
    except DefusedXmlException as exc:
        raise UnreadableFile(f"文件“{file_name}”含有不安全的 XML 实体定义，已拒绝。{SAVE_AS_HINT}") from exc
    except (KeyError, *DAMAGED_ZIP, MALFORMED_XML) as exc:
        raise UnreadableFile(_damaged_message(file_name, exc)) from exc
    return view


def _ods_attribute(element, name: str) -> str | None:
    return next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == name), None)


def _ods_repeat(element, name: str) -> int:
    count = _ods_attribute(element, name) or "1"
    return int(count) if count.isdigit() and int(count) > 0 else 1


def _damaged_message(file_name: str, exc: BaseException) -> str:
    return f"文件“{file_name}”已损坏或格式不正确，无法读取（{type(exc).__name__}）。{SAVE_AS_HINT}"


# Two searches, each starting with a literal, rather than one alternation whose `\b` branch was tried
# at every byte: on a sheet of megabytes that scan cost as much as calamine's whole read. (Without
# the `\b` the error search may also hit an attribute ending in "t"; that only costs the full parse.)
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_ERROR_VALUE = re.compile(rb"t=[\"']e[\"']")


def _xlsx_cell_issues(data: bytes, sheet_name: str, file_name: str) -> dict[tuple[int, int], CellIssue]:
    """Cells calamine reads as empty that are error values or formulas never calculated.

    calamine returns "" for both, which would silently read as "no figure"; so the sheet's XML
    is scanned for them, but only when it holds a formula or an error at all.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    part = _sheet_part(archive, sheet_name, file_name)
    if part is None:
        return {}
    with archive.open(part) as raw:
        xml = raw.read()
    if not (_FORMULA.search(xml) or _ERROR_VALUE.search(xml)):
        return {}
    del xml  # the parse below streams the part again rather than hold a second copy
    issues: dict[tuple[int, int], CellIssue] = {}
    row_index, col_index = -1, -1
    try:
        with archive.open(part) as raw:
            for event, element in safe_iterparse(raw, events=("start", "end")):
                tag = element.tag.rsplit("}", 1)[-1]
                if event == "start" and tag == "row":
                    row_index = int(element.get("r")) - 1 if element.get("r") else row_index + 1
                    col_index = -1
                elif event == "end" and tag == "c":
                    col_index = _cell_column(element.get("r"), col_index + 1)
                    issue = _cell_issue(element)
                    if issue is not None:
                        issues[(row_index, col_index)] = issue
                elif event == "end" and tag == "row":
                    element.clear()
    except DefusedXmlException as exc:
        raise UnreadableFile(f"文件“{file_name}”含有不安全的 XML 实体定义，已拒绝。{SAVE_AS_HINT}") from exc
    except Exception as exc:
        raise UnreadableFile(_damaged_message(file_name, exc)) from exc
    return issues


def _cell_column(reference: str | None, fallback: int) -> int:
    if not reference:
        return fallback
    index = 0
    for ch in reference:
        if not ch.isalpha():
            break
        index = index * 26 + (ord(ch.upper()) - ord("A") + 1)
    return index - 1


def _cell_issue(element) -> CellIssue | None:
    formula = value = None
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "f":
            formula = child
        elif tag == "v":
            value = child
    if formula is not None and (value is None or not (value.text or "").strip()):
        return CellIssue("formula_without_result", "=" + (formula.text or "（共享公式）"))
    if element.get("t") == "e" and value is not None:
        return CellIssue("excel_error", value.text or "#错误")
    return None


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str, file_name: str) -> str | None:
    """The zip entry holding the named sheet."""
    return _sheet_parts(archive, file_name).get(sheet_name)


def _sheet_parts(archive: zipfile.ZipFile, file_name: str) -> dict[str, str]:
    """Each worksheet's name → the zip entry holding it, via workbook.xml and its relationships."""
    try:
        workbook = safe_fromstring(archive.read("xl/workbook.xml"))
        rels = safe_fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    except DefusedXmlException as exc:
        raise UnreadableFile(f"文件“{file_name}”含有不安全的 XML 实体定义，已拒绝。{SAVE_AS_HINT}") from exc
    except MALFORMED_XML as exc:
        raise UnreadableFile(f"文件“{file_name}”的工作簿目录（workbook.xml）已损坏，无法读取。{SAVE_AS_HINT}") from exc
    targets = {r.get("Id"): r.get("Target") for r in rels.iter() if r.get("Id")}
    names = set(archive.namelist())
    parts = {}
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rel_id = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        target = targets.get(rel_id)
        if target is None:
            continue
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if part in names:
            parts[element.get("name") or ""] = part
    return parts


# ---- csv ------------------------------------------------------------------------------------

def _open_csv(data: bytes, file_name: str) -> Workbook:
    if data.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        raise UnreadableFile(
            f"文件“{file_name}”的扩展名是 .csv，但内容是 Excel 工作簿。请把扩展名改为 .xlsx（或 .xls）后再上传。")
    text = _decode_csv(data, file_name)
    if "\x00" in text:
        raise UnreadableFile(f"文件“{file_name}”不是文本文件（内容与扩展名 .csv 不符）。请在 Excel 中另存为 CSV 或 .xlsx 后再上传。")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count) if first_line else ","
    rows, cells = [], 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells += len(record)
            if len(record) > MAX_COLUMNS or cells > MAX_CELLS:
                raise UnreadableFile(
                    f"文件“{file_name}”第 {len(rows) + 1} 行有 {len(record):,} 列（共已读 {cells:,} 个单元格），超过上限"
                    f"（{MAX_COLUMNS} 列、{MAX_CELLS:,} 个单元格）。请确认分隔符（逗号）用得对，删除多余的列后再上传。")
            rows.append(record)
            if len(rows) > MAX_SHEET_ROWS:
                raise UnreadableFile(
                    f"文件“{file_name}”超过上限（{MAX_ROWS} 行数据，另加表头以上 {MAX_TITLE_ROWS} 行标题）。"
                    "请删除多余的行，或把数据拆成几个文件上传。")
    except csv.Error as exc:
        raise UnreadableFile(f"文件“{file_name}”不是有效的 CSV（{exc}）。请在 Excel 中另存为 .xlsx 后再上传。") from exc
    sheet = SheetData(Path(file_name).name, rows)
    return Workbook([sheet.name], lambda name: sheet)


def _decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 as Chinese Excel saves a CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        f"无法识别文件“{file_name}”的文字编码（不是 UTF-8，也不是 GBK/GB18030）。"
        "请在 Excel 中打开，另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再上传。")
