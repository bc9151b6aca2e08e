"""The leaders' deck, read back with python-pptx: native charts, their data, Chinese typefaces,
16:9 pages, and the office's template."""
import io
import zipfile

import pandas as pd
import pytest
from pptx import Presentation
from pptx.chart.plot import BarPlot, LinePlot
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn

from conftest import REPO
from metrics import calc, catalog, tracker
from metrics.export import TemplateError, export_deck, plan_deck
from metrics.export.deck import DEFAULT_TEMPLATE
from metrics.export.deck.chart_xml import number_format
from tools.make_template import build_template
from metrics.narrative import indicator_sentence
from metrics.store import StoreError
from metrics.auth import Actor

ZONE = catalog.ZONE
PERIOD = "2023-04"
CODES = ["land_cleared", "invoice_sales", "tax_per_mu", "foreign_capital"]


@pytest.fixture(scope="module")
def deck(shared_demo_store):
    plan, data = export_deck(shared_demo_store, PERIOD, codes=CODES)
    return plan, Presentation(io.BytesIO(data))


def slide_for(deck, code):
    plan, prs = deck
    index = next(i for i, s in enumerate(plan.slides) if s.kind == "indicator" and s.code == code)
    return plan.slides[index], prs.slides[index]


def charts_on(slide):
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def texts_on(slide):
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def store_values(store, code, year):
    obs = store.observations(entity=ZONE, codes=[code])
    months = obs[obs["period"].str.startswith(str(year)) & (obs["period"] <= f"{year}-04")]
    return list(months.sort_values("period")["value"])


def test_slides_are_16_to_9(deck):
    _, prs = deck
    assert prs.slide_width * 9 == prs.slide_height * 16


def test_deck_has_cover_overview_indicators_debt_and_ledger_in_order(deck):
    plan, prs = deck
    kinds = [s.kind for s in plan.slides]
    assert kinds[0] == "cover" and kinds[1] == "overview"
    assert kinds[-2:] == ["debt", "ledger"]
    assert [s.code for s in plan.slides if s.kind == "indicator"] == CODES
    assert len(prs.slides) == len(plan.slides)


def test_monthly_chart_has_bars_and_the_target_line_in_one_chart_sharing_axes(deck):
    _, slide = slide_for(deck, "land_cleared")
    monthly = charts_on(slide)[0]
    assert [type(p) for p in monthly.plots] == [BarPlot, LinePlot]
    plot_area = monthly._chartSpace.chart.plotArea
    bar_axes = [a.get("val") for a in plot_area.find(qn("c:barChart")).findall(qn("c:axId"))]
    line_axes = [a.get("val") for a in plot_area.find(qn("c:lineChart")).findall(qn("c:axId"))]
    assert bar_axes == line_axes
    assert [s.name for s in monthly.plots[1].series] == ["目标月均进度"]


def test_chart_categories_are_this_years_months(deck):
    _, slide = slide_for(deck, "land_cleared")
    for chart in charts_on(slide):
        assert list(chart.plots[0].categories) == ["1月", "2月", "3月", "4月"]


def test_bar_values_equal_the_stores_figures_and_the_line_is_the_monthly_target_pace(deck, shared_demo_store):
    _, slide = slide_for(deck, "land_cleared")
    monthly = charts_on(slide)[0]
    this_year, last_year = monthly.plots[0].series
    assert list(this_year.values) == store_values(shared_demo_store, "land_cleared", 2023)
    assert list(last_year.values) == store_values(shared_demo_store, "land_cleared", 2022)
    targets = shared_demo_store.targets()
    annual = calc.target_for(targets, "land_cleared", ZONE, 2023)["value"]
    assert list(monthly.plots[1].series[0].values) == pytest.approx([annual / 12] * 4, abs=0.01)


def test_every_series_reads_its_values_from_the_embedded_workbook_that_编辑数据_opens(deck):
    from openpyxl import load_workbook

    _, slide = slide_for(deck, "land_cleared")
    for chart in charts_on(slide):
        book = load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
        for plot in chart.plots:
            for series in plot.series:
                reference = series._element.find(f"{qn('c:val')}/{qn('c:numRef')}/{qn('c:f')}").text
                sheet_name, cells = reference.split("!")
                cells = book[sheet_name][cells.replace("$", "")]
                assert [row[0].value for row in cells] == list(series.values), series.name


def test_completion_chart_sets_cumulative_completion_against_time_progress(deck, shared_demo_store):
    _, slide = slide_for(deck, "land_cleared")
    completion = charts_on(slide)[1]
    assert [type(p) for p in completion.plots] == [BarPlot, LinePlot]
    assert list(completion.plots[1].series[0].values) == [8.3, 16.7, 25.0, 33.3]
    annual = calc.target_for(shared_demo_store.targets(), "land_cleared", ZONE, 2023)["value"]
    ytd = pd.Series(store_values(shared_demo_store, "land_cleared", 2023)).cumsum()
    assert list(completion.plots[0].series[0].values) == [round(v / annual * 100, 1) for v in ytd]


def test_floor_indicator_gets_one_chart_with_its_floor_as_the_line(deck):
    _, slide = slide_for(deck, "tax_per_mu")
    (chart,) = charts_on(slide)
    assert [s.name for s in chart.plots[1].series] == ["底线要求"]
    assert set(chart.plots[1].series[0].values) == {8.0}


def test_number_formats_carry_the_indicators_decimals_and_unit(deck):
    _, slide = slide_for(deck, "invoice_sales")
    chart = charts_on(slide)[0]
    formats = {f.text for f in chart._chartSpace.iter(qn("c:formatCode"))}
    assert '#,##0.0"亿元"' in formats
    labels = chart.plots[0].series[0].data_labels
    assert labels.number_format == "#,##0.0" and not labels.number_format_is_linked
    assert chart.value_axis.axis_title.text_frame.text == "亿元"
    assert number_format(0, "亩") == '#,##0"亩"' and number_format(1, "%") == '#,##0.0"%"'


def test_debt_chart_stacks_balances_with_the_short_term_share_on_a_secondary_axis(deck):
    plan, prs = deck
    index = next(i for i, s in enumerate(plan.slides) if s.kind == "debt")
    (chart,) = charts_on(prs.slides[index])
    bars, line = chart.plots
    assert isinstance(bars, BarPlot) and isinstance(line, LinePlot)
    assert chart._chartSpace.find(f".//{qn('c:barChart')}/{qn('c:grouping')}").get("val") == "stacked"
    assert [s.name for s in bars.series] == ["短期贷款余额", "中长期贷款余额", "债券（直接融资）余额"]
    assert [s.name for s in line.series] == ["短期债务占比"]
    plot_area = chart._chartSpace.chart.plotArea
    line_axes = [a.get("val") for a in plot_area.find(qn("c:lineChart")).findall(qn("c:axId"))]
    secondary = [a for a in plot_area.findall(qn("c:valAx")) if a.find(qn("c:axId")).get("val") in line_axes]
    assert len(secondary) == 1
    assert secondary[0].find(qn("c:axPos")).get("val") == "r"
    assert secondary[0].find(qn("c:crosses")).get("val") == "max"


def test_every_text_run_and_every_chart_names_an_east_asian_typeface(deck):
    _, prs = deck
    roots = []
    for slide in prs.slides:
        roots.append(slide._element)
        if slide.has_notes_slide:
            roots.append(slide.notes_slide._element)
        roots += [chart._chartSpace for chart in charts_on(slide)]
    runs = 0
    for root in roots:
        for run in root.iter(qn("a:r"), qn("a:fld")):
            runs += 1
            east_asian = run.find(f"{qn('a:rPr')}/{qn('a:ea')}")
            assert east_asian is not None and east_asian.get("typeface") == "微软雅黑", run.findtext(qn("a:t"))
    assert runs > 100
    for slide in prs.slides:
        for chart in charts_on(slide):
            default = chart._chartSpace.find(f"{qn('c:txPr')}//{qn('a:defRPr')}/{qn('a:ea')}")
            assert default is not None and default.get("typeface") == "微软雅黑"


def test_each_indicator_slide_carries_the_report_sentence_in_a_text_box_and_the_notes(deck, shared_demo_store):
    _, assessments, _ = tracker.assessed_overview(shared_demo_store, ZONE, PERIOD)
    by_code = {a.code: a for a in assessments}
    for code in CODES:
        planned, slide = slide_for(deck, code)
        sentence = indicator_sentence(catalog.indicator(code), by_code[code])
        assert sentence in texts_on(slide)
        assert sentence in slide.notes_slide.notes_text_frame.text
        assert slide.shapes.title.text_frame.text == planned.title
        assert planned.title.startswith(catalog.indicator(code).name + "：")


def test_every_data_slide_names_its_source_and_as_of_month(deck):
    plan, prs = deck
    for planned, slide in zip(plan.slides[1:], list(prs.slides)[1:]):
        text = "".join(texts_on(slide))
        assert "数据来源" in text, planned.title
        if planned.kind != "ledger":
            assert "数据截至2023年4月" in text, planned.title


def test_illustrative_figures_are_labelled_on_every_slide_that_shows_them(deck):
    plan, prs = deck
    for planned, slide in zip(plan.slides, prs.slides):
        labelled = "示例数据" in texts_on(slide)
        assert labelled == planned.illustrative, planned.title
    assert sum(s.illustrative for s in plan.slides) >= len(CODES)


def test_real_figures_carry_no_illustrative_label(empty_store):
    rows = pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": f"2023-0{m}", "value": 100.0 + m}
                         for m in range(1, 5)])
    empty_store.commit_batch(rows, actor=Actor("统计员甲", "editor"), file_name="四月.xlsx", sha256="0" * 64)
    plan, data = export_deck(empty_store, PERIOD, codes=["land_cleared"])
    prs = Presentation(io.BytesIO(data))
    _, slide = next((p, s) for p, s in zip(plan.slides, prs.slides) if p.code == "land_cleared")
    assert "示例数据" not in texts_on(slide)
    assert list(charts_on(slide)[0].plots[0].series[0].values) == [101.0, 102.0, 103.0, 104.0]


def test_overview_colours_each_status_and_lists_every_indicator_with_a_target(deck, shared_demo_store):
    plan, prs = deck
    _, assessments, _ = tracker.assessed_overview(shared_demo_store, ZONE, PERIOD)
    fills, rows = set(), 0
    for planned, slide in zip(plan.slides, prs.slides):
        if planned.kind != "overview":
            continue
        table = next(s.table for s in slide.shapes if s.has_table)
        for row in list(table.rows)[1:]:
            rows += 1
            fills.add(str(row.cells[0].fill.fore_color.rgb))
    assert rows == sum(a.status != "none" for a in assessments)
    assert fills == {"2E7D32", "E09B00", "C00000", "1F4E79"}  # 1F4E79: a year-end target still open


def test_ledger_slide_shows_the_listed_counts_and_the_disagreement_with_the_summary(deck):
    plan, prs = deck
    planned, slide = plan.slides[-1], prs.slides[-1]
    (chart,) = charts_on(slide)
    assert [list(s.values) for s in chart.plots[0].series][0][0] == 18
    assert "17" in planned.text and "18" in planned.text
    table = next(s.table for s in slide.shapes if s.has_table)
    assert len(table.rows) == 1 + 6


def test_no_indicators_chosen_leaves_cover_overview_debt_and_ledger(shared_demo_store):
    plan = plan_deck(shared_demo_store, PERIOD, [])
    assert {s.kind for s in plan.slides} == {"cover", "overview", "debt", "ledger"}


@pytest.mark.parametrize("codes, period, message", [
    (["land_cleard"], PERIOD, "land_cleared"),
    (None, "2030-01", "最新有数据的月份是 2023-04"),
])
def test_unknown_indicator_or_month_without_figures_is_refused_in_chinese(shared_demo_store, codes, period, message):
    with pytest.raises(StoreError, match=message):
        plan_deck(shared_demo_store, period, codes)


def office_template() -> bytes:
    """An office template built in code: 4:3, English layout names prefixed 办公室-, one slide of
    its own, and 'Title Only' moved to the end so only placeholder types can find it."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = "旧内容：上个月的汇报"
    for layout in prs.slide_layouts:
        layout._element.cSld.set("name", "办公室-" + layout.name)
    id_list = prs.slide_master._element.get_or_add_sldLayoutIdLst()
    title_only = id_list[5]
    id_list.remove(title_only)
    id_list.append(title_only)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def test_template_layouts_are_used_by_placeholder_type_and_its_own_slides_removed(shared_demo_store, tmp_path):
    template = tmp_path / "办公室模板.pptx"
    template.write_bytes(office_template())
    plan, data = export_deck(shared_demo_store, PERIOD, template=template, codes=["land_cleared"])
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == len(plan.slides)
    layouts = [s.slide_layout.name for s in prs.slides]
    assert layouts[0] == "办公室-Title Slide"
    assert set(layouts[1:]) == {"办公室-Title Only"}
    assert all("旧内容" not in t for s in prs.slides for t in texts_on(s))
    assert len(prs.slide_masters) == 1
    # The template's own 4:3 page stays: its layouts were drawn for it.
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)


def test_potx_template_is_accepted(shared_demo_store, tmp_path):
    source = zipfile.ZipFile(io.BytesIO(office_template()))
    template = tmp_path / "办公室模板.potx"
    with zipfile.ZipFile(template, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"presentation.main+xml", b"template.main+xml")
            target.writestr(item, data)
    plan, data = export_deck(shared_demo_store, PERIOD, template=template, codes=[])
    assert len(Presentation(io.BytesIO(data)).slides) == len(plan.slides)


def test_unreadable_template_is_refused_in_chinese(shared_demo_store, tmp_path):
    broken = tmp_path / "坏模板.pptx"
    broken.write_text("不是幻灯片")
    with pytest.raises(TemplateError, match="已损坏"):
        export_deck(shared_demo_store, PERIOD, template=broken, codes=[])


def test_default_template_is_what_make_template_builds():
    built = io.BytesIO()
    build_template().save(built)
    shipped = zipfile.ZipFile(DEFAULT_TEMPLATE)
    rebuilt = zipfile.ZipFile(built)
    names = sorted(set(shipped.namelist()) - {"docProps/core.xml"})
    assert names == sorted(set(rebuilt.namelist()) - {"docProps/core.xml"})
    for name in names:
        assert shipped.read(name) == rebuilt.read(name), name
    assert DEFAULT_TEMPLATE == REPO / "data" / "deck_template.pptx"


def test_default_template_is_16_to_9_with_a_title_only_and_a_cover_layout():
    prs = Presentation(DEFAULT_TEMPLATE)
    assert prs.slide_width * 9 == prs.slide_height * 16
    kinds = [{p.placeholder_format.type for p in layout.placeholders} for layout in prs.slide_layouts]
    assert any(PP_PLACEHOLDER.CENTER_TITLE in k for k in kinds)
    assert any(k & {PP_PLACEHOLDER.TITLE} and not k & {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT} for k in kinds)
    assert len(prs.slides) == 0


def test_export_page_lists_the_slides_and_offers_both_downloads_after_one_click(shared_demo_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("METRICS_DB", str(shared_demo_store.path))
    at = AppTest.from_file(str(REPO / "metrics" / "ui" / "pages" / "export.py"), default_timeout=60)
    at.session_state["deck_indicators"] = ["land_cleared"]
    at.run()
    assert not at.exception
    assert at.multiselect[0].value == ["land_cleared"]
    assert at.subheader[0].value == f"共 {len(plan_deck(shared_demo_store, PERIOD, ['land_cleared']).slides)} 页"
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 2


def _chart_on_blank_slide(data):
    from metrics.export.deck.chart_xml import add_native_chart
    from metrics.export.deck.template import Box
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    return add_native_chart(slide, data, Box(0, 0, prs.slide_width, prs.slide_height)).chart


def test_a_rank_chart_is_lines_on_a_reversed_axis_so_first_place_is_at_the_top():
    from metrics.chartdata import ChartData
    chart = _chart_on_blank_slide(ChartData(
        title="排名", categories=["3月", "4月"], bars={},
        lines={"2023年": [33, 33], "2022年同期": [37, 37], "年末目标": [30, 30]}, unit="位", ranks=True))
    assert all(isinstance(p, LinePlot) for p in chart.plots)
    assert chart.value_axis.reverse_order is True


def test_a_bar_label_that_would_sit_on_the_target_line_goes_inside_the_bar():
    from pptx.enum.chart import XL_LABEL_POSITION
    from metrics.chartdata import ChartData
    chart = _chart_on_blank_slide(ChartData(
        title="t", categories=["1月", "2月", "3月"], bars={"2023年": [190.0, 100.0, 205.0]},
        lines={"目标月均进度": [200.0, 200.0, 200.0]}, unit="亩"))
    bars = chart.plots[0].series[0]
    positions = [bars.points[i].data_label.position for i in range(3)]
    # 190 sits just under the line at 200, and 205 just on it; 100 is far below.
    assert positions[0] == positions[2] == XL_LABEL_POSITION.INSIDE_END
    assert positions[1] != XL_LABEL_POSITION.INSIDE_END


def test_upload_notes_appear_under_the_indicators_chart_and_in_the_speaker_notes(demo_store):
    demo_store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                           "value": 300.0, "note": "含一次性收回闲置地块"}]),
                            actor=Actor("统计员", "admin"), file_name="四月.xlsx", sha256="n" * 64)
    plan, data = export_deck(demo_store, PERIOD, codes=["land_cleared"])
    index = next(i for i, s in enumerate(plan.slides) if s.code == "land_cleared")
    slide = Presentation(io.BytesIO(data)).slides[index]
    texts = [s for s in slide.shapes if s.has_text_frame and "备注：4月 含一次性收回闲置地块" in s.text_frame.text]
    chart = next(s for s in slide.shapes if s.has_chart)
    assert texts and texts[0].top >= chart.top + chart.height
    assert "含一次性收回闲置地块" in slide.notes_slide.notes_text_frame.text
