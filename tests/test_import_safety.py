"""Issue 3: hostile, oversized, encrypted or mislabelled files are refused with a clear message,
in bounded memory, before any parser trusts them."""
import hashlib
import tracemalloc

import openpyxl.xml
import pytest

from import_fixtures import EDITOR
from metrics.ingest import preview_file

REFUSALS = [
    ("safety_too_big.csv", "20 MB"),
    ("safety_zip_bomb.xlsx", "100 MB"),
    ("safety_too_many_rows.csv", "20000 行数据"),
    ("safety_too_many_rows.xlsx", "第 20031 行"),
    ("safety_encrypted.xlsx", "加密"),
    ("safety_encrypted.xls", "加密"),
    ("safety_xls_named_xlsx.xlsx", "改为 .xls"),
    ("safety_xlsx_named_xls.xls", "改为 .xlsx"),
    ("safety_xlsx_named_csv.csv", "改为 .xlsx"),
    ("safety_html_named_xls.xls", "网页"),
    ("safety_text_named_xlsx.xlsx", "不符"),
    ("safety_docx_named_xlsx.xlsx", "不是 Excel 工作簿"),
    ("safety_entity_attack.xlsx", "实体"),
    ("safety_undecodable.csv", "编码"),
    ("safety_unsupported.docx", "不支持的文件类型"),
]


@pytest.mark.parametrize("name, words", REFUSALS)
def test_unsafe_or_mislabelled_files_are_refused_as_unreadable_with_a_chinese_reason(empty_store, import_corpus,
                                                                                    name, words):
    result = preview_file(empty_store, import_corpus[name], actor=EDITOR)
    assert not result.readable and result.exit_code == 2
    message = result.errors[0].message
    assert words in message and "请" in message, message
    assert empty_store.observations().empty


@pytest.mark.parametrize("name", [n for n, _ in REFUSALS if n != "safety_too_big.csv"])
def test_refused_files_are_still_archived_byte_for_byte(empty_store, import_corpus, name):
    data = import_corpus[name].read_bytes()
    result = preview_file(empty_store, import_corpus[name], actor=EDITOR)
    assert result.archive_path.read_bytes() == data
    assert result.archive_path.name.startswith(hashlib.sha256(data).hexdigest())


def test_a_file_over_the_size_limit_is_refused_before_it_is_copied_into_the_archive(empty_store, import_corpus):
    preview_file(empty_store, import_corpus["safety_too_big.csv"], actor=EDITOR)
    uploads = empty_store.path.parent / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_zip_bomb_is_refused_from_its_declared_sizes_without_inflating_it(empty_store, import_corpus):
    tracemalloc.start()
    result = preview_file(empty_store, import_corpus["safety_zip_bomb.xlsx"], actor=EDITOR)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not result.readable
    assert peak < 20 * 1024 * 1024  # the part inflates to 101 MB; nothing near that is ever allocated


def test_openpyxl_refuses_xml_entity_attacks_because_defusedxml_is_installed():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_file_of_exactly_20000_rows_of_figures_under_a_header_is_read(empty_store, tmp_path):
    path = tmp_path / "两万行.csv"
    path.write_text("\n".join(["指标编码,期间,数值"] + ["land_cleared,2023-05,1"] * 20_000), encoding="utf-8")
    result = preview_file(empty_store, path, actor=EDITOR)
    assert result.ok and result.summary["new"] == 1
