"""Numbers the way Chinese officials write them, month labels, and the UI's strings in both
languages."""
import math
import re
import string

from hypothesis import given
from hypothesis import strategies as st

from metrics import catalog, formatting as fmt, i18n, periods

SI_SUFFIX = re.compile(r"\d\s*[kKMGT]\b")


def test_numbers_carry_thousands_separators_and_the_decimals_asked_for():
    assert fmt.number(1234.5, 1) == "1,234.5"
    assert fmt.number(1234567) == "1,234,567"
    assert fmt.number(0.04, 1) == "0.0"
    assert fmt.number(-0.2) == "0"
    assert fmt.number(-1234.56, 2) == "-1,234.56"


def test_a_missing_figure_is_a_dash():
    assert fmt.number(None) == fmt.number(math.nan) == fmt.amount(None, "亿元") == "—"
    assert fmt.percent(None) == fmt.points(math.nan) == "—"


def test_amounts_keep_the_catalogue_unit_and_scale_plain_yuan_to_wan_and_yi():
    assert fmt.amount(93.0, "亿元", 1) == "93.0亿元"
    assert fmt.amount(8.3, "万元/亩", 2) == "8.30万元/亩"
    assert fmt.amount(1500000, "万美元") == "1,500,000万美元"
    assert fmt.amount(123_456_789, "元") == "1.23亿元"
    assert fmt.amount(12_345, "元") == "1.2万元"
    assert fmt.amount(9_999, "元") == "9,999元"
    assert fmt.amount(8_000_000, "美元") == "800.0万美元"
    assert fmt.amount(33, "位") == "第33位"


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False), st.integers(min_value=0, max_value=3),
       st.sampled_from(["亿元", "万元/亩", "元", "美元", "亩", "%", "家"]))
def test_no_amount_is_ever_written_with_an_si_suffix(value, decimals, unit):
    text = fmt.amount(value, unit, decimals)
    assert not SI_SUFFIX.search(text), text
    assert "e+" not in text and "e-" not in text


def test_percentages_have_one_decimal_and_differences_between_rates_are_points():
    assert fmt.percent(45.64) == "45.6%"
    assert fmt.percent(0.4564, is_fraction=True) == "45.6%"
    assert fmt.percent(-21.04) == "-21.0%"
    assert fmt.percent(1234.5) == "1,234.5%"
    assert fmt.points(12.34) == fmt.points(-12.34) == "12.3个百分点"
    assert fmt.points(-12.34, "en") == "12.3 pts"


def test_month_labels_show_months_never_days_in_both_languages():
    assert periods.month_label("2023-04") == "4月"
    assert periods.month_label("2023-02", months=2) == "1-2月"
    assert periods.month_label("2023-02", months=2, lang="en") == "Jan–Feb"
    assert periods.ytd_label("2023-01") == "1月"
    assert periods.ytd_label("2023-04") == "1-4月"
    assert periods.ytd_label("2023-04", "en") == "Jan–Apr"
    assert periods.period_label("2023-02", 2) == "2023年1-2月"
    assert periods.short_label("2022-04") == "22年4月"
    assert periods.short_label("2022-04", "en") == "Apr 22"
    assert periods.month_end_label("2023-04", "en") == "end of Apr"
    assert i18n.period_name("2023-04") == "2023年4月"
    assert i18n.period_name("2023-04", "en") == "Apr 2023"


def test_month_arithmetic_crosses_year_boundaries():
    assert periods.shift("2023-01", -1) == "2022-12"
    assert periods.shift("2022-12", 13) == "2024-01"
    assert periods.trailing_periods("2023-02", 3) == ["2022-12", "2023-01", "2023-02"]
    assert periods.year_periods(2023, 3) == ["2023-01", "2023-02", "2023-03"]


def test_every_ui_string_exists_in_chinese_and_english_with_the_same_placeholders():
    fields = string.Formatter()
    for key, (zh, en) in i18n._STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert {f for _, f, _, _ in fields.parse(zh) if f} == {f for _, f, _, _ in fields.parse(en) if f}, key


def test_strings_fill_their_placeholders_in_the_chosen_language():
    assert i18n.t("headline", on_pace=14, behind=9) == "14 项达到序时进度，9 项滞后"
    assert i18n.t("headline", "en", on_pace=14, behind=9) == "14 on pace, 9 behind"
    assert i18n.t("page_overview", "fr") == "总览"  # an unknown language falls back to Chinese


def test_indicator_and_category_names_follow_the_language_with_short_labels_for_cards():
    ind = catalog.indicator("projects_started_100m")
    assert i18n.indicator_name(ind) == "亿元项目开工"
    assert i18n.indicator_name(ind, "en") == ind.name_en
    assert i18n.indicator_name(ind, "en", short=True) == "Big projects started"
    assert i18n.category_name("债务风险", "en") == "Debt"
    assert i18n.category_name("债务风险") == "债务风险"


def test_every_catalogue_indicator_has_a_distinct_short_english_card_label():
    labels = [i18n.indicator_name(ind, "en", short=True) for ind in catalog.indicators().values()]
    assert len(set(labels)) == len(labels)
    assert max(map(len, labels)) <= 26


def test_table_column_headings_are_distinct_in_each_language():
    # Tables are built as {heading: column}: two keys with the same words would silently drop one.
    headings = {k: v for k, v in i18n._STRINGS.items() if k.startswith("col_")}
    for index, lang in enumerate(("zh", "en")):
        words = [pair[index] for pair in headings.values()]
        assert len(set(words)) == len(words), lang
