"""The month's Word 汇报材料 (issue 16, item 6), read back with python-docx: GB/T 9704's page,
typefaces and sizes on every run, the headings, the sentences, the status table against the
assessments, the ledger's counts with the report's own disagreement, the 示例数据 label and the
pictures; the command line and the export page; and a real LibreOffice render."""
import io
import subprocess

import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image

from conftest import REPO, fill, initialised_store, requires_system_tool, run_cli
from metrics import calc, catalog, tracker
from metrics import formatting as fmt
from metrics.auth import Actor
from metrics.export import export_report, plan_report
from metrics.export.report_docx import (ALL_ILLUSTRATIVE_NOTE, SOME_ILLUSTRATIVE_NOTE, TABLE_COLUMNS, build_report,
                                        chinese_numeral)
from metrics.narrative import indicator_sentence
from metrics.status import BEHIND
from metrics.store import StoreError

ZONE = catalog.ZONE
PERIOD = "2023-04"
STAFF = Actor("统计员", "admin")


def tiny_png(colour=(31, 78, 121)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def report(shared_demo_store):
    """The demo month with stand-in pictures (real ones need Chromium: see the slow tests)."""
    plan = plan_report(shared_demo_store, PERIOD)
    data = build_report(plan, [tiny_png() for _ in plan.charts])
    return plan, Document(io.BytesIO(data))


def all_runs(doc):
    body = list(doc.element.body.iter(qn("w:r")))
    footer = list(doc.sections[0].footer._element.iter(qn("w:r")))
    return body + footer


def east_asian(run_element) -> str | None:
    fonts = run_element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def paragraphs_in_body(doc):
    return [p for p in doc.paragraphs if p.text]


def heading_paragraphs(doc, level: int):
    return [p for p in doc.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:outlineLvl")) is not None
            and p._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)]


def run_size(paragraph) -> set:
    return {r.font.size for r in paragraph.runs}


def run_east_asian(paragraph) -> set:
    return {east_asian(r._r) for r in paragraph.runs}


# ---- layout ----------------------------------------------------------------------------------

def test_the_title_is_xiaobiaosong_2hao_centred_and_names_the_month(report):
    plan, doc = report
    title = doc.paragraphs[0]
    assert title.text == plan.title == "全区重点指标进展情况汇报（2023年4月）"
    assert run_size(title) == {Pt(22)}
    assert run_east_asian(title) == {"方正小标宋简体"}
    assert title.alignment == 1  # centred


def test_every_run_names_its_east_asian_and_latin_typeface(report):
    _, doc = report
    runs = all_runs(doc)
    assert len(runs) > 200
    for run in runs:
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")) and fonts.get(qn("w:ascii")) == "Times New Roman"
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:eastAsiaTheme")) is None
    assert {east_asian(r) for r in runs} == {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}


def test_the_document_defaults_name_fangsong_rather_than_theme_fonts(report):
    _, doc = report
    fonts = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and fonts.get(qn("w:eastAsiaTheme")) is None


def test_the_page_is_a4_with_gbt_9704_margins(report):
    _, doc = report
    section = doc.sections[0]
    def mm(length) -> float:  # stored in twentieths of a point
        return round(length.mm, 1)
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)] == [
        37, 35, 28, 26]


def test_body_paragraphs_are_fangsong_3hao_at_a_fixed_29_point_pitch_indented_two_characters(report):
    plan, doc = report
    sentences = {item.sentence for s in plan.sections for item in s.items}
    body = [p for p in doc.paragraphs if p.text in sentences]
    assert len(body) == len(sentences)
    for p in body:
        assert run_size(p) == {Pt(16)} and run_east_asian(p) == {"仿宋_GB2312"}
        layout = p.paragraph_format
        assert layout.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert Pt(28) <= layout.line_spacing <= Pt(29)
        assert layout.first_line_indent == Pt(32)
        assert p._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"


def test_first_level_headings_are_heiti_one_per_category_then_the_table_and_the_ledger(report):
    plan, doc = report
    headings = heading_paragraphs(doc, 1)
    names = [c.name for c in catalog.categories()]
    expected = [f"{chinese_numeral(i)}、{name}" for i, name in enumerate(names, start=1)]
    expected += [f"{chinese_numeral(len(names) + 1)}、主要指标完成情况一览", f"{chinese_numeral(len(names) + 2)}、巡察整改推进情况"]
    assert [h.text for h in headings] == expected
    assert expected[0] == "一、经济发展" and expected[-1] == "八、巡察整改推进情况"
    for h in headings:
        assert run_east_asian(h) == {"黑体"} and run_size(h) == {Pt(16)}


def test_second_level_headings_are_kaiti_naming_each_indicator_of_the_category(report):
    plan, doc = report
    headings = heading_paragraphs(doc, 2)
    expected = [f"（{chinese_numeral(n)}）{item.name}" for s in plan.sections for n, item in enumerate(s.items, 1)]
    assert [h.text for h in headings] == expected
    assert expected[0] == "（一）规上工业开票销售"
    for h in headings:
        assert run_east_asian(h) == {"楷体_GB2312"} and run_size(h) == {Pt(16)}


def test_chinese_numerals_for_headings():
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 23, 99)] == ["一", "九", "十", "十一", "二十", "二十三", "九十九"]


# ---- content ---------------------------------------------------------------------------------

def test_the_headline_counts_indicators_on_pace_behind_and_reported(report, shared_demo_store):
    plan, doc = report
    _, assessments, _ = tracker.assessed_overview(shared_demo_store, ZONE, PERIOD)
    with_target = [a for a in assessments if a.status != "none"]
    on_pace = sum(a.status == "green" for a in with_target)
    behind = sum(a.status in BEHIND for a in with_target)
    reported, expected = calc.reporting(shared_demo_store.observations(entity=ZONE)).line(PERIOD)
    headline = next(p.text for p in doc.paragraphs if p.text.startswith("截至"))
    assert headline == plan.headline
    assert f"{len(with_target)}项有目标的指标中，{on_pace}项达到序时进度（或达标），{behind}项滞后" in headline
    assert f"本月应报的{expected}项指标中已报送{reported}项" in headline


def test_each_indicator_has_its_sentence_with_the_full_year_projection_where_behind(report, shared_demo_store):
    _, doc = report
    text = "\n".join(p.text for p in doc.paragraphs)
    _, assessments, _ = tracker.assessed_overview(shared_demo_store, ZONE, PERIOD)
    inds = catalog.indicators()
    for a in assessments:
        assert indicator_sentence(inds[a.code], a) in text, a.code
    invoice = next(a for a in assessments if a.code == "invoice_sales")
    assert invoice.status in BEHIND and invoice.projection is not None
    assert f"预计全年{fmt.amount(invoice.projection, '亿元', 1)}" in text


def test_the_status_table_has_a_row_per_indicator_matching_its_assessment(report, shared_demo_store):
    plan, doc = report
    (table,) = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == TABLE_COLUMNS
    _, assessments, _ = tracker.assessed_overview(shared_demo_store, ZONE, PERIOD)
    inds = catalog.indicators()
    by_name = {inds[a.code].name: a for a in assessments}
    assert [r[0] for r in rows[1:]] == [item.name for s in plan.sections for item in s.items]
    for name, unit, ytd, target, completion, progress, status in rows[1:]:
        a = by_name[name]
        ind = inds[a.code]
        assert unit == ind.unit
        assert ytd == fmt.number(a.ytd, ind.decimals)
        assert target.startswith("—" if a.target is None else fmt.number(a.target, 0 if float(a.target).is_integer() else ind.decimals))
        assert progress == fmt.percent(a.progress, is_fraction=True)
        if a.completion is not None:
            assert completion == fmt.percent(a.completion, is_fraction=True)
        assert (status in ("滞后于序时进度", "略滞后于序时进度", "未达标")) == (a.status in BEHIND), name
    foreign = next(r for r in rows if r[0] == "实际到账外资")
    assert foreign[4] == "18.4%" and foreign[6] == "滞后于序时进度"
    output = next(r for r in rows if r[0] == "亩均产出")
    assert output[4] == "−4万元/亩" and output[6] == "未达标"
    rank = next(r for r in rows if r[0] == "省级开发区综合考核排名")
    assert rank[4] == "−3位" and rank[6] == "未达标"
    tax = next(r for r in rows if r[0] == "亩均税收")
    assert tax[4] == "+0.30万元/亩" and tax[6] == "达标"


def test_behind_rows_are_red_in_the_status_table(report):
    _, doc = report
    (table,) = doc.tables
    foreign = next(row for row in table.rows if row.cells[0].text == "实际到账外资")
    assert str(foreign.cells[6].paragraphs[0].runs[0].font.color.rgb) == "C00000"
    land = next(row for row in table.rows if row.cells[0].text == "低效用地清理面积")
    assert land.cells[6].paragraphs[0].runs[0].font.color.rgb is None


def test_the_ledger_section_counts_problems_and_keeps_the_reports_17_7_against_18_6_in_view(report, shared_demo_store):
    _, doc = report
    text = "\n".join(p.text for p in doc.paragraphs)
    _, problems, measures = shared_demo_store.ledger()
    done = int((problems["status"] == "done").sum())
    assert (len(problems), done) == (24, 18)
    assert f"巡察反馈的24个问题中，已整改完成18个，正在推进6个；{len(measures)}项整改措施中" in text
    assert "报告汇总称已整改完成17个、正在推进7个，但报告逐项列出的为已整改完成18个、正在推进6个" in text
    in_progress = problems[problems["status"] != "done"]["title"].tolist()
    for n, title in enumerate(in_progress, start=1):
        assert any(p.text.startswith(f"{n}. {title}（") for p in doc.paragraphs)


def test_illustrative_figures_are_labelled_under_the_title_and_in_the_source_note(report):
    plan, doc = report
    assert doc.paragraphs[1].text == plan.illustrative_note == ALL_ILLUSTRATIVE_NOTE
    assert "示例数据" in ALL_ILLUSTRATIVE_NOTE
    note = next(p.text for p in doc.paragraphs if p.text.startswith("注："))
    assert "示例数据（系统生成，非真实统计）" in note
    assert all(chart.illustrative for chart in plan.charts)  # each picture carries the 示例数据 stamp


def test_a_real_upload_beside_illustrative_figures_labels_each_illustrative_sentence(demo_store):
    demo_store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                           "value": 300.0}]), actor=STAFF, file_name="四月.xlsx", sha256="a" * 64)
    plan = plan_report(demo_store, PERIOD)
    assert plan.illustrative_note == SOME_ILLUSTRATIVE_NOTE
    items = {item.code: item for s in plan.sections for item in s.items}
    assert not items["land_cleared"].sentence.endswith("（示例数据）")
    assert items["invoice_sales"].sentence.endswith("（示例数据）")


def test_a_report_of_real_figures_only_says_nothing_of_illustrative_data(tmp_path):
    store = initialised_store(tmp_path / "metrics.duckdb")
    store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                      "value": 300.0}]), actor=STAFF, file_name="四月.xlsx", sha256="b" * 64)
    plan = plan_report(store, PERIOD)
    doc = Document(io.BytesIO(build_report(plan)))
    text = "\n".join(p.text for p in doc.paragraphs)
    # The shipped targets are illustrative and say so (目标为示例目标); the figures are not.
    assert plan.illustrative_note == "" and "示例数据" not in text
    assert "数据来源：各部门月度上报" in text


def test_upload_notes_follow_the_indicators_sentence(demo_store):
    demo_store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                           "value": 300.0, "note": "含一次性收回闲置地块"}]),
                            actor=STAFF, file_name="四月.xlsx", sha256="n" * 64)
    plan = plan_report(demo_store, PERIOD)
    doc = Document(io.BytesIO(build_report(plan)))
    texts = [p.text for p in doc.paragraphs]
    sentence = next(i for i, t in enumerate(texts) if t.startswith("1-4月，全区低效用地清理面积"))
    assert texts[sentence + 1] == "备注：4月 含一次性收回闲置地块"


def test_each_behind_indicator_gets_its_chart_picture_right_under_its_sentence(report):
    plan, doc = report
    behind = [item for s in plan.sections for item in s.items if item.chart is not None]
    assert {item.code for item in behind} == {"invoice_sales", "output_per_mu", "provincial_rank", "srdi_municipal_new",
                                              "projects_introduced_100m", "foreign_capital", "land_approved"}
    assert len(doc.inline_shapes) == len(behind)
    body = doc.paragraphs
    for item in behind:
        at = next(i for i, p in enumerate(body) if p.text == item.sentence)
        following = body[at + 1 + bool(item.notes)]
        assert following._p.find(".//" + qn("w:drawing")) is not None, item.code
        # Exact line spacing would clip the picture to one line.
        assert following.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE


def test_without_pictures_the_report_has_none(shared_demo_store):
    plan = plan_report(shared_demo_store, PERIOD)
    assert len(Document(io.BytesIO(build_report(plan, None))).inline_shapes) == 0


def test_the_footer_numbers_pages_with_a_page_field(report):
    _, doc = report
    footer = doc.sections[0].footer._element
    assert [i.text for i in footer.iter(qn("w:instrText"))] == [" PAGE "]
    assert "— " in "".join(t.text for t in footer.iter(qn("w:t")))


def test_a_month_without_figures_and_an_unknown_entity_are_refused_in_chinese(shared_demo_store):
    with pytest.raises(StoreError, match="2030-01 没有全区的月度数据，无法生成汇报材料。最新有数据的月份是"):
        plan_report(shared_demo_store, "2030-01")
    with pytest.raises(StoreError, match="没有名为“不存在的园区”的主体"):
        plan_report(shared_demo_store, PERIOD, "不存在的园区")


# ---- the command line ------------------------------------------------------------------------

def test_cli_writes_the_report_without_pictures_when_asked(shared_demo_store, tmp_path):
    out = tmp_path / "汇报材料.docx"
    result = run_cli("export-report", "--period", PERIOD, "--out", str(out), "--no-pictures", db=shared_demo_store)
    assert result.returncode == 0, result.stderr
    assert "已生成汇报材料" in result.stdout and "未插入图表图片" in result.stdout and "示例数据" in result.stdout
    doc = Document(out)
    assert doc.paragraphs[0].text == "全区重点指标进展情况汇报（2023年4月）" and len(doc.inline_shapes) == 0
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_cli_refuses_without_chromium_unless_told_to_leave_the_pictures_out(shared_demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium-here"))
    out = tmp_path / "汇报材料.docx"
    out.write_bytes(b"last month's report")
    result = run_cli("export-report", "--period", PERIOD, "--out", str(out), db=shared_demo_store)
    assert result.returncode == 1
    assert "无法导出图片" in result.stderr and "--no-pictures" in result.stderr and "Traceback" not in result.stderr
    assert out.read_bytes() == b"last month's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


@pytest.mark.parametrize("arguments, code, message", [
    (["--period", "2023-13"], 2, "月份“2023-13”格式不对"),
    (["--period", "2030-01"], 1, "2030-01 没有全区的月度数据"),
    (["--period", PERIOD, "--entity", "不存在的园区"], 1, "没有名为“不存在的园区”的主体"),
])
def test_cli_rejects_a_bad_month_or_entity_in_chinese_and_writes_nothing(shared_demo_store, tmp_path, arguments, code,
                                                                       message):
    out = tmp_path / "汇报材料.docx"
    result = run_cli("export-report", *arguments, "--out", str(out), "--no-pictures", db=shared_demo_store)
    assert result.returncode == code and message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, message", [
    ("no-such-folder/汇报材料.docx", "无法写入"),
    ("汇报材料.pptx", "应以 .docx 结尾"),
])
def test_cli_refuses_an_output_it_cannot_write_as_bad_arguments(shared_demo_store, tmp_path, name, message):
    result = run_cli("export-report", "--period", PERIOD, "--out", str(tmp_path / name), "--no-pictures",
                     db=shared_demo_store)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_leaves_neither_a_partial_report_nor_a_staging_file(shared_demo_store, small_disk):
    fill(small_disk)
    result = run_cli("export-report", "--period", PERIOD, "--out", str(small_disk / "汇报材料.docx"), "--no-pictures",
                     db=shared_demo_store)
    assert result.returncode == 2 and "无法写入" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in small_disk.iterdir()] == ["filler"]


# ---- the export page -------------------------------------------------------------------------

def test_export_page_builds_the_word_report_and_offers_it_for_download(shared_demo_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("METRICS_DB", str(shared_demo_store.path))
    at = AppTest.from_file(str(REPO / "metrics" / "ui" / "pages" / "export.py"), default_timeout=60)
    at.run()
    assert not at.exception
    no_pictures = next(c for c in at.checkbox if "不插入图表图片" in c.label)
    no_pictures.check().run()
    build = next(b for b in at.button if b.label == "生成 Word 汇报材料")
    build.click().run()
    assert not at.exception and not at.error
    (download,) = [d for d in at.get("download_button") if "汇报材料" in d.proto.label]
    assert download.proto.label == "下载汇报材料（.docx）"


# ---- with Chromium and LibreOffice -----------------------------------------------------------

@pytest.fixture(scope="module")
def rendered_report(shared_demo_store, tmp_path_factory):
    """The real report, its pictures drawn by Chromium, rendered by LibreOffice to PDF and PNG pages."""
    requires_system_tool("chromium", "kaleido draws the report's chart pictures with the system Chromium")
    requires_system_tool("soffice", "LibreOffice renders the Word report to check that it opens and lays out")
    requires_system_tool("pdftoppm", "poppler-utils turns the rendered PDF into page images and text")
    out = tmp_path_factory.mktemp("report_render")
    docx_path = out / "汇报材料.docx"
    plan, _ = export_report(shared_demo_store, PERIOD, docx_path)
    profile = out / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx_path)], check=True, capture_output=True, timeout=240)
    pdf = out / "汇报材料.pdf"
    assert pdf.exists(), "LibreOffice wrote no PDF"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "page")], check=True, timeout=120)
    return plan, docx_path, pdf, sorted(out.glob("page-*.png"))


@pytest.mark.slow
def test_real_pictures_are_pngs_drawn_by_chromium(rendered_report):
    plan, docx_path, _, _ = rendered_report
    doc = Document(docx_path)
    assert len(doc.inline_shapes) == len(plan.charts) == 7
    blobs = [doc.part.related_parts[s._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
             for s in doc.inline_shapes]
    assert all(b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) > 10_000 for b in blobs)


@pytest.mark.slow
def test_libreoffice_lays_the_report_out_on_nonblank_a4_pages_with_its_text(rendered_report):
    plan, _, pdf, pages = rendered_report
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    page_count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert page_count == len(pages) > 3
    assert "(A4)" in info and "Title:           " + plan.title in info
    for page in pages:
        low, high = Image.open(page).convert("L").getextrema()
        assert high - low > 30, f"{page.name} is blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert plan.title in flat
    assert "".join(plan.sections[0].items[0].sentence.split()) in flat
    assert "报告汇总称已整改完成17个、正在推进7个" in flat
    assert "示例数据" in flat


def test_a_stored_note_holding_control_characters_is_written_without_them_instead_of_stopping_the_report(demo_store):
    # Stored as an earlier version kept it: straight into the store, past the upload's cleaning.
    demo_store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": PERIOD,
                                           "value": 300.0, "note": "含一次性收回闲置地块\x07，见附件\x1b"}]),
                            actor=STAFF, file_name="四月.xlsx", sha256="c" * 64)
    doc = Document(io.BytesIO(build_report(plan_report(demo_store, PERIOD))))
    assert "备注：4月 含一次性收回闲置地块，见附件" in [p.text for p in doc.paragraphs]
