"""Numbers the way Chinese officials write them: thousands separators, 万/亿, one-decimal
percentages, 个百分点 for differences between rates, and never SI suffixes (k, M, G); and the text
people type, kept as they typed it."""
from __future__ import annotations

import math
import re


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


# Line breaks however typed: Word's manual break pasted into Excel arrives as a vertical tab.
LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# What no document can hold or should: control characters, which the XML of .docx, .pptx and
# .xlsx refuses (one in a 备注 stopped the Word export), and direction overrides, which make a text
# read other than it is stored. Tabs and line breaks stay.
UNWRITABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


def writable(text: str) -> str:
    """`text` with its line breaks as "\n" and nothing a document cannot hold; otherwise unchanged."""
    return UNWRITABLE.sub("", LINE_BREAKS.sub("\n", text))


def typed_text(raw) -> str:
    """What a person typed into a 备注, a 情况说明, a reason or a ledger field, as they typed it:
    full-width ，（） stay full-width, as a 公文 writes them (cells that hold figures, codes and
    months are normalised instead, by metrics.ingest.cells); only `writable` and outer spaces apply."""
    return writable(str(raw)).strip()


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 0) -> str:
    """1234.5 → '1,234.5'; a missing figure → '—'."""
    if _missing(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    return "0" if text in ("-0", "-0.0") and decimals == 0 else text


# Units in English, for the English mode of the screens, their charts and 汇报 sentences; the slides stay Chinese.
UNITS_EN = {"亩": "mu", "亿元": "100m yuan", "万元": "10k yuan", "万美元": "10k USD", "万元/亩": "10k yuan/mu",
            "家": "firms", "个": "", "条": "items", "吨标准煤": "t coal eq.", "元": "yuan", "美元": "USD"}


# A unit named on its own (a title, a heading) in English, where the amount's unit is no word (个)
# or no amount at all (位).
_UNIT_NAMES_EN = {"个": "number", "位": "rank"}


def unit_name(unit: str, lang: str = "zh") -> str:
    """The unit as a heading or a chart title names it: 万元, or 10k yuan in English."""
    if lang != "en":
        return unit
    return _UNIT_NAMES_EN.get(unit) or UNITS_EN.get(unit, unit)


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


def points(pp, lang: str = "zh") -> str:
    """A difference between two rates: '12.3个百分点' or '12.3 pts' (always positive; the sentence
    says which way)."""
    if _missing(pp):
        return "—"
    return f"{abs(pp):,.1f}{' pts' if lang == 'en' else '个百分点'}"
