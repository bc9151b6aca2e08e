"""Issue 12: files written the way county offices keep them land under the right entity, exactly as shown.

Every file here is written by hand in the shape an office sends (填报单位 columns, 统计月报 titles,
one sheet per month, percent formats, hidden drafts), not produced by the project's own template.
"""
import datetime as dt
import io

import openpyxl
import pytest

from import_fixtures import ADMIN, EDITOR, OdsPercent, csv_bytes, ods_bytes, xlsx_bytes
from metrics import catalog
from metrics.ingest import preview_file

ZONE = catalog.ZONE
OTHER = "甲开发区（示例）"


def figures(result) -> dict[tuple[str, str, str], float]:
    return {(r.indicator_code, r.entity, r.period): r.value for r in result.preview.itertuples()}


def lines(result) -> list[str]:
    return [p.line() for p in result.problems]


@pytest.fixture
def store(empty_store):
    empty_store.add_entity(OTHER, "zone", by=ADMIN)
    empty_store.add_entity("理士电池", "enterprise", by=ADMIN)
    return empty_store


def workbook_bytes(build) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- whose figures --------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["主体", "填报单位", "单位名称", "园区", "开发区", "企业名称", "单位"])
def test_the_entity_column_is_read_under_the_names_offices_give_it(store, header):
    data = csv_bytes([["指标名称", "期间", header, "本月值"], ["低效用地清理面积", "2023-05", "甲开发区(示例)", "22.4"]])
    result = preview_file(store, data, "报表.csv", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("land_cleared", OTHER, "2023-05"): 22.4}


def test_a_unit_column_holding_units_stays_the_unit_column(store):
    data = csv_bytes([["指标名称", "期间", "单位", "本月值"], ["低效用地清理面积", "2023-05", "公顷", "2"]])
    result = preview_file(store, data, "报表.csv", actor=EDITOR)
    assert result.ok and figures(result) == {("land_cleared", ZONE, "2023-05"): 30}


def test_a_column_of_entity_names_that_is_not_read_is_an_error_not_filed_under_the_zone(store):
    data = csv_bytes([["指标名称", "期间", "报送方", "本月值"], ["低效用地清理面积", "2023-05", OTHER, "22.4"]])
    result = preview_file(store, data, "报表.csv", actor=EDITOR)
    assert not result.ok and result.preview.empty
    error = next(e for e in result.errors if "主体名称" in e.message)
    assert error.row == 2 and error.column.startswith("C") and error.value == OTHER


def test_an_entity_named_in_the_title_is_the_sheets_entity_when_it_has_no_entity_column(store):
    data = xlsx_bytes({"5月": [["甲开发区（示例）2023年5月统计月报"], ["指标名称", "本月值"], ["低效用地清理面积", 22.4]]})
    result = preview_file(store, data, "月报.xlsx", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("land_cleared", OTHER, "2023-05"): 22.4}


def test_an_entity_named_in_the_file_name_is_the_sheets_entity(store):
    data = xlsx_bytes({"Sheet1": [["2023年5月"], ["指标名称", "本月值"], ["低效用地清理面积", 22.4]]})
    result = preview_file(store, data, "甲开发区（示例）5月报表.xlsx", actor=EDITOR)
    assert figures(result) == {("land_cleared", OTHER, "2023-05"): 22.4}


def test_a_title_naming_no_entity_held_leaves_the_zone(store):
    data = xlsx_bytes({"5月": [["全区2023年5月主要指标"], ["指标名称", "本月值"], ["低效用地清理面积", 22.4]]})
    result = preview_file(store, data, "月报.xlsx", actor=EDITOR)
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): 22.4}


def test_sub_rows_name_an_entitys_figure_or_a_breakdown_that_is_skipped_with_a_warning(store):
    data = xlsx_bytes({"5月": [["2023年5月统计月报"], ["指标名称", "本月值"],
                               ["有效投资", 3.2], ["其中：工业投资", 2.1], ["规上工业开票销售", 25.3],
                               ["其中：理士电池", 5.1]]})
    result = preview_file(store, data, "月报.xlsx", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("effective_investment", ZONE, "2023-05"): 3.2,
                               ("invoice_sales", ZONE, "2023-05"): 25.3,
                               ("invoice_sales", "理士电池", "2023-05"): 5.1}
    assert [w for w in result.warnings if "工业投资" in w.message and w.row == 4 and w.column.startswith("A")]
    assert list(store.entities()["name"]).count("工业投资") == 0


# ---- what the user sees --------------------------------------------------------------------------

def test_a_percent_formatted_xlsx_cell_is_the_percentage_it_shows(store):
    def build(book):
        sheet = book.active
        sheet.append(["指标名称", "期间", "本月值"])
        sheet.append(["占全县规上开票销售比重", "2023-05", 0.679])
        sheet["C2"].number_format = "0.0%"
    result = preview_file(store, workbook_bytes(build), "比重.xlsx", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("county_sales_share", ZONE, "2023-05"): 67.9}


def test_a_percent_formatted_cell_for_an_indicator_that_is_no_percentage_is_an_error(store):
    def build(book):
        sheet = book.active
        sheet.append(["指标名称", "期间", "本月值"])
        sheet.append(["低效用地清理面积", "2023-05", 1.2])
        sheet["C2"].number_format = "0%"
    result = preview_file(store, workbook_bytes(build), "面积.xlsx", actor=EDITOR)
    assert not result.ok and [e for e in result.errors if "百分号" in e.message and e.value == "120%"]


def test_an_ods_percentage_cell_is_the_percentage_it_shows(store):
    data = ods_bytes({"表": [["指标名称", "期间", "本月值"], ["占全县规上开票销售比重", "2023-05", OdsPercent(0.683)]]})
    result = preview_file(store, data, "比重.ods", actor=EDITOR)
    assert figures(result) == {("county_sales_share", ZONE, "2023-05"): 68.3}


def test_hidden_rows_and_columns_are_not_imported_and_a_warning_says_which(store):
    def build(book):
        sheet = book.active
        sheet.title = "5月"
        sheet.append(["指标名称", "期间", "本月值", "草稿"])
        sheet.append(["低效用地清理面积", "2023-05", 22.4, 32])
        sheet.append(["低效用地清理面积", "2023-05", 99, ""])  # an old draft row, hidden
        sheet.row_dimensions[3].hidden = True
        sheet.column_dimensions["D"].hidden = True
    result = preview_file(store, workbook_bytes(build), "5月.xlsx", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): 22.4}
    notice = next(w for w in result.warnings if "隐藏" in w.message)
    assert "第3行" in notice.message and "D列" in notice.message and notice.sheet == "5月"


def test_hidden_ods_rows_are_not_imported(store):
    data = ods_bytes({"表": [["指标名称", "期间", "本月值"], ["低效用地清理面积", "2023-05", 22.4],
                            ["低效用地清理面积", "2023-05", 99]]}, hidden_rows={"表": {2}})
    result = preview_file(store, data, "面积.ods", actor=EDITOR)
    assert result.ok and figures(result) == {("land_cleared", ZONE, "2023-05"): 22.4}


def test_a_hidden_sheet_is_not_imported_and_is_named(store):
    def build(book):
        book.active.title = "5月"
        book.active.append(["指标名称", "期间", "本月值"])
        book.active.append(["低效用地清理面积", "2023-05", 22.4])
        hidden = book.create_sheet("旧版")
        hidden.append(["指标名称", "期间", "本月值"])
        hidden.append(["低效用地清理面积", "2023-05", 99])
        hidden.sheet_state = "hidden"
    result = preview_file(store, workbook_bytes(build), "面积.xlsx", actor=EDITOR)
    assert result.ok and figures(result) == {("land_cleared", ZONE, "2023-05"): 22.4}
    assert [w for w in result.warnings if "旧版" in w.message]


def test_a_hidden_ods_sheet_is_not_imported(store):
    table = [["指标名称", "期间", "本月值"], ["低效用地清理面积", "2023-05", 22.4]]
    data = ods_bytes({"5月": table, "草稿": [*table[:1], ["低效用地清理面积", "2023-05", 99]]}, hidden_sheets={"草稿"})
    result = preview_file(store, data, "面积.ods", actor=EDITOR)
    assert result.ok and figures(result) == {("land_cleared", ZONE, "2023-05"): 22.4}
    assert [w for w in result.warnings if "草稿" in w.message]


def test_a_workbook_of_one_sheet_per_month_imports_every_month(store):
    months = {f"{m}月": [[f"2023年{m}月主要指标"], ["指标名称", "本月值"], ["低效用地清理面积", 10 * m]] for m in (1, 2, 3)}
    data = xlsx_bytes({"封面": [["XX经济开发区月度报表"]], **months})
    result = preview_file(store, data, "2023年月报.xlsx", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("land_cleared", ZONE, f"2023-0{m}"): 10 * m for m in (1, 2, 3)}
    assert [w for w in result.warnings if "封面" in w.message and "跳过" in w.message]
    only = preview_file(store, data, "2023年月报.xlsx", actor=EDITOR, sheet="2月")
    assert figures(only) == {("land_cleared", ZONE, "2023-02"): 20}


# ---- the forms offices write ---------------------------------------------------------------------

@pytest.mark.parametrize("period", ["23年5月", "2023年05月末", "2023年5月底", 45047, dt.datetime(2023, 5, 31)])
def test_periods_as_offices_write_them(store, period):
    data = xlsx_bytes({"表": [["指标名称", "统计期", "本月值"], ["低效用地清理面积", period, 22.4]]})
    result = preview_file(store, data, "面积.xlsx", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): 22.4}


def test_a_month_end_header_and_a_full_year_ytd_header_are_value_columns(store):
    data = xlsx_bytes({"表": [["项目", "2023年5月末"], ["短期贷款余额", 3.1]],
                       "累计": [["2023年1月"], ["项目", "全年累计"], ["低效用地清理面积", 40]]})
    result = preview_file(store, data, "报表.xlsx", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("debt_short_term", ZONE, "2023-05"): 3.1, ("land_cleared", ZONE, "2023-01"): 40}


@pytest.mark.parametrize("cell, code, expected", [
    ("150条", "hazards_found", 150), ("第31位", "provincial_rank", 31), ("325,000万元", "effective_investment", 32.5),
    ("6670平方米", "land_cleared", 10.005), ("2公顷", "land_cleared", 30)])
def test_a_unit_written_in_the_cell_is_read_and_converted(store, cell, code, expected):
    data = csv_bytes([["指标编码", "期间", "本月值"], [code, "2023-05", cell]])
    result = preview_file(store, data, "报表.csv", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {(code, ZONE, "2023-05"): pytest.approx(expected)}


def test_square_metres_in_the_unit_column_convert_to_mu(store):
    data = csv_bytes([["指标名称", "期间", "单位", "本月值"], ["低效用地清理面积", "2023-05", "平方米", "20000"]])
    result = preview_file(store, data, "报表.csv", actor=EDITOR)
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): 30}


@pytest.mark.parametrize("empty", ["无", "暂无", "—", "－", "/"])
def test_no_figure_words_are_skipped_and_said_so_not_errors(store, empty):
    data = csv_bytes([["指标名称", "期间", "本月值"], ["低效用地清理面积", "2023-05", "22.4"],
                      ["实际到账外资", "2023-05", empty]])
    result = preview_file(store, data, "报表.csv", actor=EDITOR)
    assert result.ok, lines(result)
    assert figures(result) == {("land_cleared", ZONE, "2023-05"): 22.4}
    assert [w for w in result.warnings if "第3行" in w.message and "没有数据" in w.message]


def test_an_unrecognised_header_names_the_sheet_row_and_column(store):
    data = xlsx_bytes({"五月": [["某某统计表"], ["名目", "五月份数"], ["低效用地清理面积", 22.4]]})
    result = preview_file(store, data, "报表.xlsx", actor=EDITOR)
    error = result.errors[0]
    assert error.sheet == "五月" and error.row == 2 and error.column.startswith("A") and error.value == "名目"


def test_the_title_names_the_entity_before_the_file_name_does(store):
    data = xlsx_bytes({"5月": [["甲开发区（示例）2023年5月统计月报"], ["指标名称", "本月值"], ["低效用地清理面积", 22.4]]})
    result = preview_file(store, data, f"{ZONE}汇总.xlsx", actor=EDITOR)
    assert figures(result) == {("land_cleared", OTHER, "2023-05"): 22.4}


def test_a_title_naming_two_entities_is_an_error_asking_for_an_entity_column(store):
    data = xlsx_bytes({"5月": [["甲开发区（示例）、理士电池2023年5月"], ["指标名称", "本月值"], ["低效用地清理面积", 22.4]]})
    result = preview_file(store, data, "月报.xlsx", actor=EDITOR)
    assert not result.ok and [e for e in result.errors if "主体" in e.message and e.sheet == "5月"]


def test_with_no_table_anywhere_the_error_is_about_the_sheet_most_like_one(store):
    data = xlsx_bytes({"封面": [["月报"]], "数据": [["名目", "五月份数", "备注"], ["低效用地清理面积", 22.4, ""]]})
    result = preview_file(store, data, "报表.xlsx", actor=EDITOR)
    assert result.errors[0].sheet == "数据" and result.errors[0].row == 1


def test_the_json_result_lists_every_sheet_read(store):
    months = {f"{m}月": [[f"2023年{m}月"], ["指标名称", "本月值"], ["低效用地清理面积", m]] for m in (1, 2)}
    result = preview_file(store, xlsx_bytes(months), "月报.xlsx", actor=EDITOR)
    assert result.as_json()["sheets"] == ["1月", "2月"]


def test_a_200_row_file_with_three_faults_names_exactly_those_three_cells(store):
    codes = ["land_cleared", "land_approved", "foreign_capital", "hazards_found"]
    rows = [["指标编码", "期间", "填报单位", "本月值"]]
    for i in range(200):
        # four indicators × twelve months × three entities, then the next year: no figure twice
        period = f"{2021 + i // 144}-{i // 4 % 12 + 1:02d}"
        rows.append([codes[i % 4], period, [ZONE, OTHER, "理士电池"][i // 48 % 3], str(10 + i % 7)])
    rows[50][3] = "12..5"          # a typo in a figure
    rows[120][2] = "乙开发区"       # an entity nobody created
    rows[190][1] = "2022-13"       # a month that does not exist
    result = preview_file(store, csv_bytes(rows), "全年.csv", actor=EDITOR)
    assert sorted((e.row, e.column[0]) for e in result.errors) == [(51, "D"), (121, "C"), (191, "B")]
    assert all(e.sheet and e.value for e in result.errors)
    assert "乙开发区" in next(e for e in result.errors if e.row == 121).message
