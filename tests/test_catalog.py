"""The catalogue keeps docs/DESIGN.md's contract, and every report figure is quoted faithfully."""
import re

import pytest

from metrics import catalog

REPORT = (catalog.DATA_DIR / "report.txt").read_text(encoding="utf-8")

CONTRACT = [
    ("invoice_sales", "规上工业开票销售", "亿元", "flow", "higher"),
    ("tax_per_mu", "亩均税收", "万元/亩", "level", "higher"),
    ("output_per_mu", "亩均产出", "万元/亩", "level", "higher"),
    ("hightech_new", "新认定国家高新技术企业", "家", "flow", "higher"),
    ("srdi_provincial_new", "新认定省级专精特新企业", "家", "flow", "higher"),
    ("projects_signed_100m", "新签约亿元以上项目", "个", "flow", "higher"),
    ("effective_investment", "有效投资", "亿元", "flow", "higher"),
    ("foreign_capital", "实际到账外资", "万美元", "flow", "higher"),
    ("land_cleared", "低效用地清理面积", "亩", "flow", "higher"),
    ("land_approved", "新获批土地面积", "亩", "flow", "higher"),
    ("debt_short_term", "短期贷款余额", "亿元", "level", "lower"),
    ("debt_long_term", "中长期贷款余额", "亿元", "level", None),
    ("bonds_outstanding", "债券（直接融资）余额", "亿元", "level", None),
    ("debt_short_share", "短期债务占比", "%", "derived", "lower"),
    ("hazards_found", "排查安全隐患", "条", "flow", None),
    ("hazards_fixed", "已整改安全隐患", "条", "flow", "higher"),
    ("hazard_fix_rate", "隐患整改率", "%", "derived", "higher"),
]


@pytest.mark.parametrize("code,name,unit,kind,direction", CONTRACT)
def test_contract_indicator_keeps_its_code_name_unit_kind_and_direction(code, name, unit, kind, direction):
    ind = catalog.indicators()[code]
    assert (ind.name, ind.unit, ind.kind) == (name, unit, kind)
    if direction:
        assert ind.direction == direction


@pytest.mark.parametrize("code", ["hightech_new", "srdi_provincial_new", "projects_signed_100m",
                                  "hazards_found", "hazards_fixed"])
def test_counts_are_marked_as_counts_with_no_decimals(code):
    ind = catalog.indicators()[code]
    assert ind.is_count and ind.decimals == 0


def test_catalogue_holds_the_other_indicators_the_report_supports():
    names = {i.name for i in catalog.indicators().values()}
    for expected in ["新认定市级专精特新企业", "新认定省级智能车间", "新增工业列统企业", "新招引亿元项目",
                     "亿元项目开工", "亿元项目竣工", "省级开发区综合考核排名", "占全县规上开票销售比重"]:
        assert expected in names


def test_every_indicator_has_all_attributes_filled_in():
    for ind in catalog.indicators().values():
        assert ind.name_en and ind.definition and ind.category, ind.code
        assert isinstance(ind.kind, catalog.IndicatorKind) and isinstance(ind.direction, catalog.Direction)
        assert ind.category in {c.name for c in catalog.categories()}


def test_derived_indicators_carry_a_formula_over_existing_stored_indicators():
    inds = catalog.indicators()
    derived = [i for i in inds.values() if i.kind == "derived"]
    assert {d.code for d in derived} >= {"debt_short_share", "hazard_fix_rate"}
    for d in derived:
        assert d.inputs, d.code
        assert all(inds[c].kind != "derived" for c in d.inputs)
    assert set(inds["debt_short_share"].inputs) == {"debt_short_term", "debt_long_term", "bonds_outstanding"}


def test_linked_problems_exist_in_the_ledger():
    ids = {p.id for p in catalog.ledger().problems}
    for ind in catalog.indicators().values():
        assert set(ind.problems) <= ids, ind.code


def test_every_report_figure_phrase_is_quoted_verbatim_and_holds_its_number():
    figures = catalog.report_figures()
    assert len(figures) >= 25
    for f in figures:
        assert f.phrase in REPORT, f.phrase
        number = f.value_text or (str(int(f.value)) if float(f.value).is_integer() else str(f.value))
        assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", f.phrase), (number, f.phrase)
        assert f.indicator in catalog.indicators()
        assert f.unit == catalog.indicators()[f.indicator].unit


@pytest.mark.parametrize("code,value", [("invoice_sales", 276.8), ("land_cleared", 2577),
                                        ("land_approved", 3607), ("hightech_new", 31),
                                        ("effective_investment", 30), ("county_sales_share", 68.3)])
def test_report_figures_include_the_zones_2022_totals(code, value):
    assert any(f.indicator == code and f.year == 2022 and f.value == value and f.entity == catalog.ZONE
               for f in catalog.report_figures())


def test_targets_cite_the_report_where_it_implies_them_and_are_marked_illustrative_elsewhere():
    targets = catalog.targets()
    years = {t.year for t in targets}
    assert {2022, 2023} <= years
    tax = [t for t in targets if t.indicator == "tax_per_mu"]
    assert tax and all(t.kind == "floor" and t.value == 8 and not t.illustrative and "8万元" in t.source for t in tax)
    output = [t for t in targets if t.indicator == "output_per_mu"]
    assert output and all(t.kind == "floor" and t.value == 300 and not t.illustrative for t in output)
    bonds = [t for t in targets if t.indicator == "bonds_outstanding" and t.year == 2023]
    assert bonds and "5-10亿元" in bonds[0].source
    for t in targets:
        assert isinstance(t.kind, catalog.TargetKind)
        assert t.illustrative == (t.source == "示例目标"), t
        if t.phasing:
            assert len(t.phasing) == 12 and t.phasing[-1] == 100
