"""Hostile files: a cell at XFD1048576, a sheet that declares the whole grid, an .xls whose
dimensions ask for hundreds of gigabytes, a zip whose headers lie, a broken workbook.xml, a
one-line CSV of millions of columns, a template bomb. Each is refused with a Chinese message that
names what is wrong, in bounded memory, and this process (which plays the server) lives on."""
import io
import re
import resource
import struct
import zipfile

import openpyxl
import pytest

from import_fixtures import xls_bytes, xlsx_bytes
from metrics import auth
from metrics.export.deck import TemplateError, open_template
from metrics.ingest import preview_file, read, worker

EDITOR = auth.Actor("统计员", "editor")
HEADER = ["指标编码", "期间", "数值"]
ROWS = [HEADER, ["land_cleared", "2023-04", 5]]


def far_corner_xlsx(cell: str) -> bytes:
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    book.active[cell] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def declared_dimension_xlsx(reference: str) -> bytes:
    return rewrite_part(xlsx_bytes({"数据": ROWS}), "xl/worksheets/sheet1.xml",
                        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{reference}"/>'.encode(), xml))


def rewrite_part(data: bytes, name: str, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def lying_sizes_xlsx() -> bytes:
    """Every entry's local header and central directory claim 10 bytes inflated, whatever it holds."""
    data = bytearray(xlsx_bytes({"数据": ROWS}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            struct.pack_into("<I", data, start + offset, 10)
            start += 4
    return bytes(data)


def huge_dimensions_xls() -> bytes:
    data = bytearray(xls_bytes({"数据": ROWS}))
    dimensions = data.find(b"\x00\x02\x0e\x00")
    struct.pack_into("<IIHH", data, dimensions + 4, 0, 1_048_576, 0, 16_384)
    return bytes(data)


HOSTILE = {
    "corner.xlsx": (lambda: far_corner_xlsx("XFD1048576"), "XFD1048576"),
    "corner_row_20000.xlsx": (lambda: far_corner_xlsx("XFD20000"), "超过上限"),
    "declared_grid.xlsx": (lambda: declared_dimension_xlsx("A1:XFD1048576"), "XFD1048576"),
    "dimensions.xls": (huge_dimensions_xls, "内存上限"),
    "lying_sizes.xlsx": (lying_sizes_xlsx, "已损坏"),
    "broken_workbook_xml.xlsx": (lambda: rewrite_part(xlsx_bytes({"数据": ROWS}), "xl/workbook.xml",
                                                      lambda xml: xml[: len(xml) // 2]), "已损坏"),
    "one_line.csv": (lambda: ("1," * 9_000_000).encode(), "列"),
}


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_in_chinese_in_bounded_memory_and_the_server_lives_on(empty_store, name):
    build, expected = HOSTILE[name]
    data = build()
    before = peak_memory_mb()
    result = preview_file(empty_store, data, name, actor=EDITOR)
    assert not result.ok and not result.readable, result.problems
    message = result.errors[0].message
    assert expected in message and name in message, message
    assert "Traceback" not in message and "Error" not in message.replace("CalamineError", "")
    assert peak_memory_mb() - before < 300  # the work, and its failure, stayed in the worker
    assert empty_store.batches().empty


def test_the_caps_are_checked_before_calamine_reads_the_sheet(empty_store):
    data = far_corner_xlsx("XFD1048576")
    with pytest.raises(read.UnreadableFile, match="第 1048576 行、第 16384 列"):
        read._check_extent(zipfile.ZipFile(io.BytesIO(data)), "xl/worksheets/sheet1.xml", "Sheet", "corner.xlsx")


def test_a_parse_over_the_time_limit_is_stopped_and_explained(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx_bytes({"数据": [[*HEADER, "主体"]] + [["land_cleared", "2023-04", i, f"第{i}开发区"]
                                                              for i in range(2_000)]}))
    import datetime as dt
    parsed = worker.parse_in_worker(path, "big.xlsx", None, dt.date.today(), seconds=0.001)
    assert not parsed.readable and "0 秒的时间上限" in parsed.problems[0].message
    again = worker.parse_in_worker(path, "big.xlsx", None, dt.date.today())
    assert again.readable and len(again.readings) == 2_000  # the next upload is served as usual


def test_a_parse_over_the_memory_limit_is_stopped_and_explained(tmp_path):
    path = tmp_path / "wide.csv"  # 20,000 rows of 50 cells: some 60 MB of text objects once read
    path.write_text("\n".join(",".join(f"格{r}-{c}" for c in range(50)) for r in range(20_000)), encoding="utf-8")
    import datetime as dt
    parsed = worker.parse_in_worker(path, "wide.csv", None, dt.date.today(), memory_mb=16)
    assert not parsed.readable and "16 MB 的内存上限" in parsed.problems[0].message


# The parse server, stopped at the moment its socket's name appears (which is what a caller waits
# for): a connection made then must be accepted, not refused. Twenty imports started at once met
# that window when the server listened only after the rename.
CONNECT_AS_THE_NAME_APPEARS = """
import os, socket, sys
from metrics.ingest import worker
rename = os.rename
def rename_then_connect(source, target):
    rename(source, target)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as caller:
        try:
            caller.connect(target)
            print("accepted")
        except ConnectionRefusedError:
            print("refused")
    sys.stdout.flush()
    os._exit(0)
os.rename = rename_then_connect
worker.serve(sys.argv[1], os.getppid())
"""


def test_the_parse_server_accepts_connections_as_soon_as_its_name_appears(tmp_path):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", CONNECT_AS_THE_NAME_APPEARS, str(tmp_path / "parse.sock")],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "accepted", done.stderr


def pptx_bomb() -> bytes:
    """A small .pptx whose slide XML inflates past the template limits."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("ppt/slides/slide1.xml", "<p:sld>" + " " * 200_000_000 + "</p:sld>")
    return buffer.getvalue()


def test_a_template_bomb_is_refused_before_python_pptx_reads_it():
    data = pptx_bomb()
    assert len(data) < 1_000_000
    before = peak_memory_mb()
    with pytest.raises(TemplateError, match="安全上限"):
        open_template(data)
    assert peak_memory_mb() - before < 100


def test_a_template_with_a_dtd_is_refused():
    data = rewrite_part(pptx_bytes_of_default(), "[Content_Types].xml",
                        lambda xml: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml.split(b"?>", 1)[1])
    with pytest.raises(TemplateError, match="DTD"):
        open_template(data)


def pptx_bytes_of_default() -> bytes:
    from metrics.export.deck import DEFAULT_TEMPLATE
    return DEFAULT_TEMPLATE.read_bytes()
