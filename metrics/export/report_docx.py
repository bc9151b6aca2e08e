"""The month's Word 汇报材料, laid out as a 公文 after GB/T 9704-2012.

Two steps, as for the deck: `plan_report` reads the store and decides every paragraph, the status
table and which charts go in; `build_report` draws that plan with python-docx. The wording comes
from the library the screens and slides use (metrics.narrative, metrics.status), so the report
says what they say.

Typefaces are named on every run, East Asian and Latin alike: python-docx's `font.name` writes
only the Latin one, and a document without `w:eastAsia` shows whatever CJK font the reader's
machine picks. The 公文 typefaces (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312) are what Word and
WPS on an office PC have; elsewhere the reader substitutes its own CJK font.
"""
from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .. import catalog, ledger, tracker
from .. import formatting as fmt
from ..calc import Assessment, overview, reporting
from ..catalog import ZONE, Indicator
from ..chartdata import ChartData, _source as source_line, monthly_chart_data
from ..narrative import indicator_sentence, overview_sentence, subject
from ..periods import split_period
from ..status import BEHIND, Status, status_name
from ..status import _distance as distance  # the verdicts' own wording of a margin
from ..store import Store, StoreError
from .deck.plan import remarks
from .images import chart_picture

APP_NAME = "开发区指标跟踪"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# GB/T 9704-2012: the typefaces and sizes (2号 = 22 pt, 3号 = 16 pt, 4号 = 14 pt) of each part.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_1_FONT = "黑体"
HEADING_2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)
BODY_SIZE = Pt(16)
TABLE_SIZE = Pt(10.5)        # 五号: seven columns fit the 156 mm text width
PAGE_NUMBER_SIZE = Pt(14)
# A4 with the standard's margins leaves a 156 × 225 mm text area; 22 lines of 28.95 pt fill it.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINE_PITCH = Pt(28.95)
FOOTER_DISTANCE = Mm(25)     # the page number sits about 7 mm under the text area
INDENT_CHARACTERS = 2
PICTURE_WIDTH = Mm(150)
PICTURE_PIXELS = (640, 330)   # laid out this size, so 12 px labels print at about 8 pt
BEHIND_COLOR = RGBColor(0xC0, 0x00, 0x00)

ILLUSTRATIVE_LABEL = "示例数据"
ALL_ILLUSTRATIVE_NOTE = "（本材料数据均为系统生成的示例数据，非真实统计）"  # one line of 28 characters or less
SOME_ILLUSTRATIVE_NOTE = "（本材料含系统生成的示例数据，已在文中逐项标注）"
TABLE_COLUMNS = ["指标", "单位", "累计/月末", "目标", "完成率或差距", "序时进度", "状态"]
TABLE_WIDTHS_MM = (32, 16, 17, 24, 26, 17, 24)  # 156 mm, the text width


# ---- the plan ------------------------------------------------------------------------------

@dataclass
class ReportItem:
    """One indicator under its category: its 汇报 sentence, 备注 notes and, when behind, its chart."""
    code: str
    name: str
    sentence: str
    notes: str = ""
    chart: ChartData | None = None


@dataclass
class ReportSection:
    heading: str
    items: list[ReportItem]


@dataclass
class ReportPlan:
    period: str
    entity: str
    title: str
    headline: str
    illustrative_note: str   # under the title when any figure shown is illustrative, else empty
    sections: list[ReportSection]
    table_rows: list[list[str]]
    table_statuses: list[str]
    table_note: str
    ledger_paragraphs: list[str]
    ledger_problems: list[str] = field(default_factory=list)

    @property
    def charts(self) -> list[ChartData]:
        return [item.chart for s in self.sections for item in s.items if item.chart is not None]


def plan_report(store: Store, period: str, entity: str = ZONE) -> ReportPlan:
    """Everything the month's report says; raises StoreError for an unknown entity or a month
    without figures."""
    entity = tracker.resolve_entity(store, entity)
    inds = catalog.indicators()
    _, observations, targets = tracker.overview_figures(store, entity, period)
    assessments, series = overview(inds, observations, targets, entity, period)
    if not any(a.value is not None for a in assessments):
        raise StoreError(tracker.no_figures_message(store, period, entity, "汇报材料"))
    shown = [a for a in assessments if a.value is not None or a.status != Status.NONE]
    illustrative = any(a.illustrative for a in shown)
    # When every figure is illustrative the note under the title says so once; in a mix, each
    # illustrative sentence carries the label.
    mixed = illustrative and not all(a.illustrative for a in shown if a.value is not None)
    reported, expected = reporting(observations).line(period)
    pending = tracker.pending_review_note(store, period, entity)  # left out above, as not yet reported
    year, month = split_period(period)

    sections = []
    for category in catalog.categories():
        items = []
        for a in shown:
            ind = inds[a.code]
            if ind.category != category.name:
                continue
            behind = a.status in BEHIND and a.value is not None
            sentence = indicator_sentence(ind, a, entity)
            if mixed and a.illustrative:
                sentence += f"（{ILLUSTRATIVE_LABEL}）"
            items.append(ReportItem(
                code=a.code, name=ind.name, sentence=sentence,
                notes=remarks(store, a.code, entity, period),
                chart=monthly_chart_data(ind, series[a.code], a, entity) if behind else None))
        if items:
            sections.append(ReportSection(category.name, items))

    ordered = [item.code for s in sections for item in s.items]
    by_code = {a.code: a for a in assessments}
    rows = [_table_row(inds[code], by_code[code]) for code in ordered]
    notes = [source_line(illustrative and not mixed), "无序时进度的指标列与目标之差，“+”为优于目标"]
    if mixed:
        notes.append(f"标注“{ILLUSTRATIVE_LABEL}”者为系统生成的示例数据，非真实统计")
    if any(by_code[c].target_illustrative for c in ordered):
        notes.append("目标标“（示例）”者为示例目标")
    ledger_paragraphs, ledger_problems = _ledger_text(store)
    return ReportPlan(
        period=period, entity=entity,
        title=f"{subject(entity)}重点指标进展情况汇报（{year}年{month}月）",
        headline=overview_sentence(inds, shown, entity) + f"本月应报的{expected}项指标中已报送{reported}项"
                 + (f"，{pending}" if pending else "") + "。",
        illustrative_note=(SOME_ILLUSTRATIVE_NOTE if mixed else ALL_ILLUSTRATIVE_NOTE) if illustrative else "",
        sections=sections, table_rows=rows,
        table_statuses=[by_code[c].status for c in ordered], table_note="注：" + "；".join(notes) + "。",
        ledger_paragraphs=ledger_paragraphs, ledger_problems=ledger_problems)


def _table_row(ind: Indicator, a: Assessment) -> list[str]:
    """指标, 单位, 累计/月末, 目标, 完成率或差距, 序时进度, 状态: the completion where the target is a
    share to reach, else the margin to a floor, ceiling, rank or year-end level, signed so that
    + is better than the target (the 状态 column says met or not)."""
    target = "—" if a.target is None else (
        fmt.number(a.target, 0 if float(a.target).is_integer() else ind.decimals)
        + ("（示例）" if a.target_illustrative else ""))
    if a.completion is not None:
        completion = fmt.percent(a.completion, is_fraction=True)
    elif a.status != Status.NONE and a.margin is not None:
        completion = ("+" if a.margin >= 0 else "−") + distance(a.margin, ind.unit, ind.decimals, "zh")
    else:
        completion = "—"
    return [ind.name, ind.unit, fmt.number(a.ytd, ind.decimals), target, completion,
            fmt.percent(a.progress, is_fraction=True), _status_word(a)]


def _status_word(a: Assessment) -> str:
    """The status in a word: against 序时进度 where the target is paced through the year, else
    met or not (a floor, a ceiling, a rank, a level already reached)."""
    if a.progress is not None or a.status in (Status.NONE, Status.OPEN):
        return status_name(a.status)
    return "达标" if a.status == Status.GREEN else "未达标"


def _ledger_text(store: Store) -> tuple[list[str], list[str]]:
    """The ledger's progress, the report's own 17/7 against 18/6 disagreement kept in view, and
    the problems still in progress."""
    summary, problems, measures = store.ledger()
    progress = ledger.progress(summary, problems, measures)
    paragraphs = [f"巡察反馈的{progress.total}个问题中，已整改完成{progress.done}个，正在推进{progress.in_progress}个；"
                  f"{progress.measures}项整改措施中已完成{progress.measures_done}项，正在推进{progress.measures_open}项。"]
    if progress.summary_disagrees:
        paragraphs.append(progress.disagreement())
    open_problems = []
    for p in problems[problems["status"] != ledger.LedgerStatus.DONE].to_dict("records"):
        details = ["整改措施已完成{}/{}项".format(*ledger.measures_done(measures, p["id"]))]
        if p["lead_unit"]:
            details.append(f"牵头单位：{p['lead_unit']}")
        if p["deadline"]:
            details.append(f"完成时限：{p['deadline']}")
        open_problems.append(f"{p['title']}（{'；'.join(details)}）")
    return paragraphs, open_problems


# ---- the document --------------------------------------------------------------------------

def render_pictures(plan: ReportPlan) -> list[bytes]:
    """The behind indicators' charts as PNG, in plan order (needs Chromium: ImageExportError)."""
    width, height = PICTURE_PIXELS
    return [chart_picture("monthly", chart, "png", width=width, height=height) for chart in plan.charts]


def build_report(plan: ReportPlan, pictures: list[bytes] | None = None) -> bytes:
    """The .docx for a plan; `pictures` (from render_pictures) go under their indicators, and
    None leaves the charts out."""
    doc = Document()
    # python-docx's template names itself as the author; the file's properties are the report's.
    doc.core_properties.title = plan.title
    doc.core_properties.author = doc.core_properties.last_modified_by = APP_NAME
    _set_up_page(doc)
    _set_default_typeface(doc)
    charts = iter(pictures or ())

    _paragraph(doc, plan.title, TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if plan.illustrative_note:
        _paragraph(doc, plan.illustrative_note, HEADING_2_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", BODY_FONT, BODY_SIZE, indent=False)  # the blank line under the title
    _paragraph(doc, plan.headline, BODY_FONT, BODY_SIZE)

    numbers = iter(range(1, 100))
    for section in plan.sections:
        _heading(doc, f"{chinese_numeral(next(numbers))}、{section.heading}", level=1)
        for n, item in enumerate(section.items, start=1):
            _heading(doc, f"（{chinese_numeral(n)}）{item.name}", level=2)
            _paragraph(doc, item.sentence, BODY_FONT, BODY_SIZE)
            if item.notes:
                _paragraph(doc, item.notes, BODY_FONT, BODY_SIZE)
            if item.chart is not None and pictures is not None:
                _picture(doc, next(charts))

    _heading(doc, f"{chinese_numeral(next(numbers))}、主要指标完成情况一览", level=1)
    _status_table(doc, plan)
    _paragraph(doc, plan.table_note, BODY_FONT, TABLE_SIZE, indent=False, exact_lines=False)

    _heading(doc, f"{chinese_numeral(next(numbers))}、巡察整改推进情况", level=1)
    for text in plan.ledger_paragraphs:
        _paragraph(doc, text, BODY_FONT, BODY_SIZE)
    if plan.ledger_problems:
        _paragraph(doc, "正在推进的问题：", BODY_FONT, BODY_SIZE)
        for n, text in enumerate(plan.ledger_problems, start=1):
            _paragraph(doc, f"{n}. {text}", BODY_FONT, BODY_SIZE)

    _page_number_footer(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def export_report(store: Store, period: str, out: str | Path | None = None, *, entity: str = ZONE,
                  pictures: bool = True) -> tuple[ReportPlan, bytes]:
    """Plan, draw the pictures (unless `pictures` is False), build; write to `out` when given,
    whole or not at all. Returns the plan and the file's bytes."""
    plan = plan_report(store, period, entity)
    data = build_report(plan, render_pictures(plan) if pictures else None)
    if out is not None:
        write_whole(Path(out), data)
    return plan, data


def write_whole(path: Path, data: bytes) -> None:
    """Written beside the target and renamed into place, so a failure leaves no half-written file."""
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (1 to 99), for 一、 and （一） headings."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CHINESE_DIGITS[tens] + "十")) + (
        CHINESE_DIGITS[ones] if ones else "")


def _set_up_page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = FOOTER_DISTANCE


def _set_default_typeface(doc) -> None:
    """The document defaults name the body typefaces explicitly: python-docx's template names theme
    fonts there, which a reader would resolve to its own Latin and CJK defaults."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _name_typefaces(rpr, BODY_FONT)
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    _name_typefaces(normal.element.get_or_add_rPr(), BODY_FONT)


def _name_typefaces(rpr, east_asian: str) -> None:
    """Latin and East Asian typefaces on one run's (or style's) properties, theme fonts removed."""
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for latin in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(latin), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(paragraph, text: str, typeface: str, size, *, color: RGBColor | None = None):
    run = paragraph.add_run(fmt.writable(text))  # text stored before typed_text existed may hold control characters
    run.font.size = size
    _name_typefaces(run._r.get_or_add_rPr(), typeface)
    if color is not None:
        run.font.color.rgb = color
    return run


def _paragraph(container, text: str, typeface: str, size, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
               indent: bool = True, exact_lines: bool = True):
    paragraph = container.add_paragraph()
    layout = paragraph.paragraph_format
    layout.alignment = align
    layout.space_before = layout.space_after = Pt(0)
    if exact_lines:
        layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        layout.line_spacing = LINE_PITCH
    else:
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if indent:
        layout.first_line_indent = size * INDENT_CHARACTERS
        # Word and WPS measure the indent in characters when told to, whatever the size.
        layout._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), str(INDENT_CHARACTERS * 100))
    if text:
        _run(paragraph, text, typeface, size)
    return paragraph


def _heading(doc, text: str, level: int) -> None:
    """一、 in 黑体 and （一） in 楷体, both 3号 and indented like the body, with an outline level so
    Word's navigation pane lists them."""
    paragraph = _paragraph(doc, text, HEADING_1_FONT if level == 1 else HEADING_2_FONT, BODY_SIZE)
    paragraph.paragraph_format.keep_with_next = True
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level - 1))
    paragraph._p.get_or_add_pPr().insert_element_before(outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                                                        "w:pPrChange")


def _picture(doc, png: bytes) -> None:
    # Exact line spacing would cut the picture down to one line's height.
    paragraph = _paragraph(doc, "", BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                           exact_lines=False)
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, "", BODY_FONT, BODY_SIZE).add_picture(io.BytesIO(png), width=PICTURE_WIDTH)


def _status_table(doc, plan: ReportPlan) -> None:
    table = doc.add_table(rows=1, cols=len(TABLE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page the table runs to
    header._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(header.cells, TABLE_COLUMNS):
        _cell_text(cell, text, HEADING_1_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row, status in zip(plan.table_rows, plan.table_statuses):
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row)):
            color = BEHIND_COLOR if status in BEHIND and i in (4, 6) else None
            _cell_text(cell, text, BODY_FONT, align=WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.CENTER,
                       color=color)
    # LibreOffice lays columns out by the grid, Word by the cells: both are given.
    table.autofit = False
    for column, width in zip(table.columns, TABLE_WIDTHS_MM):
        column.width = Mm(width)
    for row in table.rows:
        row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))  # a row never breaks across pages
        for cell, width in zip(row.cells, TABLE_WIDTHS_MM):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _cell_text(cell, text: str, typeface: str, *, align, color: RGBColor | None = None) -> None:
    paragraph = cell.paragraphs[0]
    layout = paragraph.paragraph_format
    layout.alignment = align
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(paragraph, text, typeface, TABLE_SIZE, color=color)


def _page_number_footer(doc) -> None:
    """— 1 — centred under the text, in 宋体 4号, as a PAGE field so Word numbers every page."""
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _field_mark(_run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)._r.append(instruction)
    _field_mark(_run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE), "separate")
    _run(paragraph, "1", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _field_mark(_run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE), "end")
    _run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _field_mark(run, kind: str) -> None:
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    run._r.append(mark)
