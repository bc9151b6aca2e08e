"""Issue 3: the shapes staff's files come in (long, wide, the template, the 统计月报), in every format."""
import io

import openpyxl
import pytest

from import_fixtures import ADMIN, EDITOR, xlsx_bytes
from metrics import catalog
from metrics.ingest import import_file, parse_period, preview_file, write_template

ZONE = catalog.ZONE


def figures(result) -> dict[tuple[str, str, str], tuple[float, int]]:
    """(code, entity, period) → (value, months) of what the import would store."""
    return {(r.indicator_code, r.entity, r.period): (r.value, r.months) for r in result.preview.itertuples()}


def test_long_table_with_indicator_codes_imports_one_figure_per_row(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["long_codes.csv"], actor=EDITOR)
    assert result.ok and result.layout == "long"
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): (120, 1), ("hightech_new", ZONE, "2023-05"): (2, 1),
                               ("tax_per_mu", ZONE, "2023-05"): (8.3, 1)}


@pytest.mark.parametrize("name", ["long_names_bom.csv", "long_names_gbk.csv", "long_names_gb18030.csv", "long.xls"])
def test_long_table_by_chinese_name_reads_the_same_in_every_encoding_and_format(empty_store, import_corpus, name):
    result = preview_file(empty_store, import_corpus[name], actor=EDITOR)
    assert result.ok, [p.line() for p in result.problems]
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): (120, 1), ("hightech_new", ZONE, "2023-05"): (2, 1),
                               ("tax_per_mu", ZONE, "2023-05"): (8.3, 1)}


def test_a_gb18030_only_character_survives_into_the_stored_note(empty_store, import_corpus):
    import_file(empty_store, import_corpus["long_names_gb18030.csv"], actor=EDITOR)
    history = empty_store.history("land_cleared", ZONE)
    assert history["note"].iloc[0] == "吉𠮷祥"


def test_english_headers_in_any_order_are_recognised_and_a_blank_entity_means_the_zone(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["long_english_any_order.xlsx"], actor=EDITOR)
    assert result.ok
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): (120, 1),
                               ("projects_signed_100m", ZONE, "2023-05"): (3, 1)}


def test_title_rows_above_the_header_are_not_read_as_data(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["long_title_rows.xlsx"], actor=EDITOR)
    assert result.ok and result.header_row == 3
    assert set(result.preview["row"]) == {5, 6, 7}


def test_wide_table_reads_one_column_per_month_whatever_the_period_style(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["wide_months.xlsx"], actor=EDITOR)
    assert result.ok and result.layout == "wide"
    assert figures(result) == {
        ("land_cleared", ZONE, "2023-01"): (100, 1), ("land_cleared", ZONE, "2023-02"): (110, 1),
        ("land_cleared", ZONE, "2023-04"): (130, 1),
        ("foreign_capital", ZONE, "2023-01"): (100, 1), ("foreign_capital", ZONE, "2023-02"): (250, 1),
        ("foreign_capital", ZONE, "2023-03"): (0, 1)}


def test_two_row_header_without_merge_information_carries_the_group_label_across(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["wide_two_row_unmerged.ods"], actor=EDITOR)
    assert result.ok and result.header_row == 1
    assert figures(result) == {("effective_investment", ZONE, "2023-04"): (2.5, 1)}


def test_monthly_report_with_merged_headers_unit_line_sub_rows_totals_and_footnotes(empty_store, import_corpus):
    empty_store.add_entity("理士电池", "enterprise", by=ADMIN)
    result = preview_file(empty_store, import_corpus["monthly_report.xlsx"], actor=EDITOR)
    assert result.ok and result.layout == "monthly_report"
    assert figures(result) == {
        ("invoice_sales", ZONE, "2023-04"): (25.3, 1),
        ("invoice_sales", "理士电池", "2023-04"): (5.1, 1),       # the 其中 sub-row
        ("effective_investment", ZONE, "2023-04"): (2.5, 1),     # 25000 under the 单位：万元 line
        ("tax_per_mu", ZONE, "2023-04"): (8.4, 1),
        ("hightech_new", ZONE, "2023-04"): (3, 1)}
    assert 999 not in set(result.preview["value"])               # the 合计 row


def test_a_sub_row_naming_no_entity_is_a_breakdown_skipped_with_a_warning_not_a_new_enterprise(empty_store,
                                                                                               import_corpus):
    result = preview_file(empty_store, import_corpus["monthly_report.xlsx"], actor=EDITOR)
    assert result.ok, [p.line() for p in result.errors]
    assert [w for w in result.warnings if "理士电池" in w.message and w.row == 7]
    assert {entity for _, entity, _ in figures(result)} == {ZONE}
    assert list(empty_store.entities()["name"]) == [ZONE]


def test_a_sub_row_naming_a_held_entity_is_that_entitys_figure(empty_store, import_corpus):
    empty_store.add_entity("理士电池", "enterprise", by=ADMIN)
    result = preview_file(empty_store, import_corpus["monthly_report.xlsx"], actor=EDITOR)
    assert result.ok, [p.line() for p in result.errors]
    assert figures(result)[("invoice_sales", "理士电池", "2023-04")] == (5.1, 1)


def test_monthly_report_takes_its_month_from_the_sheet_name_and_converts_hectares(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["monthly_report_period_in_sheet_name.xlsx"], actor=EDITOR)
    assert result.ok
    assert figures(result) == {("land_cleared", ZONE, "2023-03"): (150, 1), ("land_approved", ZONE, "2023-03"): (150, 1)}


def test_every_sheet_is_read_so_two_sheets_disagreeing_is_an_error_and_the_sheet_option_chooses_one(
        empty_store, import_corpus):
    path = import_corpus["monthly_report_second_sheet.xlsx"]
    both = preview_file(empty_store, path, actor=EDITOR)
    chosen = preview_file(empty_store, path, actor=EDITOR, sheet="备用")
    assert not both.ok and [e for e in both.errors if e.sheet == "备用" and "报表" in e.message]
    assert [w for w in both.warnings if "说明" in w.message and "跳过" in w.message]
    assert chosen.sheet.name == "备用" and figures(chosen) == {("land_cleared", ZONE, "2023-04"): (99, 1)}


def test_a_sheet_that_does_not_exist_is_a_bad_argument_naming_the_sheets_there_are(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["monthly_report_second_sheet.xlsx"], actor=EDITOR, sheet="五月")
    assert not result.readable and result.exit_code == 2
    assert "五月" in result.errors[0].message and "报表" in result.errors[0].message


def test_a_file_without_a_recognisable_header_is_rejected_naming_the_headers_expected(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["err_no_header.xlsx"], actor=EDITOR)
    assert result.exit_code == 1
    assert "指标名称" in result.errors[0].message and "本月值" in result.errors[0].message


def test_template_lists_every_uploadable_indicator_with_its_unit_and_last_months_figure(demo_store):
    book = openpyxl.load_workbook(io.BytesIO(write_template(demo_store, parse_period("2023-05"))))
    sheet = book["月度填报"]
    header = [c.value for c in sheet[3]]
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=4, values_only=True)}
    uploadable = {c for c, i in catalog.indicators().items() if i.kind != "derived"}
    assert set(rows) == uploadable
    april = demo_store.observations(entity=ZONE)
    april = april[april.period == "2023-04"].set_index("indicator_code")["value"]
    for code, row in rows.items():
        assert row["单位"] == catalog.indicator(code).unit and row["期间"] == "2023-05"
        assert row["上月值（参考，不导入）"] == pytest.approx(april[code])


def test_a_filled_in_template_imports_as_the_template_layout_and_its_guide_column_is_ignored(demo_store):
    book = openpyxl.load_workbook(io.BytesIO(write_template(demo_store, parse_period("2023-05"))))
    sheet = book["月度填报"]
    header = [c.value for c in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value == "land_cleared":
            row[header.index("本月值")].value = 230
        if row[0].value == "debt_short_term":
            row[header.index("本月值")].value = 12.7
    buffer = io.BytesIO()
    book.save(buffer)
    result = preview_file(demo_store, buffer.getvalue(), "五月填报.xlsx", actor=EDITOR)
    assert result.ok and result.layout == "template"
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): (230, 1), ("debt_short_term", ZONE, "2023-05"): (12.7, 1)}


def test_an_unrecognised_column_is_ignored_with_a_warning_naming_it(empty_store):
    data = xlsx_bytes({"数据": [["指标编码", "期间", "数值", "负责科室"], ["land_cleared", "2023-05", 120, "规划科"]]})
    result = preview_file(empty_store, data, "科室.xlsx", actor=EDITOR)
    assert result.ok
    assert [w for w in result.warnings if w.column.startswith("D") and "无法识别" in w.message]
