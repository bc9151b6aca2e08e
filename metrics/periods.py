"""Months, the one way the tracker counts time: "YYYY-MM" strings, their arithmetic, and how they
are written out in Chinese (2023年4月, 1-4月, 23年4月) and English (Apr 2023, Jan–Apr, Apr 23)."""
from __future__ import annotations

import re
from functools import lru_cache

# Month arithmetic runs once per figure of an upload (20,000 of them) on a few dozen distinct months.
month_memo = lru_cache(maxsize=4096, typed=True)

PERIOD_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@month_memo
def split_period(period: str) -> tuple[int, int]:
    year, month = period.split("-")
    return int(year), int(month)


def is_period(text: str) -> bool:
    """Whether `text` is a month as the store writes every one: YYYY-MM."""
    return PERIOD_PATTERN.fullmatch(text) is not None


def make_period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift(period: str, months: int) -> str:
    """The month `months` later (earlier when negative): shift('2023-01', -1) → '2022-12'."""
    year, month = split_period(period)
    index = year * 12 + month - 1 + months
    return make_period(index // 12, index % 12 + 1)


def year_periods(year: int, last_month: int) -> list[str]:
    """January to `last_month` of `year`."""
    return [make_period(year, m) for m in range(1, last_month + 1)]


def trailing_periods(period: str, months_shown: int) -> list[str]:
    """The `months_shown` months ending with `period`, oldest first."""
    return [shift(period, -back) for back in range(months_shown - 1, -1, -1)]


def _span(first: int, last: int, lang: str) -> str:
    if lang == "en":
        return MONTHS_EN[last - 1] if first == last else f"{MONTHS_EN[first - 1]}–{MONTHS_EN[last - 1]}"
    return f"{last}月" if first == last else f"{first}-{last}月"


def month_label(period: str, months: int = 1, lang: str = "zh") -> str:
    """A bar's month: '2023-04' → 4月 (Apr); a two-month figure at '2023-02' → 1-2月 (Jan–Feb)."""
    month = split_period(period)[1]
    return _span(month - months + 1, month, lang)


def ytd_label(period: str, lang: str = "zh") -> str:
    """The months a 累计 covers: 1-4月 (Jan–Apr), or 1月 (Jan) in January."""
    return _span(1, split_period(period)[1], lang)


@month_memo
def period_label(period: str, months: int = 1, lang: str = "zh") -> str:
    """A month with its year: 2023年4月 (Apr 2023); '2023-02' spanning 2 months reads 2023年1-2月."""
    year, month = split_period(period)
    span = _span(month - months + 1, month, lang)
    return f"{span} {year}" if lang == "en" else f"{year}年{span}"


def short_label(period: str, lang: str = "zh") -> str:
    """Months across a year boundary, kept unambiguous and short: 22年4月 (Apr 22)."""
    year, month = split_period(period)
    return f"{MONTHS_EN[month - 1]} {year % 100:02d}" if lang == "en" else f"{year % 100:02d}年{month}月"


def month_end_label(period: str, lang: str = "zh") -> str:
    """A level's moment: 4月末 (end of Apr)."""
    month = split_period(period)[1]
    return f"end of {MONTHS_EN[month - 1]}" if lang == "en" else f"{month}月末"
