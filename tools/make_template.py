"""Build the default slide template shipped as data/deck_template.pptx.

    python -m tools.make_template [OUT.pptx]

The template is made by code so that it can be reviewed and rebuilt: python-pptx's own blank
template, made 16:9, with a theme whose East Asian font is 微软雅黑, a navy accent, five layouts
named in Chinese, and a footer carrying the office's name and the page number.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from metrics.export.deck import DEFAULT_TEMPLATE
from metrics.export.deck.palette import NAVY
from metrics.export.deck.typefaces import DEFAULT_EAST_ASIAN_TYPEFACE, DEFAULT_LATIN_TYPEFACE, set_typefaces

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)   # PowerPoint's own 16:9 (宽屏) page
MARGIN = Inches(0.5)
FOOTER_TOP = Inches(7.02)
FOOTER_HEIGHT = Inches(0.32)
OFFICE = "XX经济开发区管委会办公室"
GREY = RGBColor(0x7F, 0x7F, 0x7F)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)

THEME_COLORS = {
    "dk2": "1F3864", "lt2": "E7E6E6", "accent1": "1F4E79", "accent2": "C00000", "accent3": "A5A5A5",
    "accent4": "ED7D31", "accent5": "548235", "accent6": "BF8F00",
}

# Layouts kept, by their English names in python-pptx's blank template, with Chinese names and
# where their placeholders go on a 16:9 page (left, top, width, height in inches).
LAYOUTS = {
    "Title Slide": ("标题幻灯片", {PP_PLACEHOLDER.CENTER_TITLE: (0.9, 2.55, 11.53, 1.3),
                                   PP_PLACEHOLDER.SUBTITLE: (0.9, 4.75, 11.53, 1.0)}),
    "Title and Content": ("标题和内容", {PP_PLACEHOLDER.TITLE: (0.5, 0.32, 12.33, 0.82),
                                        PP_PLACEHOLDER.OBJECT: (0.5, 1.45, 12.33, 5.4)}),
    "Section Header": ("节标题", {PP_PLACEHOLDER.TITLE: (0.9, 2.6, 11.53, 1.2),
                                 PP_PLACEHOLDER.BODY: (0.9, 3.9, 11.53, 1.0)}),
    "Title Only": ("仅标题", {PP_PLACEHOLDER.TITLE: (0.5, 0.32, 12.33, 0.82)}),
    "Blank": ("空白", {}),
}
MASTER_PLACEHOLDERS = {
    PP_PLACEHOLDER.TITLE: (0.5, 0.32, 12.33, 0.82),
    PP_PLACEHOLDER.BODY: (0.5, 1.45, 12.33, 5.4),
    PP_PLACEHOLDER.DATE: (0.5, 7.02, 3.0, 0.32),
    PP_PLACEHOLDER.FOOTER: (4.67, 7.02, 4.0, 0.32),
    PP_PLACEHOLDER.SLIDE_NUMBER: (9.83, 7.02, 3.0, 0.32),
}


def build_template() -> Presentation:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _restyle_theme(prs)
    master = prs.slide_master
    _place(master.placeholders, MASTER_PLACEHOLDERS)
    _restyle_text_styles(master)
    for layout in list(prs.slide_layouts):
        if layout.name not in LAYOUTS:
            prs.slide_layouts.remove(layout)
            continue
        chinese_name, boxes = LAYOUTS[layout.name]
        _place(layout.placeholders, boxes)
        layout._element.cSld.set("name", chinese_name)
    title_layout = next(l for l in prs.slide_layouts if l.name == "标题幻灯片")
    # The cover has its own band instead of the master's top strip, rule and footer.
    title_layout._element.set("showMasterSp", "0")
    for ph in title_layout.placeholders:
        if ph.placeholder_format.type == PP_PLACEHOLDER.CENTER_TITLE:
            _placeholder_text_style(ph, size=3600, rgb=WHITE, bold=True, anchor="ctr")
        elif ph.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE:
            _placeholder_text_style(ph, size=1800, rgb=GREY, bold=False, anchor="t")
    _add_decorations(prs, master, _master_decorations)
    _add_decorations(prs, title_layout, _cover_decorations)
    for layout in prs.slide_layouts:
        set_typefaces(layout._element, DEFAULT_EAST_ASIAN_TYPEFACE, DEFAULT_LATIN_TYPEFACE)
    set_typefaces(master._element, DEFAULT_EAST_ASIAN_TYPEFACE, DEFAULT_LATIN_TYPEFACE)
    prs.core_properties.title = "开发区重点指标汇报模板"
    prs.core_properties.author = OFFICE
    return prs


def _place(placeholders, boxes: dict) -> None:
    for ph in placeholders:
        box = boxes.get(ph.placeholder_format.type)
        if box is None:
            # Dates, footers and page numbers come from the master's own footer line.
            continue
        ph.left, ph.top, ph.width, ph.height = (Inches(v) for v in box)


def _restyle_theme(prs) -> None:
    theme_part = prs.slide_master.part.part_related_by(RT.THEME)
    theme = etree.fromstring(theme_part.blob)
    theme.set("name", "开发区汇报")
    scheme = theme.find(f"{qn('a:themeElements')}/{qn('a:clrScheme')}")
    scheme.set("name", "开发区汇报")
    for slot, hex_value in THEME_COLORS.items():
        holder = scheme.find(qn(f"a:{slot}"))
        for child in list(holder):
            holder.remove(child)
        etree.SubElement(holder, qn("a:srgbClr"), val=hex_value)
    fonts = theme.find(f"{qn('a:themeElements')}/{qn('a:fontScheme')}")
    fonts.set("name", "开发区汇报")
    for group in (fonts.find(qn("a:majorFont")), fonts.find(qn("a:minorFont"))):
        group.find(qn("a:latin")).set("typeface", DEFAULT_LATIN_TYPEFACE)
        group.find(qn("a:ea")).set("typeface", DEFAULT_EAST_ASIAN_TYPEFACE)
        for script_font in group.findall(qn("a:font")):
            if script_font.get("script") == "Hans":
                script_font.set("typeface", DEFAULT_EAST_ASIAN_TYPEFACE)
    theme_part._blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)


def _restyle_text_styles(master) -> None:
    """Titles: left, bold, navy, shrinking rather than overflowing; body text at reading sizes."""
    styles = master._element.find(qn("p:txStyles"))
    title = styles.find(f"{qn('p:titleStyle')}/{qn('a:lvl1pPr')}")
    title.set("algn", "l")
    title_run = title.find(qn("a:defRPr"))
    title_run.set("sz", "2600")
    title_run.set("b", "1")
    _set_solid_fill(title_run, NAVY)
    body = styles.find(qn("p:bodyStyle"))
    for level, size in zip(range(1, 10), (2000, 1800, 1600, 1400, 1400, 1400, 1400, 1400, 1400)):
        props = body.find(qn(f"a:lvl{level}pPr"))
        if props is not None:
            props.find(qn("a:defRPr")).set("sz", str(size))
    title_placeholder = next(p for p in master.placeholders
                             if p.placeholder_format.type == PP_PLACEHOLDER.TITLE)
    body_pr = title_placeholder.text_frame._txBody.bodyPr
    body_pr.set("anchor", "b")
    for child in list(body_pr):
        body_pr.remove(child)
    etree.SubElement(body_pr, qn("a:normAutofit"))


def _placeholder_text_style(placeholder, *, size: int, rgb: RGBColor, bold: bool, anchor: str) -> None:
    """Centred text of one size and colour in a layout's placeholder, overriding the master."""
    body = placeholder.text_frame._txBody
    body.bodyPr.set("anchor", anchor)
    styles = body.find(qn("a:lstStyle"))
    for child in list(styles):
        styles.remove(child)
    level = etree.SubElement(styles, qn("a:lvl1pPr"), algn="ctr", marL="0", indent="0")
    etree.SubElement(level, qn("a:buNone"))
    run = etree.SubElement(level, qn("a:defRPr"), sz=str(size), b="1" if bold else "0")
    _set_solid_fill(run, rgb)


def _set_solid_fill(run_properties, rgb: RGBColor) -> None:
    old = run_properties.find(qn("a:solidFill"))
    fill = etree.Element(qn("a:solidFill"))
    etree.SubElement(fill, qn("a:srgbClr"), val=str(rgb))
    if old is not None:
        old.addprevious(fill)
        run_properties.remove(old)
    else:
        run_properties.insert(0, fill)


def _add_decorations(prs, target, draw) -> None:
    """Draw shapes on a scratch slide with python-pptx's API, then move them into a master or
    layout, whose shape collections have no add methods."""
    scratch = prs.slides.add_slide(next(l for l in prs.slide_layouts if l.name == "空白"))
    draw(scratch.shapes)
    tree = target.shapes._spTree
    next_id = max(int(e.get("id")) for e in tree.iter(qn("p:cNvPr"))) + 1
    for shape in list(scratch.shapes):
        element = copy.deepcopy(shape._element)
        element.find(f".//{qn('p:cNvPr')}").set("id", str(next_id))
        next_id += 1
        # Behind the placeholders, so titles stay on top of bands.
        tree.insert(2, element)
    slide_ids = prs.slides._sldIdLst
    scratch_id = slide_ids[-1]
    prs.part.drop_rel(scratch_id.rId)
    slide_ids.remove(scratch_id)


def _master_decorations(shapes) -> None:
    strip = shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, WIDTH, Inches(0.09))
    _plain_fill(strip, NAVY)
    rule = shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.2), WIDTH - 2 * MARGIN, Emu(19050))
    _plain_fill(rule, NAVY)
    footer = shapes.add_textbox(MARGIN, FOOTER_TOP, Inches(6), FOOTER_HEIGHT)
    _footer_text(footer, OFFICE, PP_ALIGN.LEFT)
    page = shapes.add_textbox(WIDTH - MARGIN - Inches(1.5), FOOTER_TOP, Inches(1.5), FOOTER_HEIGHT)
    _footer_text(page, "", PP_ALIGN.RIGHT)
    _append_page_number(page)


def _cover_decorations(shapes) -> None:
    band = shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.35), WIDTH, Inches(1.7))
    _plain_fill(band, NAVY)
    footer = shapes.add_textbox(MARGIN, FOOTER_TOP, Inches(6), FOOTER_HEIGHT)
    _footer_text(footer, OFFICE, PP_ALIGN.LEFT)


def _plain_fill(shape, rgb: RGBColor) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb
    shape.line.fill.background()
    shape.shadow.inherit = False


def _footer_text(box, text: str, align) -> None:
    # A fixed box: auto-fitting ones are re-centred by LibreOffice.
    box.text_frame.word_wrap = True
    box.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    paragraph = box.text_frame.paragraphs[0]
    paragraph.alignment = align
    if text:
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(10)
        run.font.color.rgb = GREY


def _append_page_number(box) -> None:
    """A slide-number field: each slide shows its own number although the box sits on the master."""
    paragraph = box.text_frame.paragraphs[0]._p
    field = etree.SubElement(paragraph, qn("a:fld"), id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}",
                             type="slidenum")
    props = etree.SubElement(field, qn("a:rPr"), lang="zh-CN", sz="1000")
    _set_solid_fill(props, GREY)
    etree.SubElement(field, qn("a:t")).text = "‹#›"
    end = paragraph.find(qn("a:endParaRPr"))
    if end is not None:
        paragraph.remove(end)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else DEFAULT_TEMPLATE
    build_template().save(out)
    print(f"已生成默认模板：{out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
