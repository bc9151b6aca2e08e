"""The import test corpus, built in code: every layout, encoding, rule and safety limit as a file.

`build_corpus(folder)` writes every file of `CORPUS` and returns name → path. The writers
(`xlsx_bytes`, `csv_bytes`, `xls_bytes`, `ods_bytes`, `ole2_bytes`) are also used by the
property tests. Real .xls files are produced by a minimal BIFF8 writer inside a minimal OLE2
compound file, because no .xls writer is installed (xlwt is not a dependency).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

from metrics import auth
from metrics.ingest.read import MAX_SHEET_ROWS

EDITOR = auth.Actor("统计员甲", "editor")
ADMIN = auth.Actor("管理员", "admin")


# ---- writers ----------------------------------------------------------------------------------

def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    return text.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    """One workbook; a cell may be a value, None, a date, or a string starting "=" (a formula)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    sheet.cell(r, c, value)
        for ref in (merges or {}).get(name, []):
            sheet.merge_cells(ref)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_zip_part(data: bytes, part: str, change) -> bytes:
    """The same zip with one part's text passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content.decode()).encode() if info.filename == part else content)
    return out.getvalue()


_OLE_SECTOR = 512
_FREE, _END, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_MINI_CUTOFF = 4096


def ole2_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3). Streams are padded to 4096 bytes so that none
    needs the mini stream; readers take the declared size, so the padding is never read."""
    sectors: list[bytes] = []
    fat: list[int] = []
    entries = [_ole_entry("Root Entry", 5, _END, 0, child=1 if streams else _NO_STREAM)]
    for index, (name, data) in enumerate(streams.items()):
        padded = data.ljust(_MINI_CUTOFF, b"\0")
        start, count = len(sectors), -(-len(padded) // _OLE_SECTOR)
        for i in range(count):
            sectors.append(padded[i * _OLE_SECTOR:(i + 1) * _OLE_SECTOR].ljust(_OLE_SECTOR, b"\0"))
            fat.append(start + i + 1 if i < count - 1 else _END)
        right = index + 2 if index + 1 < len(streams) else _NO_STREAM
        entries.append(_ole_entry(name, 2, start, max(len(data), _MINI_CUTOFF), right=right))
    directory = b"".join(entries).ljust(-(-len(entries) * 128 // _OLE_SECTOR) * _OLE_SECTOR, b"\0")
    dir_start = len(sectors)
    dir_count = len(directory) // _OLE_SECTOR
    for i in range(dir_count):
        sectors.append(directory[i * _OLE_SECTOR:(i + 1) * _OLE_SECTOR])
        fat.append(dir_start + i + 1 if i < dir_count - 1 else _END)
    fat_count = 1
    while len(fat) + fat_count > fat_count * 128:
        fat_count += 1
    fat_start = len(sectors)
    fat += [_FAT_SECTOR] * fat_count
    fat += [_FREE] * (fat_count * 128 - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    sectors += [fat_bytes[i * _OLE_SECTOR:(i + 1) * _OLE_SECTOR] for i in range(fat_count)]
    difat = [fat_start + i for i in range(fat_count)] + [_FREE] * (109 - fat_count)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<9I", 0, fat_count, dir_start, 0, _MINI_CUTOFF, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))
    return header + b"".join(sectors)


def _ole_entry(name: str, kind: int, start: int, size: int, right: int = _NO_STREAM, child: int = _NO_STREAM) -> bytes:
    raw = (name + "\0").encode("utf-16-le")
    return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", _NO_STREAM, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))


def _biff_record(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _biff_string(text: str, length_bytes: int) -> bytes:
    return struct.pack("<B" if length_bytes == 1 else "<H", len(text)) + b"\x01" + text.encode("utf-16-le")


def _biff_bof(substream: int) -> bytes:
    return _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def xls_bytes(sheets: dict[str, list[list]], encrypted: bool = False) -> bytes:
    """A BIFF8 workbook: text cells as LABEL, numbers as NUMBER; `encrypted` adds a FILEPASS record."""
    bodies = []
    for rows in sheets.values():
        body = _biff_bof(0x0010) + _biff_record(
            0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max((len(r) for r in rows), default=0), 0))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    body += _biff_record(0x0204, struct.pack("<HHH", r, c, 15) + _biff_string(value, 2))
                else:
                    body += _biff_record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
        bodies.append(body + _biff_record(0x000A))
    globals_head = _biff_bof(0x0005)
    if encrypted:
        globals_head += _biff_record(0x002F, struct.pack("<HHH", 1, 2, 2) + b"\0" * 60)
    globals_head += _biff_record(0x0042, struct.pack("<H", 1200))
    sheet_records_size = sum(len(_biff_record(0x0085, b"\0" * 6 + _biff_string(n, 1))) for n in sheets)
    offset = len(globals_head) + sheet_records_size + len(_biff_record(0x000A))
    sheet_records = b""
    for name, body in zip(sheets, bodies):
        sheet_records += _biff_record(0x0085, struct.pack("<IBB", offset, 0, 0) + _biff_string(name, 1))
        offset += len(body)
    return ole2_bytes({"Workbook": globals_head + sheet_records + _biff_record(0x000A) + b"".join(bodies)})


class OdsPercent(float):
    """A cell stored as an ODS percentage: its value 0.679 shows as 67.9%."""


def ods_bytes(sheets: dict[str, list[list]], hidden_rows: dict[str, set[int]] | None = None,
              hidden_columns: dict[str, set[int]] | None = None, hidden_sheets: frozenset[str] = frozenset()) -> bytes:
    """A minimal OpenDocument spreadsheet (no merge information, as ODS gives calamine none).
    `hidden_rows`/`hidden_columns`: 0-based, per sheet, collapsed as LibreOffice hides them;
    `hidden_sheets` get a table style that does not display them."""
    tables = []
    for name, rows in sheets.items():
        hidden = (hidden_rows or {}).get(name, set())
        width = max((len(row) for row in rows), default=0)
        collapsed = (hidden_columns or {}).get(name, set())
        cells_xml = ["".join('<table:table-column table:visibility="collapse"/>' if c in collapsed
                             else "<table:table-column/>" for c in range(width))]
        for r, row in enumerate(rows):
            cells = []
            for value in row:
                if value is None or value == "":
                    cells.append("<table:table-cell/>")
                elif isinstance(value, OdsPercent):
                    cells.append(f'<table:table-cell office:value-type="percentage" office:value="{float(value)!r}">'
                                 f"<text:p>{value * 100:g}%</text:p></table:table-cell>")
                elif isinstance(value, str):
                    cells.append(f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>')
                else:
                    cells.append(f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                                 f"<text:p>{value}</text:p></table:table-cell>")
            visibility = ' table:visibility="collapse"' if r in hidden else ""
            cells_xml.append(f"<table:table-row{visibility}>" + "".join(cells) + "</table:table-row>")
        style = ' table:style-name="hidden"' if name in hidden_sheets else ""
        tables.append(f'<table:table table:name="{escape(name)}"{style}>' + "".join(cells_xml) + "</table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2">'
               '<office:automatic-styles><style:style style:name="hidden" style:family="table">'
               '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
               "<office:body><office:spreadsheet>" + "".join(tables)
               + "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# ---- the corpus ---------------------------------------------------------------------------------

LONG_ROWS = [["指标编码", "期间", "数值"],
             ["land_cleared", "2023-05", 120],
             ["hightech_new", "2023-05", 2],
             ["tax_per_mu", "2023-05", 8.3]]
LONG_BY_NAME = [["指标名称", "期间", "本月值", "单位", "备注"],
                ["低效用地清理面积", "2023-05", "120", "亩", "东区收回"],
                ["新认定国家高新技术企业", "2023-05", "2", "家", ""],
                ["亩均税收", "2023-05", "8.3", "万元/亩", "县税务局报数"]]
MONTHLY_REPORT = [
    ["XX经济开发区2023年1-4月主要经济指标完成情况"],
    ["", "", "", "", "", "单位：万元"],
    ["指标名称", "单位", "4月", "", "1-4月累计", ""],
    ["", "", "绝对值", "同比增长(%)", "绝对值", "同比增长(%)"],
    ["一、经济发展", "", "", "", "", ""],
    ["规上工业开票销售", "亿元", 25.3, "—", 95.1, ""],
    ["  其中：理士电池", "亿元", 5.1, "", 20.2, ""],
    ["有效投资", "", 25000, "", 90000, ""],
    ["亩均税收", "万元/亩", 8.4, "", "", ""],
    ["新认定国家高新技术企业", "家", 3, "", 9, ""],
    ["合计", "", 999, "", 999, ""],
    ["注：1.数据来源：县税务局、县统计局。2.有效投资按万元填报。"],
]
MONTHLY_REPORT_MERGES = ["A1:F1", "A3:A4", "B3:B4", "C3:D3", "E3:F3"]


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _big_csv(rows: int) -> bytes:
    lines = ["指标编码,期间,数值"] + ["land_cleared,2023-05,1"] * rows
    return ("\r\n".join(lines) + "\r\n").encode()


def _zip_bomb() -> bytes:
    """A real xlsx whose one extra part inflates to 101 MB of zeros (about 100 KB on disk)."""
    buffer = io.BytesIO(xlsx_bytes({"数据": LONG_ROWS}))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(101):
                part.write(chunk)
    return buffer.getvalue()


def _entity_attack() -> bytes:
    bomb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n')
    return rewrite_zip_part(xlsx_bytes({"数据": LONG_ROWS}), "xl/worksheets/sheet1.xml",
                            lambda xml: bomb + xml.split("?>", 1)[1] if xml.startswith("<?xml") else bomb + xml)


def _one_row_past_the_limit() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据"
    for row in LONG_ROWS:
        sheet.append(row)
    sheet.cell(MAX_SHEET_ROWS + 1, 1, "多余的一行")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CORPUS = {
    # ---- layouts and formats
    "long_codes.csv": lambda: csv_bytes(LONG_ROWS),
    "long_names_bom.csv": lambda: csv_bytes(LONG_BY_NAME, "utf-8-sig"),
    "long_names_gbk.csv": lambda: csv_bytes(LONG_BY_NAME, "gbk"),
    "long_names_gb18030.csv": lambda: csv_bytes(
        [row[:4] + ["吉𠮷祥"] if i else row for i, row in enumerate(LONG_BY_NAME)], "gb18030"),
    "long_english_any_order.xlsx": lambda: xlsx_bytes({"data": [
        ["note", "value", "unit", "period", "entity", "indicator"],
        ["", 120, "亩", "2023-05", "XX经济开发区", "land_cleared"],
        ["签约", 3, "个", "2023-05", "", "projects_signed_100m"]]}),
    "long_title_rows.xlsx": lambda: xlsx_bytes({"五月": [
        ["XX经济开发区 2023年5月 指标填报"], ["填报单位：经发局", "", "填报日期：2023-06-05"], [],
        *LONG_ROWS]}),
    "long.xls": lambda: xls_bytes({"数据": LONG_BY_NAME}),
    "wide_months.xlsx": lambda: xlsx_bytes({"各月": [
        ["2023年各月主要指标"],
        ["指标名称", "单位", "2023年1月", "2023-02", "202303", dt.datetime(2023, 4, 1), "2023年5月份"],
        ["低效用地清理面积", "亩", 100, 110, "-", 130, ""],
        ["实际到账外资", "美元", 1_000_000, 2_500_000, 0, "—", "/"]]}),
    "wide_spring_festival.xlsx": lambda: xlsx_bytes({"数据": [
        ["指标名称", "2023年1-2月", "2023年3月"],
        ["规上工业开票销售", 40.2, 24.5]]}),
    "wide_two_row_unmerged.ods": lambda: ods_bytes({"四月": [
        ["指标名称", "单位", "2023年4月", ""],
        ["", "", "本月", "累计"],
        ["有效投资", "亿元", 2.5, 9.0]]}),
    "monthly_report.xlsx": lambda: xlsx_bytes({"4月": MONTHLY_REPORT}, {"4月": MONTHLY_REPORT_MERGES}),
    "monthly_report_period_in_sheet_name.xlsx": lambda: xlsx_bytes({"2023年3月": [
        ["指标", "单位", "本月", "本年累计", "同比增长(%)"],
        ["低效用地清理面积", "亩", 150, "", ""],
        ["新获批土地面积", "公顷", 10, "", ""]]}),
    "monthly_report_second_sheet.xlsx": lambda: xlsx_bytes({
        "说明": [["本表为四月报送数据，见下一页"]],
        "报表": [["2023年4月"], ["指标名称", "本月值"], ["低效用地清理面积", 88]],
        "备用": [["2023年4月"], ["指标名称", "本月值"], ["低效用地清理面积", 99]]}),
    "monthly_report_spring_festival.xlsx": lambda: xlsx_bytes({"1-2月": [
        ["XX经济开发区2023年1-2月主要指标"], ["指标名称", "单位", "1-2月累计", "同比增长(%)"],
        ["规上工业开票销售", "亿元", 40.2, ""], ["低效用地清理面积", "亩", 210, ""]]}),
    "ytd_only_long.csv": lambda: csv_bytes([
        ["指标编码", "期间", "累计值"], ["land_cleared", "2023-01", 100], ["land_cleared", "2023-02", 250],
        ["land_cleared", "2023-03", 300], ["hightech_new", "2023-01", 5]]),
    "ytd_from_database.csv": lambda: csv_bytes([["指标编码", "期间", "累计值"], ["land_cleared", "2023-05", "2000"]]),
    "units_in_header.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值（万元）"], ["invoice_sales", "2023-05", "253000"], ["effective_investment", "2023-05", "25,000"]]),
    "units_in_column.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值", "单位"],
        ["invoice_sales", "2023-05", "2530000000", "元"], ["effective_investment", "2023-05", "2.5", "亿元"],
        ["land_approved", "2023-05", "12", "公顷"], ["foreign_capital", "2023-05", "1500000", "美元"],
        ["tax_per_mu", "2023-05", "83000", "元/亩"], ["county_sales_share", "2023-05", "68.3%", "%"]]),
    "number_styles.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-01", "１２０"], ["land_cleared", "2023-02", " 1,234.5 "],
        ["land_cleared", "2023-03", "１，２３４"], ["invoice_sales", "2023-03", "+25.30"], ["land_approved", "2023-03", "1.5e2"]]),
    "period_styles.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-01", 1], ["land_cleared", "2023/02", 2],
        ["land_cleared", "2023.03", 3], ["land_cleared", "202304", 4], ["land_cleared", "2023年5月", 5],
        ["land_cleared", "2023年06月份", 6], ["land_cleared", "2023/7/31", 7], ["land_cleared", "２０２３－０８", 8]]),
    "period_date_cells.xlsx": lambda: xlsx_bytes({"数据": [
        ["指标编码", "期间", "数值"], ["land_cleared", dt.date(2023, 1, 1), 1], ["land_cleared", dt.datetime(2023, 2, 28), 2]]}),
    "blanks_are_no_figure.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-01", ""], ["land_cleared", "2023-02", "-"],
        ["land_cleared", "2023-03", "—"], ["land_cleared", "2023-04", "/"], ["land_cleared", "2023-05", "  "],
        ["land_cleared", "2023-06", "－"], ["land_cleared", "2023-07", "7"]]),
    # ---- errors
    "err_unknown_indicator.csv": lambda: csv_bytes([["指标名称", "期间", "数值"], ["低效用地清理面职", "2023-05", 1]]),
    "err_not_a_number.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-01", "约30"], ["land_cleared", "2023-02", "NaN"],
        ["land_cleared", "2023-03", "inf"], ["land_cleared", "2023-04", "٣٠"], ["land_cleared", "2023-05", "1,23"]]),
    "err_excel_error_cell.xlsx": lambda: xlsx_bytes({"数据": [
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "#DIV/0!"], ["hightech_new", "2023-05", "#N/A"]]}),
    "err_excel_error_text.csv": lambda: csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "#DIV/0!"]]),
    "err_formula_without_result.xlsx": lambda: xlsx_bytes({"数据": [
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "=SUM(100,20)"], ["hightech_new", "2023-05", 2]]}),
    "err_period_malformed.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-13", 1], ["land_cleared", "五月", 2], ["land_cleared", "2023.1", 3]]),
    "err_period_future.csv": lambda: csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2099-01", 1]]),
    "err_duplicate.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 120], ["hightech_new", "2023-05", 2],
        ["land_cleared", "2023-05", 130]]),
    "err_negative.csv": lambda: csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "−5"]]),
    "err_count_fraction.csv": lambda: csv_bytes([["指标编码", "期间", "数值"], ["hightech_new", "2023-05", "2.5"]]),
    "err_derived.csv": lambda: csv_bytes([["指标编码", "期间", "数值"], ["debt_short_share", "2023-05", "42.1"]]),
    "err_incompatible_unit.csv": lambda: csv_bytes([
        ["指标编码", "期间", "数值", "单位"], ["land_cleared", "2023-05", "120", "万元"]]),
    "err_percent_sign.csv": lambda: csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "12%"]]),
    "err_ytd_gap.csv": lambda: csv_bytes([["指标编码", "期间", "累计值"], ["land_cleared", "2023-04", 400]]),
    "err_no_header.xlsx": lambda: xlsx_bytes({"随便": [["甲", "乙"], [1, 2]]}),
    "err_many.xlsx": lambda: xlsx_bytes({"数据": [
        ["XX经济开发区 2023年5月"], ["指标名称", "期间", "数值"],
        ["低效用地清理面积", "2023-05", "约30"], ["隐患整改率", "2023-05", 91.2], ["新认定国家高新技术企业", "2023-05", 1.5],
        ["有效投资", "2023-13", 3], ["不存在的指标", "2023-05", 1], ["实际到账外资", "2023-05", "12%"]]}),
    # ---- warnings
    "warn_jump.csv": lambda: csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-01", 100], ["land_cleared", "2023-02", 1500]]),
    "err_unknown_entity.csv": lambda: csv_bytes([["指标编码", "期间", "数值", "主体"], ["land_cleared", "2023-05", 55, "XX经开区"]]),
    "warn_ytd_disagrees_with_month.csv": lambda: csv_bytes([
        ["指标编码", "期间", "本月值", "累计值"], ["land_cleared", "2023-01", 100, 100], ["land_cleared", "2023-02", 50, 400]]),
    "warn_yoy_mismatch.xlsx": lambda: xlsx_bytes({"2023年4月": [
        ["指标名称", "本月", "同比增长(%)"], ["低效用地清理面积", 200, 999.0]]}),
    # ---- safety
    "safety_too_big.csv": lambda: b"a" * (20 * 1024 * 1024 + 1),
    "safety_zip_bomb.xlsx": _zip_bomb,
    "safety_too_many_rows.csv": lambda: _big_csv(MAX_SHEET_ROWS),
    "safety_too_many_rows.xlsx": _one_row_past_the_limit,
    "safety_encrypted.xlsx": lambda: ole2_bytes({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 200,
                                                 "EncryptedPackage": b"\0" * 5000}),
    "safety_encrypted.xls": lambda: xls_bytes({"数据": LONG_ROWS}, encrypted=True),
    "safety_xls_named_xlsx.xlsx": lambda: xls_bytes({"数据": LONG_ROWS}),
    "safety_xlsx_named_xls.xls": lambda: xlsx_bytes({"数据": LONG_ROWS}),
    "safety_xlsx_named_csv.csv": lambda: xlsx_bytes({"数据": LONG_ROWS}),
    "safety_html_named_xls.xls": lambda: "<html><body><table><tr><td>指标</td></tr></table></body></html>".encode(),
    "safety_text_named_xlsx.xlsx": lambda: csv_bytes(LONG_ROWS),
    "safety_docx_named_xlsx.xlsx": lambda: _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
    "safety_entity_attack.xlsx": _entity_attack,
    "safety_undecodable.csv": lambda: b"\x80\xff" * 8 + b"\n",
    "safety_unsupported.docx": lambda: b"PK\x03\x04not really",
}


def build_corpus(folder: Path) -> dict[str, Path]:
    paths = {}
    for name, build in CORPUS.items():
        path = folder / name
        path.write_bytes(build())
        paths[name] = path
    return paths
