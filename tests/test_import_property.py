"""Issue 3, property-based: any valid table, written in any supported style, imports to exactly its values."""
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from import_fixtures import EDITOR, csv_bytes, ods_bytes, xls_bytes, xlsx_bytes
from metrics import catalog, tracker
from metrics.ingest import import_file, preview_file
from metrics.store import Store

INDICATORS = catalog.indicators()
UPLOADABLE = [code for code, ind in INDICATORS.items() if ind.kind != "derived"]
PERIODS = [f"{year}-{month:02d}" for year in (2021, 2022, 2023) for month in range(1, 13)]
# A unit each indicator's figure may also be written in, with the factor from the indicator's unit.
SCALED_UNITS = {"亿元": ("万元", 10 ** 4), "万美元": ("美元", 10 ** 4), "万元/亩": ("元/亩", 10 ** 4)}
FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
BLANKS = ["", "-", "—", "/"]

Table = dict[tuple[str, str], Decimal]  # (code, period) → the month's figure in the indicator's unit


@st.composite
def tables(draw) -> Table:
    codes = draw(st.lists(st.sampled_from(UPLOADABLE), min_size=1, max_size=5, unique=True))
    periods = sorted(draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=6, unique=True)))
    table = {}
    for code in codes:
        places = 0 if INDICATORS[code].is_count else draw(st.integers(0, 3))
        for period in periods:
            if not table or draw(st.booleans()):
                table[(code, period)] = Decimal(draw(st.integers(0, 10 ** 8))).scaleb(-places)
    return table


def number_text(draw, value: Decimal) -> str:
    style = draw(st.sampled_from(["plain", "grouped", "full_width", "spaced"]))
    text = format(value, ",f") if style in ("grouped", "full_width") else format(value, "f")
    if style == "full_width":
        text = text.translate(FULL_WIDTH)
    return f"  {text} " if style == "spaced" else text


def period_text(draw, period: str):
    year, month = int(period[:4]), int(period[5:])
    return draw(st.sampled_from([period, f"{year}/{month:02d}", f"{year}.{month:02d}", f"{year}{month:02d}",
                                 f"{year}年{month}月", f"{year}年{month:02d}月份"]))


def in_unit(draw, code: str, value: Decimal) -> tuple[Decimal, str]:
    unit = INDICATORS[code].unit
    if unit in SCALED_UNITS and draw(st.booleans()):
        scaled, factor = SCALED_UNITS[unit]
        return value * factor, scaled
    return value, unit


def label(draw, code: str) -> str:
    return draw(st.sampled_from([code, INDICATORS[code].name]))


def write_long_csv(draw, table: Table) -> tuple[bytes, str]:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
    rows = [["指标", "期间", "数值", "单位"]]
    for (code, period), value in table.items():
        written, unit = in_unit(draw, code, value)
        rows.append([label(draw, code), period_text(draw, period), number_text(draw, written), unit])
    return csv_bytes(rows, encoding), "长表.csv"


def write_long_xlsx_with_year_to_date(draw, table: Table) -> tuple[bytes, str]:
    """Flows whose earlier months are all in the table are written as 累计; the rest as month figures."""
    rows = [["XX经济开发区 指标填报"], ["指标编码", "期间", "本月值", "累计值"]]
    for (code, period), value in table.items():
        year, month = period[:4], int(period[5:])
        earlier = [table.get((code, f"{year}-{m:02d}")) for m in range(1, month)]
        as_ytd = INDICATORS[code].kind == "flow" and None not in earlier and draw(st.booleans())
        when = draw(st.sampled_from([period_text(draw, period), dt.date(int(year), month, 1)]))
        rows.append([code, when, None, float(sum(earlier, value))] if as_ytd else [code, when, float(value), None])
    return xlsx_bytes({"填报": rows}), "累计.xlsx"


def wide_rows(draw, table: Table, dates: bool) -> list[list]:
    periods = sorted({p for _, p in table})
    codes = list(dict.fromkeys(c for c, _ in table))
    headers = [draw(st.sampled_from([period_text(draw, p)] + ([dt.datetime(int(p[:4]), int(p[5:]), 1)] if dates else [])))
               for p in periods]
    rows = [["指标名称", "单位", *headers]]
    for code in codes:
        unit = INDICATORS[code].unit
        cells = [float(table[(code, p)]) if (code, p) in table else draw(st.sampled_from(BLANKS)) for p in periods]
        rows.append([INDICATORS[code].name, unit, *cells])
    return rows


def write_wide_xlsx(draw, table: Table) -> tuple[bytes, str]:
    return xlsx_bytes({"各月": [["2021-2023年各月数据"], *wide_rows(draw, table, dates=True)]}), "宽表.xlsx"


def write_wide_xls(draw, table: Table) -> tuple[bytes, str]:
    return xls_bytes({"各月": wide_rows(draw, table, dates=False)}), "宽表.xls"


def write_wide_ods(draw, table: Table) -> tuple[bytes, str]:
    return ods_bytes({"各月": wide_rows(draw, table, dates=False)}), "宽表.ods"


def write_monthly_report(draw, table: Table) -> tuple[bytes, str]:
    """One month only, as a 统计月报 is; the table passed in holds a single period."""
    (period,) = {p for _, p in table}
    year, month = int(period[:4]), int(period[5:])
    rows = [[f"XX经济开发区{year}年{month}月主要经济指标"], ["指标名称", "单位", "本月"]]
    for (code, _), value in table.items():
        written, unit = in_unit(draw, code, value)
        rows.append([INDICATORS[code].name, unit, float(written)])
    rows.append(["注：数据来源为各部门月报。"])
    return xlsx_bytes({f"{month}月": rows}), "月报.xlsx"


STYLES = [write_long_csv, write_long_xlsx_with_year_to_date, write_wide_xlsx, write_wide_xls, write_wide_ods,
          write_monthly_report]


@st.composite
def written_tables(draw) -> tuple[Table, bytes, str]:
    table = draw(tables())
    style = draw(st.sampled_from(STYLES))
    if style is write_monthly_report:
        first_period = next(iter(table))[1]
        table = {key: value for key, value in table.items() if key[1] == first_period}
    data, name = style(draw, table)
    return table, data, name


def imported(result) -> dict[tuple[str, str], float]:
    assert result.ok, [p.line() for p in result.errors]
    assert set(result.preview.entity) == {catalog.ZONE} and set(result.preview.months) == {1}
    return {(r.indicator_code, r.period): r.value for r in result.preview.itertuples()}


@pytest.fixture(scope="module")
def shared_empty_store(tmp_path_factory) -> Store:
    """Previews never write figures, so one empty database serves every example."""
    store = Store(tmp_path_factory.mktemp("property") / "m.duckdb")
    tracker.init_database(store)
    return store


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written_tables())
def test_random_valid_tables_in_any_supported_style_preview_exactly_their_values(shared_empty_store, written):
    table, data, name = written
    result = preview_file(shared_empty_store, data, name, actor=EDITOR)
    assert imported(result) == {key: float(value) for key, value in table.items()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written_tables())
def test_random_valid_tables_are_stored_with_exactly_their_values(written):
    table, data, name = written
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "m.duckdb")
        tracker.init_database(store)
        assert import_file(store, data, name, actor=EDITOR).committed
        stored = {(r.indicator_code, r.period): r.value for r in store.observations().itertuples()}
    assert stored == {key: float(value) for key, value in table.items()}
