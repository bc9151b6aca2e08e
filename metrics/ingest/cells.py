"""Reading one cell: what staff type turned into a number, a month or a unit, by rule, never by guess.

`float()` is never allowed to decide what a cell means: it accepts "NaN", "inf", "1_000" and
Arabic-Indic digits. Numbers are matched by a strict pattern and held as `Decimal` until they are
written, so 0.1 stays 0.1 through unit conversion and year-to-date differences.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from decimal import Decimal, InvalidOperation

NO_FIGURE = frozenset({"", "-", "--", "—", "——", "–", "―", "/", "\\", "无", "暂无", "无数据", "空", "不适用"})
MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\ufe63": "-"})
EXCEL_ERRORS = re.compile(r"#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|"
                          r"BLOCKED!|UNKNOWN!|CONNECT!|BUSY!)", re.I)
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
GROUPED_NUMBER = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
# A figure written with its unit in the cell, as offices do: "150条", "325,000万元", "第31位".
NUMBER_WITH_UNIT = re.compile(r"(?:第\s*)?([+-]?[0-9][0-9,]*(?:\.[0-9]*)?|[+-]?\.[0-9]+)\s*([^\s0-9.,%+-][^0-9%]*)")
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; a float cell means what Excel shows
# No indicator comes near either bound; a number beyond them is a typo or a hostile file, and a
# float would store it as inf or 0 without a word.
LARGEST_FIGURE = Decimal("1e15")
SMALLEST_FIGURE = Decimal("1e-9")
# A file repeats the same few codes, names, months and entities in every row, so the functions that
# read them remember their answers. `typed`, because 1, 1.0 and True are equal keys that read
# differently; bounded, because a server runs for months and CSV numbers are rarely repeated.
CELL_MEMO_SIZE = 1 << 14
memoised = lru_cache(maxsize=CELL_MEMO_SIZE, typed=True)


class ValueProblem(Exception):
    """A cell that cannot be read as what its column needs; the message says what to type instead."""


class MissingYear(ValueProblem):
    """A month such as "4月" with no year in the cell, the title or the sheet name."""


@memoised
def clean_text(raw) -> str:
    """NFKC (full-width digits and punctuation to ASCII), every minus sign to '-', outer spaces off."""
    text = unicodedata.normalize("NFKC", str(raw)).translate(MINUS_SIGNS)
    return text.strip()


def decimal_from_float(value: float) -> Decimal:
    return Decimal(format(value, f".{EXCEL_DIGITS}g"))


# ---- numbers --------------------------------------------------------------------------------

def parse_number(raw, *, percent: bool = False) -> Decimal | None:
    """The number a cell holds, or None when it holds no figure (blank, "-", "—", "/").

    `percent`: the column is a percentage, so a trailing % sign is allowed and dropped.
    """
    if raw is None or isinstance(raw, str) and raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueProblem("这是逻辑值（TRUE/FALSE），不是数字。请填写数值，没有数据请留空。")
    if isinstance(raw, int):
        return checked_magnitude(Decimal(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueProblem("不是有效数字。请填写数值，没有数据请留空。")
        return checked_magnitude(decimal_from_float(raw))
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        raise ValueProblem("这是日期或时间，不是数字（单元格可能被设成了日期格式）。请把单元格格式改为“常规”或“数值”后重新填写。")
    text = clean_text(raw)
    if text in NO_FIGURE:
        return None
    if EXCEL_ERRORS.fullmatch(text):
        raise ValueProblem(f"这是 Excel 的错误值 {text}，说明公式计算出错。请修正公式，或直接填写数值；没有数据请留空。")
    if text.endswith("%"):
        if not percent:
            raise ValueProblem("带有百分号，但这一列不是百分比。请去掉百分号，按指标单位填写数值。")
        text = text[:-1].rstrip()
    if GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    if not PLAIN_NUMBER.fullmatch(text):
        raise ValueProblem(_not_a_number_hint(text))
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # the pattern admits only what Decimal reads; kept for safety
        raise ValueProblem(_not_a_number_hint(text)) from exc
    return checked_magnitude(number)


def split_cell_unit(raw, known_units: set[str]) -> tuple[object, str | None]:
    """(the number's text, its unit) for a text cell that ends in a unit we can read ("150条"); the cell
    unchanged and None otherwise, so that what is not a unit is reported as not a number."""
    if not isinstance(raw, str):
        return raw, None
    match = NUMBER_WITH_UNIT.fullmatch(clean_text(raw))
    if match is None or not is_unit(match.group(2), known_units):
        return raw, None
    return match.group(1), normalise_unit(match.group(2))


def checked_magnitude(number: Decimal) -> Decimal:
    """A number that will be stored exactly as typed, or a message saying why it cannot be."""
    digits = len(number.normalize().as_tuple().digits)
    if number != 0 and abs(number) >= LARGEST_FIGURE:
        raise ValueProblem(f"数值过大（绝对值达到 {LARGEST_FIGURE:.0E}），不可能是月度指标，可能是误填或单位错误。请核对后重新填写。")
    if number != 0 and abs(number) < SMALLEST_FIGURE:
        raise ValueProblem("数值过小（非零但小于十亿分之一），保存后会变成 0。请核对后填写，没有数据请留空。")
    if digits > EXCEL_DIGITS:
        raise ValueProblem(f"数值有 {digits} 位有效数字，超过 {EXCEL_DIGITS} 位，Excel 和本系统都无法精确保存，"
                           "保存后末尾几位会改变。请四舍五入到需要的小数位后再填写。")
    return number


def _not_a_number_hint(text: str) -> str:
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        return "含有非阿拉伯数字的数字字符（例如阿拉伯-印度数字）。请用 0-9 填写。"
    if text.lower() in {"nan", "inf", "-inf", "+inf", "infinity", "none", "null"}:
        return "不是数字。请填写数值，没有数据请留空或填“-”。"
    if "," in text:
        return "千分位逗号的位置不对（应每三位一个逗号），或用了逗号作小数点。请去掉逗号，用小数点“.”表示小数。"
    return "不是数字。请只填写数值（例如 30 或 30.5），不要加文字、约数或单位；没有数据请留空或填“-”。"


# ---- periods --------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Period:
    """A month, or a span ending in it that starts in `first_month` (1-4月 → month 4, first_month 1)."""
    year: int
    month: int
    first_month: int

    @classmethod
    def single(cls, year: int, month: int) -> "Period":
        return cls(year, month, month)

    @cached_property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def months(self) -> int:
        return self.month - self.first_month + 1

    @property
    def label(self) -> str:
        if self.months > 1:
            return f"{self.year}年{self.first_month}-{self.month}月"
        return f"{self.year}年{self.month}月"


_SPAN = r"[-~～至—–]"
_PERIOD_PATTERNS = [
    (re.compile(r"(\d{4})[-/](\d{1,2})"), "ym"),
    (re.compile(r"(\d{4})\.(\d{2})"), "ym"),
    (re.compile(r"(\d{4})(\d{2})"), "ym"),
    (re.compile(r"(\d{4})年(\d{1,2})月(?:份|末|底)?"), "ym"),
    (re.compile(r"(\d{2})年(\d{1,2})月(?:份|末|底)?"), "yy"),
    (re.compile(rf"(\d{{4}})年(\d{{1,2}}){_SPAN}(\d{{1,2}})月(?:份|末|底)?"), "span"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"), "date"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), "date"),
]
_YEARLESS_PATTERNS = [
    (re.compile(r"(\d{1,2})月份?"), "m"),
    (re.compile(rf"(\d{{1,2}}){_SPAN}(\d{{1,2}})月份?"), "span"),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system (past its 1900 leap-year bug)
FIRST_DATE_SERIAL, LAST_DATE_SERIAL = 36526, 73050  # 2000-01-01 and 2099-12-31, the years a period may be
FORMATS_HINT = "请写成 2023-05、2023年5月 或 202305 这样的格式"


@memoised
def parse_period(raw, context_year: int | None = None) -> Period:
    """A month from any of the ways staff write one; `context_year` completes a bare "4月"."""
    if isinstance(raw, bool):
        raise ValueProblem(f"不是期间。{FORMATS_HINT}。")
    if isinstance(raw, (dt.date, dt.datetime)):
        return Period.single(raw.year, raw.month)
    if isinstance(raw, float):
        if not raw.is_integer():
            text = repr(raw)
            if re.fullmatch(r"\d{4}\.\d", text):
                raise ValueProblem(
                    f"“{text}”有歧义：数字单元格会去掉末尾的 0，既可能是 {text[:4]}年{text[5]}月，也可能是 "
                    f"{text[:4]}年{text[5]}0月。请把单元格设为文本，写成 {text[:4]}-0{text[5]} 或 {text[:4]}-{text[5]}0。")
            raw = text
        else:
            raw = int(raw)
    if isinstance(raw, int) and FIRST_DATE_SERIAL <= raw <= LAST_DATE_SERIAL:
        # A date cell whose format was lost reads as Excel's day number: 45047 is 2023-05-01.
        day = EXCEL_EPOCH + dt.timedelta(days=raw)
        return Period.single(day.year, day.month)
    text = re.sub(r"\s+", "", clean_text(raw))
    for pattern, kind in _PERIOD_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _period_from(match, kind, text)
    if re.fullmatch(r"\d{4}\.\d", text):
        raise ValueProblem(f"“{text}”有歧义（可能是 1 月，也可能是 10 月，数字格式会去掉末尾的 0）。请写成 {text[:4]}-0{text[5]} 或 {text[:4]}-{text[5]}0。")
    for pattern, kind in _YEARLESS_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            if context_year is None:
                raise MissingYear(f"期间“{text}”没有写年份，表格标题和工作表名中也找不到年份。{FORMATS_HINT}。")
            groups = [int(g) for g in match.groups()]
            first, last = (groups[0], groups[0]) if kind == "m" else groups
            return _checked(context_year, last, first, text)
    raise ValueProblem(f"无法识别的期间。{FORMATS_HINT}。")


def _period_from(match: re.Match, kind: str, text: str) -> Period:
    numbers = [int(g) for g in match.groups()]
    if kind == "yy":  # "23年5月": a two-digit year is this century's, as the 2000-2099 rule holds anyway
        return _checked(2000 + numbers[0], numbers[1], numbers[1], text)
    if kind == "span":
        return _checked(numbers[0], numbers[2], numbers[1], text)
    if kind == "date":
        year, month, day = numbers
        try:
            dt.date(year, month, day)
        except ValueError as exc:
            raise ValueProblem(f"“{text}”不是有效的日期。{FORMATS_HINT}。") from exc
    return _checked(numbers[0], numbers[1], numbers[1], text)


def _checked(year: int, month: int, first_month: int, text: str) -> Period:
    if not 2000 <= year <= 2099:
        raise ValueProblem(f"期间“{text}”的年份 {year} 不在 2000-2099 之间。{FORMATS_HINT}。")
    if not (1 <= first_month <= month <= 12):
        raise ValueProblem(f"期间“{text}”中的月份不存在（应为 1-12 月）。{FORMATS_HINT}。")
    return Period(year, month, first_month)


_TITLE_PERIOD = re.compile(rf"(\d{{4}})\s*年\s*(?:(\d{{1,2}})\s*(?:{_SPAN}\s*(\d{{1,2}})\s*)?月)?")


def period_in_text(text: str) -> tuple[Period | None, int | None]:
    """The month (or span) and the year a title or sheet name mentions: "2023年1-4月主要指标"."""
    text = clean_text(text)
    match = _TITLE_PERIOD.search(text)
    if match:
        year = int(match.group(1))
        if match.group(2) is None:
            return None, year
        first, last = int(match.group(2)), int(match.group(3) or match.group(2))
        try:
            return _checked(year, last, first, text), year
        except ValueProblem:
            return None, year
    try:
        period = parse_period(re.sub(r"\s+", "", text))
        return period, period.year
    except ValueProblem:
        return None, None


# ---- units ----------------------------------------------------------------------------------

_SCALES: dict[str, tuple[str, Decimal]] = {
    "元": ("人民币", Decimal(1)), "千元": ("人民币", Decimal(10) ** 3),
    "万元": ("人民币", Decimal(10) ** 4), "亿元": ("人民币", Decimal(10) ** 8),
    "美元": ("美元", Decimal(1)), "万美元": ("美元", Decimal(10) ** 4), "亿美元": ("美元", Decimal(10) ** 8),
    # 1 公顷 = 15 亩, the land-administration rule, so 1 平方米 = 15/10000 亩 exactly
    "亩": ("面积", Decimal(1)), "公顷": ("面积", Decimal(15)), "平方米": ("面积", Decimal("0.0015")),
    "万平方米": ("面积", Decimal(15)), "平方公里": ("面积", Decimal(1500)),
}
_UNIT_ALIASES = {"百分比": "%", "百分数": "%", "m2": "平方米", "m²": "平方米", "㎡": "平方米", "名": "位",
                 "km2": "平方公里", "km²": "平方公里"}


@memoised
def normalise_unit(text) -> str:
    unit = re.sub(r"\s+", "", clean_text(text))
    unit = unit.strip("()[]【】")
    return _UNIT_ALIASES.get(unit, unit)


def is_unit(text: str, known_units: set[str]) -> bool:
    unit = normalise_unit(text)
    return unit in known_units or _scale(unit) is not None


def _scale(unit: str) -> tuple[str, Decimal] | None:
    if unit in _SCALES:
        return _SCALES[unit]
    parts = unit.split("/")
    if len(parts) == 2 and all(parts):
        top, bottom = _SCALES.get(parts[0]), _SCALES.get(parts[1])
        if top is None and bottom is None:
            return None
        top = top or (parts[0], Decimal(1))
        bottom = bottom or (parts[1], Decimal(1))
        return f"{top[0]}/{bottom[0]}", top[1] / bottom[1]
    return None


@memoised
def conversion_factor(from_unit: str, to_unit: str) -> Decimal | None:
    """What to multiply a figure in `from_unit` by to get `to_unit`; None when they measure different things."""
    source, target = normalise_unit(from_unit), normalise_unit(to_unit)
    if source == target:
        return Decimal(1)
    a, b = _scale(source), _scale(target)
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[1] / b[1]
