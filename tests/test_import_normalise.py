"""Issue 3: numbers, months and units are read by rule, never guessed; 累计 become months by difference."""
import datetime as dt
from decimal import Decimal

import pytest

from import_fixtures import EDITOR, csv_bytes
from metrics import catalog, periods
from metrics.ingest import import_file, preview_file
from metrics.ingest.cells import ValueProblem, conversion_factor, parse_number, parse_period

ZONE = catalog.ZONE


def figures(result) -> dict[tuple[str, str], tuple[float, int]]:
    return {(r.indicator_code, r.period): (r.value, r.months) for r in result.preview.itertuples()}


@pytest.mark.parametrize("raw, expected", [
    ("120", "120"), ("１２０", "120"), (" 1,234.5 ", "1234.5"), ("１，２３４", "1234"), ("+25.30", "25.30"),
    ("−5", "-5"), ("－5", "-5"), ("-0.5", "-0.5"), ("1.5e2", "150"), ("\u30008.3\u3000", "8.3"), (".5", "0.5"),
    (3, "3"), (8.3, "8.3"), (0.1 + 0.2, "0.3"),
])
def test_numbers_are_read_exactly_from_every_way_staff_write_them(raw, expected):
    assert parse_number(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "-", "—", "——", "–", "/", "－", "  ", None])
def test_blank_and_dash_cells_mean_no_figure_never_zero(raw):
    assert parse_number(raw) is None


@pytest.mark.parametrize("raw, hint", [
    ("约30", "不是数字"), ("30万", "不是数字"), ("NaN", "不是数字"), ("inf", "不是数字"), ("Infinity", "不是数字"),
    ("٣٠", "阿拉伯-印度"), ("१२", "阿拉伯-印度"), ("1,23", "千分位"), ("1_000", "不是数字"), ("12%", "百分号"),
    ("#DIV/0!", "错误值"), (True, "逻辑值"), (dt.date(2023, 5, 1), "日期"), (float("nan"), "有效数字"),
])
def test_anything_that_is_not_plainly_a_number_is_refused_with_a_hint(raw, hint):
    with pytest.raises(ValueProblem, match=hint):
        parse_number(raw)


@pytest.mark.parametrize("raw, hint", [
    ("1e309", "数值过大"), (1e300, "数值过大"), ("-2e15", "数值过大"), (10 ** 16, "数值过大"),
    ("1e-400", "数值过小"), ("0.0000000001", "数值过小"),
    ("3.14159265358979323846264338327", "有效数字"), ("12345678.123456789", "有效数字"),
])
def test_numbers_a_float_would_change_silently_are_refused_with_what_happened(raw, hint):
    with pytest.raises(ValueProblem, match=hint):
        parse_number(raw)


def test_a_file_with_an_overflowing_number_names_the_cell(empty_store):
    result = preview_file(empty_store, csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", "1e309"]]),
                          "溢出.csv", actor=EDITOR)
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (2, "C（数值）", "1e309") and "数值过大" in error.message
    assert empty_store.batches().empty


def test_a_percent_sign_is_allowed_only_in_a_percentage_column():
    assert parse_number("68.3%", percent=True) == Decimal("68.3")
    with pytest.raises(ValueProblem, match="百分号"):
        parse_number("68.3%", percent=False)


@pytest.mark.parametrize("raw, key, months", [
    ("2023-05", "2023-05", 1), ("2023/05", "2023-05", 1), ("2023/5", "2023-05", 1), ("2023.05", "2023-05", 1),
    ("202305", "2023-05", 1), (202305, "2023-05", 1), (202305.0, "2023-05", 1), ("2023年5月", "2023-05", 1),
    ("2023年05月份", "2023-05", 1), ("2023 年 5 月", "2023-05", 1), ("２０２３－０５", "2023-05", 1),
    ("2023-05-31", "2023-05", 1), ("2023/5/1", "2023-05", 1), (dt.date(2023, 5, 1), "2023-05", 1),
    (dt.datetime(2023, 5, 31, 0, 0), "2023-05", 1), ("2023年1-2月", "2023-02", 2), ("2023年1～2月", "2023-02", 2),
    (2023.12, "2023-12", 1),
])
def test_periods_are_read_in_every_form_staff_use(raw, key, months):
    period = parse_period(raw)
    assert (period.key, period.months) == (key, months)


@pytest.mark.parametrize("raw, hint", [
    ("2023-13", "月份不存在"), ("2023年0月", "月份不存在"), ("五月", "无法识别"), ("1999-05", "年份"),
    ("2023.1", "歧义"), (2023.1, "歧义"), ("2023-02-30", "不是有效的日期"), ("5月", "没有写年份"),
])
def test_malformed_or_ambiguous_periods_are_refused(raw, hint):
    with pytest.raises(ValueProblem, match=hint):
        parse_period(raw)


def test_a_yearless_month_takes_the_year_of_its_title():
    assert parse_period("4月", context_year=2023).key == "2023-04"


@pytest.mark.parametrize("source, target, factor", [
    ("元", "万元", "0.0001"), ("亿元", "万元", "10000"), ("万元", "亿元", "0.0001"), ("美元", "万美元", "0.0001"),
    ("亿美元", "万美元", "10000"), ("公顷", "亩", "15"), ("元/亩", "万元/亩", "0.0001"), ("亩", "亩", "1"),
    ("（万元）", "亿元", "0.0001"), ("％", "%", "1"),
])
def test_units_convert_within_money_dollars_and_land(source, target, factor):
    assert conversion_factor(source, target) == Decimal(factor)


@pytest.mark.parametrize("source, target", [("万元", "亩"), ("美元", "万元"), ("家", "个"), ("公顷", "万元/亩")])
def test_units_that_measure_different_things_do_not_convert(source, target):
    assert conversion_factor(source, target) is None


def test_blank_and_dash_cells_are_skipped_so_no_zero_is_stored(empty_store, import_corpus):
    import_file(empty_store, import_corpus["blanks_are_no_figure.csv"], actor=EDITOR)
    stored = empty_store.observations(codes=["land_cleared"])
    assert list(stored["period"]) == ["2023-07"] and list(stored["value"]) == [7]


def test_full_width_thousands_and_signed_numbers_import_as_their_values(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["number_styles.csv"], actor=EDITOR)
    assert result.ok
    assert figures(result) == {("land_cleared", "2023-01"): (120, 1), ("land_cleared", "2023-02"): (1234.5, 1),
                               ("land_cleared", "2023-03"): (1234, 1), ("invoice_sales", "2023-03"): (25.3, 1),
                               ("land_approved", "2023-03"): (150, 1)}


@pytest.mark.parametrize("name", ["period_styles.csv", "period_date_cells.xlsx"])
def test_every_period_style_and_date_cells_land_on_their_month(empty_store, import_corpus, name):
    result = preview_file(empty_store, import_corpus[name], actor=EDITOR)
    assert result.ok
    assert all(value == int(period[-2:]) for (_, period), (value, _) in figures(result).items())


def test_a_unit_in_the_header_converts_the_whole_column(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["units_in_header.csv"], actor=EDITOR)
    assert figures(result) == {("invoice_sales", "2023-05"): (25.3, 1), ("effective_investment", "2023-05"): (2.5, 1)}


def test_a_unit_column_converts_each_row_to_its_indicators_unit(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["units_in_column.csv"], actor=EDITOR)
    assert result.ok
    assert figures(result) == {
        ("invoice_sales", "2023-05"): (25.3, 1), ("effective_investment", "2023-05"): (2.5, 1),
        ("land_approved", "2023-05"): (180, 1), ("foreign_capital", "2023-05"): (150, 1),
        ("tax_per_mu", "2023-05"): (8.3, 1), ("county_sales_share", "2023-05"): (68.3, 1)}


def test_year_to_date_figures_become_months_by_difference_within_the_file(empty_store, import_corpus):
    result = preview_file(empty_store, import_corpus["ytd_only_long.csv"], actor=EDITOR)
    assert result.ok
    assert figures(result) == {("land_cleared", "2023-01"): (100, 1), ("land_cleared", "2023-02"): (150, 1),
                               ("land_cleared", "2023-03"): (50, 1), ("hightech_new", "2023-01"): (5, 1)}


def test_a_year_to_date_figure_becomes_a_month_by_difference_with_the_database(demo_store, import_corpus):
    held = demo_store.observations(entity=ZONE, codes=["land_cleared"])
    january_to_april = sum(Decimal(str(float(v))) for p, v in zip(held.period, held.value) if p.startswith("2023"))
    result = preview_file(demo_store, import_corpus["ytd_from_database.csv"], actor=EDITOR)
    assert result.ok
    assert figures(result) == {("land_cleared", "2023-05"): (float(Decimal(2000) - january_to_april), 1)}


@pytest.mark.parametrize("name", ["wide_spring_festival.xlsx", "monthly_report_spring_festival.xlsx"])
def test_a_1_2_month_figure_is_stored_and_shown_as_one_not_as_an_empty_january(empty_store, import_corpus, name):
    import_file(empty_store, import_corpus[name], actor=EDITOR)
    stored = empty_store.observations(codes=["invoice_sales"])
    february = stored[stored.period == "2023-02"].iloc[0]
    assert (february.value, february.months) == (40.2, 2)
    assert "2023-01" not in set(stored.period)
    assert periods.period_label("2023-02", int(february.months)) == "2023年1-2月"


def test_a_1_2_month_total_is_split_by_difference_when_january_is_already_held(empty_store):
    import_file(empty_store, csv_bytes([["指标编码", "期间", "数值"], ["invoice_sales", "2023-01", 18.2]]), "一月.csv",
                actor=EDITOR)
    result = preview_file(empty_store, csv_bytes([["指标编码", "期间", "累计值"], ["invoice_sales", "2023年1-2月", 40.2]]),
                          "二月.csv", actor=EDITOR)
    assert figures(result) == {("invoice_sales", "2023-02"): (22.0, 1)}


def test_a_single_january_after_a_stored_1_2_month_figure_is_refused(empty_store, import_corpus):
    import_file(empty_store, import_corpus["wide_spring_festival.xlsx"], actor=EDITOR)
    result = preview_file(empty_store, csv_bytes([["指标编码", "期间", "数值"], ["invoice_sales", "2023-01", 18.2]]),
                          "一月.csv", actor=EDITOR)
    assert not result.ok and "1-2月已按合并数保存" in result.errors[0].message


def test_a_level_indicators_year_to_date_column_is_its_month_end_figure(empty_store):
    data = csv_bytes([["指标编码", "期间", "累计值"], ["debt_short_term", "2023-05", "12.9"]])
    result = preview_file(empty_store, data, "余额.csv", actor=EDITOR)
    assert figures(result) == {("debt_short_term", "2023-05"): (12.9, 1)}
