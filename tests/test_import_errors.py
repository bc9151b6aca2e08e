"""Issue 3: every error names the sheet, Excel row, column and value in Chinese, with the fix;
one error rejects the whole file; warnings let it through after confirmation."""
import io
from decimal import Decimal

import openpyxl
import pytest

from import_fixtures import ADMIN, EDITOR, csv_bytes, xlsx_bytes
from metrics import catalog
from metrics.ingest import PeriodLocked, errors_workbook, import_file, preview_file

ZONE = catalog.ZONE


def only_error(result):
    assert not result.ok and result.readable, [p.line() for p in result.problems]
    assert len(result.errors) == 1, [p.line() for p in result.errors]
    return result.errors[0]


@pytest.mark.parametrize("name, row, column, value, words", [
    ("err_unknown_indicator.csv", 2, "A（指标名称）", "低效用地清理面职", ["没有这个指标", "低效用地清理面积", "land_cleared"]),
    ("err_excel_error_text.csv", 2, "C（数值）", "#DIV/0!", ["错误值", "修正公式"]),
    ("err_period_future.csv", 2, "B（期间）", "2099-01", ["还没有到"]),
    ("err_negative.csv", 2, "C（数值）", "−5", ["不能为负数", "-5"]),
    ("err_count_fraction.csv", 2, "C（数值）", "2.5", ["整数"]),
    ("err_derived.csv", 2, "C（数值）", "42.1", ["派生指标", "短期贷款余额"]),
    ("err_incompatible_unit.csv", 2, "D（单位）", "万元", ["无法换算", "亩"]),
    ("err_percent_sign.csv", 2, "C（数值）", "12%", ["百分号"]),
    ("err_ytd_gap.csv", 2, "C（累计值）", "400", ["缺少 2023年3月"]),
])
def test_each_rule_reports_sheet_row_column_value_and_a_fix(empty_store, import_corpus, name, row, column, value, words):
    error = only_error(preview_file(empty_store, import_corpus[name], actor=EDITOR))
    assert (error.sheet, error.row, error.column, error.value) == (name, row, column, value)
    assert all(word in error.message for word in words), error.message
    assert "请" in error.message


@pytest.mark.parametrize("raw", ["约30", "NaN", "inf", "٣٠", "1,23"])
def test_a_value_that_is_not_a_number_is_an_error(empty_store, raw):
    data = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", raw]])
    error = only_error(preview_file(empty_store, data, "不是数.csv", actor=EDITOR))
    assert error.value == raw and error.row == 2


def test_excel_error_cells_are_errors_not_blanks(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["err_excel_error_cell.xlsx"], actor=EDITOR)
    assert [(e.row, e.column) for e in result.errors] == [(2, "C（数值）"), (3, "C（数值）")]
    assert "#DIV/0!" in result.errors[0].message and "#N/A" in result.errors[1].message


def test_a_formula_with_no_saved_result_is_an_error(empty_store, import_corpus):
    error = only_error(preview_file(empty_store, import_corpus["err_formula_without_result.xlsx"], actor=EDITOR))
    assert error.row == 2 and "=SUM(100,20)" in error.message and "没有保存计算结果" in error.message


def test_malformed_periods_are_each_reported_at_the_period_cell(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["err_period_malformed.csv"], actor=EDITOR)
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "B（期间）", "2023-13"), (3, "B（期间）", "五月"), (4, "B（期间）", "2023.1")]
    assert "歧义" in result.errors[2].message


def test_the_same_figure_twice_with_different_values_names_both_rows(empty_store, import_corpus):
    error = only_error(preview_file(empty_store, import_corpus["err_duplicate.csv"], actor=EDITOR))
    assert error.row == 4 and "第2行" in error.message and "120" in error.message and error.value == "130"


def test_the_same_figure_twice_with_the_same_value_is_not_an_error(empty_store):
    data = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 120], ["land_cleared", "2023-05", "120.0"]])
    result = preview_file(empty_store, data, "重复.csv", actor=EDITOR)
    assert result.ok and result.summary["new"] == 1


def test_every_error_in_a_file_is_collected_not_only_the_first(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["err_many.xlsx"], actor=EDITOR)
    assert [e.row for e in result.errors] == [3, 4, 5, 6, 7, 8]
    assert all(e.sheet == "数据" for e in result.errors)


def test_a_rejected_file_writes_no_figure_and_no_batch(empty_store, import_corpus):
    result = import_file(empty_store, import_corpus["err_many.xlsx"], actor=EDITOR)
    assert result.exit_code == 1 and result.batch_id is None
    assert empty_store.batches().empty and empty_store.observations().empty


def test_a_file_with_only_blanks_is_rejected_as_having_nothing_to_import(empty_store):
    data = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "-"]])
    error = only_error(preview_file(empty_store, data, "空.csv", actor=EDITOR))
    assert "没有找到任何数值" in error.message


def test_the_errors_workbook_puts_each_rows_problems_beside_it_at_the_same_row_number(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["err_many.xlsx"], actor=EDITOR)
    book = openpyxl.load_workbook(io.BytesIO(errors_workbook(result)))
    marked = book["错误标注"]
    assert marked["A2"].value == "指标名称" and marked["D2"].value == "错误说明"
    assert marked["C3"].value == "约30" and "不是数字" in marked["D3"].value
    assert "派生指标" in marked["D4"].value and marked["D1"].value is None
    listing = list(book["问题清单"].iter_rows(min_row=2, values_only=True))
    assert len(listing) == len(result.problems) and listing[0][2] == 3


def test_the_errors_workbook_keeps_formula_like_text_as_text(empty_store):
    data = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "=1+1"]])
    result = preview_file(empty_store, data, "公式.csv", actor=EDITOR)
    cell = openpyxl.load_workbook(io.BytesIO(errors_workbook(result)))["错误标注"]["C2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


# ---- warnings: accepted after confirmation ---------------------------------------------------------

def test_a_tenfold_jump_against_the_previous_month_is_a_warning_not_an_error(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["warn_jump.csv"], actor=EDITOR)
    assert result.ok and len(result.warnings) == 1
    assert result.warnings[0].row == 3 and "15.0 倍" in result.warnings[0].message


def test_an_unknown_entity_is_refused_naming_the_closest_one_and_nothing_is_created(empty_store, import_corpus):
    before = list(empty_store.entities()["name"])
    result = import_file(empty_store, import_corpus["err_unknown_entity.csv"], actor=EDITOR)
    assert not result.committed and len(result.errors) == 1
    assert "“XX经开区”" in result.errors[0].message and f"“{ZONE}”" in result.errors[0].message
    assert result.errors[0].row == 2
    assert list(empty_store.entities()["name"]) == before and empty_store.batches().empty


def test_an_alias_set_by_an_administrator_files_the_figures_under_its_entity(empty_store, import_corpus):
    empty_store.set_alias("XX经开区", ZONE, by=ADMIN)
    result = import_file(empty_store, import_corpus["err_unknown_entity.csv"], actor=EDITOR)
    assert result.committed
    held = empty_store.observations(entity=ZONE, codes=["land_cleared"]).set_index("period")
    assert float(held.loc["2023-05", "value"]) == 55


def test_a_stored_name_in_another_width_or_spacing_is_the_same_entity(empty_store):
    empty_store.add_entity("甲开发区（示例）", "zone", by=ADMIN)
    data = csv_bytes([["指标编码", "期间", "数值", "主体"], ["land_cleared", "2023-05", 7, " 甲开发区(示例) "]])
    result = import_file(empty_store, data, "甲.csv", actor=EDITOR)
    assert result.committed and list(empty_store.entities()["name"]).count("甲开发区（示例）") == 1
    assert float(empty_store.observations(entity="甲开发区（示例）", codes=["land_cleared"])["value"].iloc[0]) == 7


def test_a_revision_of_an_existing_figure_is_a_warning_showing_old_and_new(demo_store):
    data = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-04", 999]])
    result = preview_file(demo_store, data, "更正.csv", actor=EDITOR)
    old = demo_store.observations(entity=ZONE, codes=["land_cleared"]).set_index("period").loc["2023-04", "value"]
    assert result.ok and result.summary == {"new": 0, "changed": 1, "unchanged": 0}
    assert any("将修订" in w.message and f"{old:g}" in w.message and "999" in w.message for w in result.warnings)


def test_a_stated_yoy_is_checked_against_last_years_figures_within_a_tenth_of_a_point(demo_store):
    held = demo_store.observations(entity=ZONE, codes=["land_cleared", "land_approved"]).set_index(["indicator_code", "period"])
    last_year = Decimal(str(float(held.loc[("land_approved", "2022-04"), "value"])))
    right = (Decimal(200) - last_year) / last_year * 100
    data = xlsx_bytes({"2023年4月": [["指标名称", "本月", "同比增长(%)"], ["低效用地清理面积", 200, 999.0],
                                     ["新获批土地面积", 200, float(round(right, 2))]]})
    result = preview_file(demo_store, data, "四月.xlsx", actor=EDITOR)
    yoy = [note for note in result.infos if "同比" in note.message]
    assert result.ok and [(n.row, n.column) for n in yoy] == [(2, "C（同比增长(%)）")]
    assert "0.1 个百分点" in yoy[0].message and "统计局口径" in yoy[0].message
    assert not [w for w in result.warnings if "同比" in w.message]  # the file gives the figure: a note only


def test_a_published_year_to_date_yoy_is_kept_beside_the_figure(demo_store):
    data = xlsx_bytes({"2023年4月": [["指标名称", "本月", "累计", "累计同比(%)"], ["新获批土地面积", 200, 900, 12.3]]})
    result = import_file(demo_store, data, "四月.xlsx", actor=EDITOR)
    assert result.committed, [p.message for p in result.errors]
    held = demo_store.observations(entity=ZONE, codes=["land_approved"]).set_index("period")
    assert held.loc["2023-04", "published_yoy"] == pytest.approx(12.3)
    assert held["published_yoy"].drop("2023-04").isna().all()


def test_a_month_and_year_to_date_that_disagree_are_a_warning(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["warn_ytd_disagrees_with_month.csv"], actor=EDITOR)
    assert result.ok and [(w.row, w.column) for w in result.warnings] == [(3, "D（累计值）")]
    assert "150" in result.warnings[0].message and "400" in result.warnings[0].message


def test_a_locked_month_is_an_error_for_an_editor_and_a_warning_for_an_administrator(empty_store, import_corpus):
    empty_store.set_period_lock("2023-05", True, by=ADMIN, reason="已报送县统计局")
    as_editor = preview_file(empty_store, import_corpus["long_codes.csv"], actor=EDITOR)
    as_admin = preview_file(empty_store, import_corpus["long_codes.csv"], actor=ADMIN)
    assert not as_editor.ok and "已锁定" in as_editor.errors[0].message
    assert as_admin.ok and any("已锁定" in w.message for w in as_admin.warnings)


def test_an_administrator_correcting_a_locked_month_must_give_a_reason_which_is_recorded(empty_store, import_corpus):
    empty_store.set_period_lock("2023-05", True, by=ADMIN, reason="已报送县统计局")
    with pytest.raises(PeriodLocked, match="更正原因"):
        import_file(empty_store, import_corpus["long_codes.csv"], actor=ADMIN)
    assert empty_store.batches().empty
    result = import_file(empty_store, import_corpus["long_codes.csv"], actor=ADMIN, lock_reason="县统计局反馈口径调整")
    assert result.committed
    assert "县统计局反馈口径调整" in empty_store.batches().note.iloc[0]
    assert "县统计局反馈口径调整" in empty_store.audit_log(action="upload").after.iloc[0]
