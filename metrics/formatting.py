"""Numbers the way Chinese officials write them: thousands separators, 万/亿, one-decimal
percentages, 个百分点 for differences between rates, and never SI suffixes (k, M, G)."""
from __future__ import annotations

import math


# Text a spreadsheet would run as a formula when a cell (or a CSV field) starts with it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A value safe to put in an exported spreadsheet or CSV: text that would run as a formula
    (=HYPERLINK(…) typed into a name) gets a leading single quote; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 0) -> str:
    """1234.5 → '1,234.5'; a missing figure → '—'."""
    if _missing(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    return "0" if text in ("-0", "-0.0") and decimals == 0 else text


# Units in English, for the screens' English mode; the 汇报 wording and the slides stay Chinese.
UNITS_EN = {"亩": "mu", "亿元": "100m yuan", "万元": "10k yuan", "万美元": "10k USD", "万元/亩": "10k yuan/mu",
            "家": "firms", "个": "", "条": "items", "吨标准煤": "t coal eq.", "元": "yuan", "美元": "USD"}


def amount(value, unit: str, decimals: int = 0, lang: str = "zh") -> str:
    """A figure with its unit, scaling plain 元 and 美元 into 万/亿 as officials do; in English
    1,234 mu and No. 33."""
    if _missing(value):
        return "—"
    if lang == "en":
        if unit == "位":
            return f"No. {number(value, 0)}"
        if unit == "%":
            return f"{number(value, decimals)}%"
        return f"{number(value, decimals)} {UNITS_EN.get(unit, unit)}".rstrip()
    if unit in ("元", "美元"):
        if abs(value) >= 1e8:
            return f"{number(value / 1e8, 2)}亿{unit}"
        if abs(value) >= 1e4:
            return f"{number(value / 1e4, 1)}万{unit}"
    if unit == "位":
        return f"第{number(value, 0)}位"
    return f"{number(value, decimals)}{unit}"


def percent(fraction_or_pct, *, is_fraction: bool = False) -> str:
    """One decimal: percent(45.64) → '45.6%'; percent(0.4564, is_fraction=True) → '45.6%'."""
    if _missing(fraction_or_pct):
        return "—"
    value = fraction_or_pct * 100 if is_fraction else fraction_or_pct
    return f"{value:,.1f}%"


def points(pp) -> str:
    """A difference between two rates: '12.3个百分点' (always positive; the sentence says which way)."""
    if _missing(pp):
        return "—"
    return f"{abs(pp):,.1f}个百分点"


def month_label(period: str, months: int = 1) -> str:
    """'2023-04' → '4月'; a two-month figure at '2023-02' → '1-2月'."""
    month = int(period[5:7])
    return f"{month - months + 1}-{month}月" if months > 1 else f"{month}月"
