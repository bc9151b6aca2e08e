"""The data behind a chart as xlsx: formula injection neutralised, numbers kept as numbers."""
import io

import pytest
from openpyxl import load_workbook

from metrics.chartdata import ChartData
from metrics.export import chart_data_xlsx, plan_deck
from metrics.formatting import neutralise

RISKY = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\tTAB", "\rCR"]


def read(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("text", RISKY)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["低效用地", "1月", "", 3, -2.5, 0.0])
def test_plain_text_and_numbers_pass_unchanged(value):
    assert neutralise(value) == value


def test_risky_categories_and_series_names_are_written_as_inert_text():
    chart = ChartData(title="=HYPERLINK(\"http://x\")", categories=RISKY, bars={"=evil()": [1.5] * len(RISKY)},
                      unit="亿元", decimals=1, source="-来源")
    sheet = read(chart_data_xlsx(chart)).worksheets[0]
    categories = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(RISKY))]
    assert [c.value for c in categories] == ["'" + t for t in RISKY]
    assert all(c.data_type == "s" for c in categories)
    assert sheet.cell(row=1, column=2).value == "'=evil()"
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_numbers_stay_numbers_with_the_charts_decimals_and_gaps_stay_empty():
    chart = ChartData(title="全区规上工业开票销售月度情况（亿元）", categories=["1月", "2月", "3月"],
                      bars={"2023年": [16.9, None, 22.4]}, lines={"目标月均进度": [25.0, 25.0, 25.0]},
                      unit="亿元", decimals=1)
    sheet = read(chart_data_xlsx(chart)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["类别", "2023年", "目标月均进度"]
    assert [sheet.cell(row=r, column=2).value for r in (2, 3, 4)] == [16.9, None, 22.4]
    assert sheet.cell(row=2, column=2).data_type == "n"
    assert sheet.cell(row=2, column=2).number_format == "#,##0.0"
    assert sheet.cell(row=2, column=3).value == 25 and sheet.cell(row=2, column=3).data_type == "n"


def test_illustrative_data_says_so_beside_the_table():
    chart = ChartData(title="示例", categories=["1月"], bars={"2023年": [1.0]}, illustrative=True,
                      source="数据来源：示例数据（系统生成，非真实统计）", as_of="2023-04")
    sheet = read(chart_data_xlsx(chart)).worksheets[0]
    notes = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3) if row[0].value}
    assert notes["示例数据"].startswith("是")
    assert notes["截至"] == "2023-04"


def test_a_decks_charts_become_one_sheet_each_with_the_same_figures(shared_demo_store):
    plan = plan_deck(shared_demo_store, "2023-04", ["land_cleared"])
    book = read(chart_data_xlsx([c.data for c in plan.charts]))
    assert len(book.worksheets) == len(plan.charts)
    assert len({ws.title for ws in book.worksheets}) == len(plan.charts)
    monthly = next(c.data for c in plan.charts if c.kind == "monthly")
    sheet = next(ws for ws in book.worksheets if ws.title == monthly.title[:28])
    assert [sheet.cell(row=r, column=2).value for r in range(2, 6)] == monthly.bars["2023年"]
