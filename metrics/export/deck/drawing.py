"""Drawing a plan into the template with python-pptx: titles, 汇报 text, tables, charts (native, or
pictures rendered by Chromium), the 示例数据 badge and the speaker notes."""
from __future__ import annotations

import io
import math
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Inches, Pt

from ...catalog import ZONE
from ...formatting import writable
from ...store import Store
from ..images import chart_picture
from .chart_xml import add_native_chart
from .palette import BAND, GREY, NAVY, RED, STATUS_FILL, WHITE
from .plan import ILLUSTRATIVE_LABEL, DeckPlan, PlannedChart, PlannedSlide, PlannedTable, plan_deck
from .template import Box, free_box, open_template, pick_layout, theme_typefaces
from .typefaces import set_typefaces

FOOTER_ZONE = Inches(0.55)
GAP = Inches(0.15)
BADGE_WIDTH, BADGE_HEIGHT = Inches(1.1), Inches(0.36)


def build_deck(plan: DeckPlan, template: str | Path | bytes | None = None, *,
               pictures: bool = False) -> Presentation:
    """Draw the plan into the template. With `pictures`, charts are PNG pictures rendered by
    Chromium instead of native charts (for viewers that cannot show native charts)."""
    prs = open_template(template)
    east_asian, latin = theme_typefaces(prs)
    for planned in plan.slides:
        _draw_slide(prs, planned, pictures)
    for slide in prs.slides:
        set_typefaces(slide._element, east_asian, latin)
        if slide.has_notes_slide:
            set_typefaces(slide.notes_slide._element, east_asian, latin)
        for shape in slide.shapes:
            if shape.has_chart:
                set_typefaces(shape.chart._chartSpace, east_asian, latin)
    return prs


def export_deck(store: Store, period: str, out: str | Path | None = None, *,
                template: str | Path | bytes | None = None, codes: list[str] | None = None,
                entity: str = ZONE, pictures: bool = False) -> tuple[DeckPlan, bytes]:
    """Plan and build the deck; write it to `out` when given. Returns the plan and the file's bytes."""
    plan = plan_deck(store, period, codes, entity)
    buffer = io.BytesIO()
    build_deck(plan, template, pictures=pictures).save(buffer)
    data = buffer.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return plan, data


def _draw_slide(prs: Presentation, planned: PlannedSlide, pictures: bool) -> None:
    cover = planned.kind == "cover"
    slide = prs.slides.add_slide(pick_layout(prs, cover=cover))
    wanted = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE} | ({PP_PLACEHOLDER.SUBTITLE} if cover else set())
    for ph in list(slide.placeholders):
        if ph.placeholder_format.type not in wanted:
            ph._element.getparent().remove(ph._element)
    title = slide.shapes.title
    if title is None:
        title = _add_text(slide, Box(Inches(0.5), Inches(0.3), prs.slide_width - Inches(1), Inches(0.8)),
                          planned.title, 24, bold=True, color=NAVY)
    else:
        title.text_frame.text = planned.title
        # An office template's title style may be larger than our titles allow on one line.
        title.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    if cover:
        _fill_cover(slide, planned, prs)
        return
    left = max(title.left, Inches(0.3))
    width = min(title.width, prs.slide_width - 2 * left)
    top = title.top + title.height + GAP
    area = Box(left, top, width, prs.slide_height - FOOTER_ZONE - top)

    badge = Box(area.left + area.width - BADGE_WIDTH, area.top, BADGE_WIDTH, BADGE_HEIGHT)
    if planned.illustrative and not planned.text:
        # Nothing beside the badge to share its row with (a continued table): the row is its own.
        area = Box(area.left, area.top + BADGE_HEIGHT + GAP, area.width, area.height - BADGE_HEIGHT - GAP)
    if planned.text:
        text_width = area.width - (Inches(1.25) if planned.illustrative else 0)
        # Long 汇报 paragraphs step down a size rather than push the charts off the page.
        size = 14 if _lines(planned.text, text_width, 14) <= 3 else 12
        height = _text_height(planned.text, text_width, size)
        _add_text(slide, Box(area.left, area.top, text_width, height), planned.text, size)
        area = Box(area.left, area.top + height + GAP, area.width, area.height - height - GAP)
    footnote_height = Inches(0.3)
    _add_text(slide, Box(area.left, area.bottom - footnote_height, area.width, footnote_height),
              planned.footnote, 10, color=GREY)
    below = footnote_height
    if planned.remarks:
        remarks_height = _text_height(planned.remarks, area.width, 11)
        below += remarks_height
        _add_text(slide, Box(area.left, area.bottom - below, area.width, remarks_height), planned.remarks, 11)
    body = Box(area.left, area.top, area.width, area.height - below - GAP)

    if planned.table is not None and planned.charts:
        chart_box, table_box = body.split([0.4, 0.6], Inches(0.3))
        _add_chart(slide, planned.charts[0], chart_box, pictures)
        _add_table(slide, planned.table, table_box)
    elif planned.table is not None:
        _add_table(slide, planned.table, body)
    else:
        fractions = [0.58, 0.42] if len(planned.charts) == 2 else [1.0] * len(planned.charts)
        for chart, box in zip(planned.charts, body.split(fractions)):
            _add_chart(slide, chart, box, pictures)
    if planned.illustrative:
        _add_badge(slide, free_box(slide, prs, badge))
    slide.notes_slide.notes_text_frame.text = planned.notes


def _fill_cover(slide, planned: PlannedSlide, prs: Presentation) -> None:
    subtitle = next((p for p in slide.placeholders if p.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
    if subtitle is not None:
        subtitle.text_frame.text = planned.subtitle
    else:
        title = slide.shapes.title
        _add_text(slide, Box(title.left, title.top + title.height + GAP, title.width, Inches(0.6)),
                  planned.subtitle, 16, color=GREY)
    if planned.illustrative:
        corner = Box(prs.slide_width - BADGE_WIDTH - Inches(0.4), Inches(0.3), BADGE_WIDTH, BADGE_HEIGHT)
        _add_badge(slide, free_box(slide, prs, corner))
    slide.notes_slide.notes_text_frame.text = planned.subtitle


def _ems(text: str) -> float:
    """Width of the text in font sizes: CJK characters are one em wide, others about 0.6 (the
    wide end, so that a substitute font such as DejaVu Sans still fits)."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text)


def _lines(text: str, width: int, size_pt: float) -> int:
    return max(1, math.ceil(_ems(text) / max(1.0, (width - Inches(0.2)) / Pt(size_pt))))


def _text_height(text: str, width: int, size_pt: float) -> int:
    return int(Pt(size_pt) * 1.45 * _lines(text, width, size_pt) + Inches(0.15))


def _add_text(slide, box: Box, text: str, size: float, *, bold: bool = False,
              color: RGBColor | None = None, align=None):
    shape = slide.shapes.add_textbox(box.left, box.top, box.width, box.height)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    _write(frame.paragraphs[0], text, size, bold=bold, color=color, align=align)
    return shape


def _write(paragraph, text: str, size: float, *, bold: bool = False, color: RGBColor | None = None,
           align=None) -> None:
    """One run of text in a paragraph, as text boxes and table cells both need it."""
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run()
    run.text = writable(text)  # text stored before typed_text existed may hold control characters
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _add_badge(slide, box: Box) -> None:
    """示例数据 in a red frame, so nobody quotes an illustrative figure as a statistic."""
    badge = _add_text(slide, box, ILLUSTRATIVE_LABEL, 12, bold=True, color=RED, align=PP_ALIGN.CENTER)
    badge.line.color.rgb = RED
    badge.line.width = Pt(1.25)
    badge.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    badge.text_frame.margin_top = badge.text_frame.margin_bottom = 0


def _add_table(slide, table: PlannedTable, box: Box) -> None:
    rows = len(table.rows) + 1
    row_height = min(Inches(0.34), box.height // rows)
    size, widths = _fit_columns(table, box.width, max_size=min(11.0, row_height / Pt(1) / 1.7))
    frame = slide.shapes.add_table(rows, len(table.columns), box.left, box.top, box.width, row_height * rows)
    grid = frame.table
    # python-pptx's default table style is drawn differently by every viewer; fill cells instead.
    grid.first_row = True
    grid.horz_banding = False
    for column, width in zip(grid.columns, widths):
        column.width = width
    for row in grid.rows:
        row.height = row_height
    for c, name in enumerate(table.columns):
        _cell(grid.cell(0, c), name, size, fill=NAVY, color=WHITE, bold=True)
    for r, row in enumerate(table.rows, start=1):
        for c, value in enumerate(row):
            fill = BAND if r % 2 == 0 else WHITE
            color = None
            if c == 0 and table.statuses:
                fill, color = STATUS_FILL[table.statuses[r - 1]], WHITE
            numeric = c >= 3 and table.statuses is not None
            _cell(grid.cell(r, c), value, size, fill=fill, color=color, bold=c == 0 and table.statuses is not None,
                  align=PP_ALIGN.RIGHT if numeric else None)


CELL_MARGIN = Inches(0.06)


def _fit_columns(table: PlannedTable, width: int, max_size: float) -> tuple[float, list[int]]:
    """A font size and column widths at which every cell fits on one line where possible:
    columns as wide as their longest text, spare room shared out, the font smaller when the
    page is narrow (a 4:3 template), but never below 8 points."""
    ems = [max(_ems(text) for text in [name, *(row[c] for row in table.rows)]) + 0.5
           for c, name in enumerate(table.columns)]
    margins = 2 * CELL_MARGIN * len(ems)
    size = max(8.0, min(max_size, (width - margins) / Pt(1) / sum(ems)))
    natural = [e * Pt(size) + 2 * CELL_MARGIN for e in ems]
    widths = [int(n * width / sum(natural)) for n in natural]
    widths[-1] = width - sum(widths[:-1])
    return size, widths


def _cell(cell, text: str, size: float, *, fill: RGBColor, color: RGBColor | None = None,
          bold: bool = False, align=None) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.margin_left = cell.margin_right = CELL_MARGIN
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    _write(cell.text_frame.paragraphs[0], text, size, bold=bold, color=color, align=align)


EMU_PER_PIXEL = 9525   # at 96 dpi, the size browsers lay out in


def _add_chart(slide, planned: PlannedChart, box: Box, pictures: bool) -> None:
    if pictures:
        picture = chart_picture(planned.kind, planned.data, "png", width=box.width // EMU_PER_PIXEL,
                                height=box.height // EMU_PER_PIXEL)
        slide.shapes.add_picture(io.BytesIO(picture), box.left, box.top, box.width, box.height)
        return
    add_native_chart(slide, planned.data, box)
