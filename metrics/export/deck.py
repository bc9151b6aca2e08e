"""The leaders' slide deck: native, editable PowerPoint charts in the office's own template.

Two steps, so the export page can list the slides before anything is built:
`plan_deck` reads the store and decides every slide's title, 汇报 sentence, charts and tables;
`build_deck` draws that plan into a template with python-pptx.

Charts are python-pptx chart objects with their data embedded, so 编辑数据 in PowerPoint or
WPS changes them. python-pptx draws one chart type per chart; targets and 序时进度 become
line series by moving their `c:ser` elements into a `c:lineChart` in the same plot area.
"""
from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.axis import ValueAxis
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_THEME_COLOR
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt

from .. import catalog, tracker
from .. import formatting as fmt
from ..calc import Assessment, split_period, target_for, ytd_label
from ..catalog import ZONE, Indicator
from ..chartdata import (DEBT_PARTS, DEBT_SHARE, REFERENCE_LINES, ChartData, debt_structure_chart_data,
                         monthly_chart_data, ytd_chart_data)
from ..chartdata import _source as source_line  # the wording under every chart, for the overview too
from ..narrative import indicator_sentence, overview_sentence, subject
from ..status import BEHIND, STATUS_ORDER, verdict
from ..store import Store, StoreError
from ..zip_safety import UnsafeZip, open_checked_zip
from .images import chart_picture

DEFAULT_TEMPLATE = catalog.DATA_DIR / "deck_template.pptx"
DEFAULT_EAST_ASIAN_TYPEFACE = "微软雅黑"
DEFAULT_LATIN_TYPEFACE = "Arial"
ILLUSTRATIVE_LABEL = "示例数据"
TARGET_NOTE = "目标为示例目标"

NAVY = RGBColor(0x1F, 0x4E, 0x79)
RED = RGBColor(0xC0, 0x00, 0x00)
ORANGE = RGBColor(0xED, 0x7D, 0x31)
GREY = RGBColor(0x7F, 0x7F, 0x7F)
LIGHT_GREY = RGBColor(0xBF, 0xBF, 0xBF)
GRIDLINE = RGBColor(0xD9, 0xD9, 0xD9)
BAND = RGBColor(0xF2, 0xF2, 0xF2)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
STATUS_FILL = {"green": RGBColor(0x2E, 0x7D, 0x32), "amber": RGBColor(0xE0, 0x9B, 0x00),
               "red": RED, "open": NAVY, "none": LIGHT_GREY}
# Bars after the first: last year's months in grey; further stacks in light blue, then grey.
STACK_COLORS = (RGBColor(0x9D, 0xC3, 0xE6), LIGHT_GREY)
SERIES_COLORS = {"已完成": STATUS_FILL["green"], "正在推进": STATUS_FILL["amber"]}

OVERVIEW_ROWS_PER_SLIDE = 12
LABELLED_CATEGORIES = 6   # up to this many months every bar carries its value
SECONDARY_AXIS_IDS = ("50020001", "50020002")
FOOTER_ZONE = Inches(0.55)
GAP = Inches(0.15)


class TemplateError(ValueError):
    """The template file cannot be used; the message is in Chinese."""


# ---- the plan ------------------------------------------------------------------------------

@dataclass
class PlannedChart:
    kind: str   # monthly | ytd | debt | ledger: which figure builder draws it as a picture
    data: ChartData


@dataclass
class PlannedTable:
    columns: list[str]
    rows: list[list[str]]
    statuses: list[str] | None = None   # per row: colours the first column red/amber/green


@dataclass
class PlannedSlide:
    kind: str   # cover | overview | indicator | debt | ledger
    title: str
    text: str = ""          # the 汇报 sentence(s): a text box and the speaker notes
    footnote: str = ""      # data source and as-of date
    illustrative: bool = False
    charts: list[PlannedChart] = field(default_factory=list)
    table: PlannedTable | None = None
    subtitle: str = ""
    code: str | None = None
    remarks: str = ""       # upload 备注 notes for the figures shown, drawn under the charts

    @property
    def notes(self) -> str:
        return "\n".join(t for t in (self.text, self.remarks, self.footnote) if t)


@dataclass
class DeckPlan:
    period: str
    entity: str
    slides: list[PlannedSlide]

    @property
    def charts(self) -> list[PlannedChart]:
        return [c for s in self.slides for c in s.charts]


def deck_indicator_choices(assessments: list[Assessment]) -> list[str]:
    """Indicators in the order the export page offers them: behind 序时进度 first (furthest
    behind at the top), then those on pace, then those without a target."""
    def key(a: Assessment):
        return STATUS_ORDER[a.status], a.gap_pp if a.gap_pp is not None else 0.0
    return [a.code for a in sorted(assessments, key=key)]


def default_deck_indicators(assessments: list[Assessment]) -> list[str]:
    """Every indicator with a target, behind ones first."""
    with_target = [a for a in assessments if a.status != "none"]
    return deck_indicator_choices(with_target)


def plan_deck(store: Store, period: str, codes: list[str] | None = None,
              entity: str = ZONE) -> DeckPlan:
    """Every slide of the deck for one month; raises StoreError for an unknown indicator or a
    month without figures."""
    inds = catalog.indicators()
    for code in codes or ():
        if code not in inds:
            raise StoreError(tracker.unknown_indicator_message(code))
    _, assessments, series = tracker.assessed_overview(store, entity, period)
    if not any(a.value is not None for a in assessments):
        latest = store.latest_period(entity)
        hint = f"最新有数据的月份是 {latest}。" if latest else "库中还没有任何月度数据，请先上传或运行 `python -m metrics demo`。"
        raise StoreError(f"{period} 没有{subject(entity)}的月度数据，无法生成汇报。{hint}")
    by_code = {a.code: a for a in assessments}
    targets = store.targets()
    codes = default_deck_indicators(assessments) if codes is None else list(codes)
    slides = [_cover_slide(entity, period, any(a.illustrative for a in assessments))]
    slides += _overview_slides(inds, assessments, entity, period)
    for code in codes:
        slide = _indicator_slide(inds[code], by_code[code], series[code], targets, entity)
        slide.remarks = notes_line(store.figure_notes(code, entity, period))
        slides.append(slide)
    if all(not series[c].empty for c in (*DEBT_PARTS, DEBT_SHARE)):
        slides.append(_debt_slide(inds, by_code, series, period, entity))
    slides.append(_ledger_slide(store))
    return DeckPlan(period, entity, slides)


def indicator_charts(store: Store, code: str, period: str, entity: str = ZONE) -> list[PlannedChart]:
    """One indicator's charts for a month: monthly bars with the target, and, where the target
    is measured against 序时进度, 完成率 against it."""
    inds = catalog.indicators()
    if code not in inds:
        raise StoreError(tracker.unknown_indicator_message(code))
    _, assessments, series = tracker.assessed_overview(store, entity, period)
    a = next(a for a in assessments if a.code == code)
    if a.value is None:
        raise StoreError(f"{inds[code].name}在 {period} 没有数据，无法作图。")
    return _indicator_slide(inds[code], a, series[code], store.targets(), entity).charts


def indicator_title(ind: Indicator, a: Assessment) -> str:
    """The leaders' phrasing: the figure, then whether it is on pace."""
    year, month = split_period(a.period)
    if a.ytd is None:
        return f"{ind.name}：{year}年{month}月暂无数据"
    if ind.kind == "flow":
        figure = f"{ytd_label(a.period)}累计{fmt.amount(a.ytd, ind.unit, ind.decimals)}"
    else:
        figure = f"{month}月末{'列' if ind.unit == '位' else '为'}{fmt.amount(a.ytd, ind.unit, ind.decimals)}"
    said = status_label(a, ind)
    return f"{ind.name}：{figure}" + (f"，{said}" if said else "")


def status_label(a: Assessment, ind: Indicator) -> str:
    """The verdict for this kind of target (metrics.status); empty without a target."""
    return "" if a.status == "none" else verdict(a, ind.unit, ind.decimals)


def notes_line(notes: pd.DataFrame) -> str:
    """Upload 备注 notes, each with its month: "备注：3月 含一次性项目；4月 口径调整"."""
    if notes.empty:
        return ""
    return "备注：" + "；".join(f"{int(p[5:])}月 {n}" for p, n in zip(notes["period"], notes["note"]))


def _as_of(period: str) -> str:
    year, month = split_period(period)
    return f"数据截至{year}年{month}月"


def _footnote(source: str, period: str, target_note: str = "") -> str:
    return "｜".join(part for part in (source, _as_of(period), target_note) if part)


def _cover_slide(entity: str, period: str, illustrative: bool) -> PlannedSlide:
    year, month = split_period(period)
    subtitle = f"{_as_of(period)}｜{date.today():%Y年%m月%d日}生成"
    if illustrative:
        subtitle += f"｜含{ILLUSTRATIVE_LABEL}"
    return PlannedSlide("cover", f"{subject(entity)}重点指标进展情况汇报（{year}年{month}月）",
                        subtitle=subtitle, illustrative=illustrative)


def _overview_slides(inds: dict[str, Indicator], assessments: list[Assessment], entity: str,
                     period: str) -> list[PlannedSlide]:
    with_target = sorted((a for a in assessments if a.status != "none"),
                         key=lambda a: STATUS_ORDER[a.status])
    on_pace = sum(a.status == "green" for a in with_target)
    behind = sum(a.status in BEHIND for a in with_target)
    _, month = split_period(period)
    title = f"截至{month}月：{on_pace}项指标达到序时进度或达标，{behind}项滞后"
    illustrative = any(a.illustrative for a in with_target)
    footnote = _footnote(source_line(illustrative), period,
                         "目标标“（示例）”者为示例目标" if any(a.target_illustrative for a in with_target) else "")
    sentence = overview_sentence(inds, assessments, entity)
    columns = ["状态", "指标", "单位", "本月值", "累计/最新", "目标", "完成率", "序时进度", "差距（百分点）"]
    rows, statuses = [], []
    for a in with_target:
        ind = inds[a.code]
        target = fmt.number(a.target, 0 if a.target is not None and float(a.target).is_integer() else ind.decimals)
        rows.append([
            status_label(a, ind), ind.name, ind.unit, fmt.number(a.value, ind.decimals), fmt.number(a.ytd, ind.decimals),
            target + ("（示例）" if a.target_illustrative else ""),
            fmt.percent(a.completion, is_fraction=True), fmt.percent(a.progress, is_fraction=True),
            "—" if a.gap_pp is None or a.progress is None else f"{a.gap_pp:+.1f}",
        ])
        statuses.append(a.status)
    pages = max(1, math.ceil(len(rows) / OVERVIEW_ROWS_PER_SLIDE))
    slides = []
    for page in range(pages):
        chunk = slice(page * OVERVIEW_ROWS_PER_SLIDE, (page + 1) * OVERVIEW_ROWS_PER_SLIDE)
        slides.append(PlannedSlide(
            "overview", title + ("（续）" if page else ""), text=sentence if page == 0 else "",
            footnote=footnote, illustrative=illustrative,
            table=PlannedTable(columns, rows[chunk], statuses[chunk])))
    return slides


def _indicator_slide(ind: Indicator, a: Assessment, series: pd.DataFrame, targets: pd.DataFrame,
                     entity: str) -> PlannedSlide:
    monthly = monthly_chart_data(ind, series, a, entity)
    charts = [PlannedChart("monthly", monthly)]
    if a.progress is not None:
        target = target_for(targets, ind.code, entity, split_period(a.period)[0]) or {}
        ytd = ytd_chart_data(ind, series, a, target.get("phasing"), entity)
        charts.append(PlannedChart("ytd", ytd))
    return PlannedSlide(
        "indicator", indicator_title(ind, a), text=indicator_sentence(ind, a, entity),
        footnote=_footnote(monthly.source, a.period, TARGET_NOTE if a.target_illustrative else ""),
        illustrative=monthly.illustrative, charts=charts, code=ind.code)


def _debt_slide(inds: dict[str, Indicator], by_code: dict[str, Assessment],
                series: dict[str, pd.DataFrame], period: str, entity: str) -> PlannedSlide:
    names = {c: inds[c].name for c in (*DEBT_PARTS, DEBT_SHARE)}
    chart = debt_structure_chart_data(series, period, names)
    share = by_code[DEBT_SHARE]
    headline = indicator_title(inds[DEBT_SHARE], share)
    sentences = "".join(indicator_sentence(inds[c], by_code[c], entity)
                        for c in (DEBT_SHARE, "debt_short_term", "bonds_outstanding") if c in by_code)
    return PlannedSlide(
        "debt", f"融资平台债务结构｜{headline}", text=sentences,
        footnote=_footnote(chart.source, period, TARGET_NOTE if share.target_illustrative else ""),
        illustrative=chart.illustrative, charts=[PlannedChart("debt", chart)], code=DEBT_SHARE)


def ledger_chart_data(problems: pd.DataFrame, measures: pd.DataFrame, report_date: str) -> ChartData:
    """Problems and measures, done and in progress, as the report lists them."""
    problems_done = int((problems["status"] == "done").sum())
    measures_done = int((measures["status"] == "done").sum())
    return ChartData(
        title="巡察反馈问题及整改措施完成情况（个、项）", categories=["问题（个）", "整改措施（项）"],
        bars={"已完成": [problems_done, measures_done],
              "正在推进": [len(problems) - problems_done, len(measures) - measures_done]},
        unit="", decimals=0, source=f"数据来源：巡察整改进展情况通报（{report_date}）逐项清单",
        as_of=report_date, stacked=True)


def _ledger_slide(store: Store) -> PlannedSlide:
    summary, problems, measures = store.ledger()
    chart = ledger_chart_data(problems, measures, summary["report_date"])
    done = int((problems["status"] == "done").sum())
    in_progress = len(problems) - done
    measures_done = int((measures["status"] == "done").sum())
    text = (f"巡察反馈的{len(problems)}个问题中，已整改完成{done}个，正在推进{in_progress}个；"
            f"{len(measures)}项整改措施中已完成{measures_done}项。")
    text += "".join(catalog.ledger_disagreements(catalog.ledger()))
    rows = []
    for p in problems[problems["status"] != "done"].to_dict("records"):
        ms = measures[measures["problem_id"] == p["id"]]
        rows.append([p["title"], f"{int((ms['status'] == 'done').sum())}/{len(ms)}项",
                     p["lead_unit"] or "—", p["deadline"] or "—"])
    table = PlannedTable(["正在推进的问题", "措施完成", "牵头单位", "时限"], rows)
    return PlannedSlide(
        "ledger", f"巡察整改：{len(problems)}个问题已整改完成{done}个、正在推进{in_progress}个",
        text=text, footnote=chart.source,
        charts=[PlannedChart("ledger", chart)], table=table)


# ---- the template --------------------------------------------------------------------------

_TEMPLATE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
_PRESENTATION_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


TEMPLATE_MAX_BYTES = 20 * 1024 * 1024
# python-pptx parses every XML part of a template into memory at once (some ten times its size).
TEMPLATE_MAX_XML_BYTES = 30 * 1024 * 1024
TEMPLATE_ADVICE = "请提供用 PowerPoint 或 WPS 保存的 .pptx 或 .potx 模板（删除其中的幻灯片和大图片后通常不到 5 MB）。"


def open_template(template: str | Path | bytes | None = None) -> Presentation:
    """The template (a path, or an uploaded file's bytes) with its masters and layouts and
    without its own slides; .potx files work too. An uploaded one meets the same size and zip
    checks as a data upload before python-pptx reads it."""
    name = "上传的模板" if isinstance(template, bytes) else str(template or DEFAULT_TEMPLATE)
    try:
        blob = template if isinstance(template, bytes) else Path(template or DEFAULT_TEMPLATE).read_bytes()
    except FileNotFoundError:
        raise TemplateError(f"找不到模板文件 {name}。") from None
    except OSError as exc:
        raise TemplateError(f"无法读取模板文件 {name}（{exc.strerror or exc}）。请检查路径和读取权限。") from None
    _check_template(blob, name)
    try:
        prs = Presentation(io.BytesIO(_as_presentation(blob)))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise TemplateError(
            f"无法读取模板文件 {name}（{type(exc).__name__}）。请提供用 PowerPoint 或 WPS 保存的 .pptx 或 .potx 文件。") from None
    if len(prs.slide_layouts) == 0:
        raise TemplateError(f"模板文件 {name} 中没有版式（slide layout），无法使用。")
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        slide_ids.remove(slide_id)
        prs.part.drop_rel(slide_id.rId)
    return prs


def _check_template(blob: bytes, name: str) -> None:
    if len(blob) > TEMPLATE_MAX_BYTES:
        raise TemplateError(f"模板文件 {name} 有 {len(blob) / 2**20:.1f} MB，超过 {TEMPLATE_MAX_BYTES // 2**20} MB 的上限。"
                            + TEMPLATE_ADVICE)
    try:
        archive = open_checked_zip(blob, name, TEMPLATE_ADVICE)
    except UnsafeZip as exc:
        raise TemplateError(str(exc)) from None
    xml = sum(info.file_size for info in archive.infolist() if info.filename.endswith((".xml", ".rels")))
    if xml > TEMPLATE_MAX_XML_BYTES:
        raise TemplateError(f"模板文件 {name} 的版式和幻灯片内容解压后有 {xml / 2**20:.0f} MB，超过 "
                            f"{TEMPLATE_MAX_XML_BYTES // 2**20} MB 的上限。" + TEMPLATE_ADVICE)


def _as_presentation(blob: bytes) -> bytes:
    """A .potx is a .pptx whose main part has another content type; python-pptx opens only the latter."""
    with zipfile.ZipFile(io.BytesIO(blob)) as source:
        types = source.read("[Content_Types].xml")
        if _TEMPLATE_CONTENT_TYPE.encode() not in types:
            return blob
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(_TEMPLATE_CONTENT_TYPE.encode(), _PRESENTATION_CONTENT_TYPE.encode())
                target.writestr(item, data)
        return out.getvalue()


def theme_typefaces(prs: Presentation) -> tuple[str, str]:
    """(East Asian, Latin) body typefaces of the template's theme, or the defaults where unset."""
    theme = etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)
    minor = theme.find(f".//{qn('a:fontScheme')}/{qn('a:minorFont')}")
    def typeface(tag: str, default: str) -> str:
        element = minor.find(qn(tag)) if minor is not None else None
        value = element.get("typeface", "") if element is not None else ""
        return value if value and not value.startswith("+") else default
    return typeface("a:ea", DEFAULT_EAST_ASIAN_TYPEFACE), typeface("a:latin", DEFAULT_LATIN_TYPEFACE)


_FOOTER_PLACEHOLDERS = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}


def _content_placeholders(layout) -> list:
    return [p.placeholder_format.type for p in layout.placeholders
            if p.placeholder_format.type not in _FOOTER_PLACEHOLDERS]


def pick_layout(prs: Presentation, cover: bool = False):
    """By placeholder types, never by position: a cover wants a centred title (and a subtitle);
    other slides want a title and as little else as possible. Layouts without a title come last."""
    def cost(layout) -> tuple:
        kinds = _content_placeholders(layout)
        has_title = PP_PLACEHOLDER.TITLE in kinds or PP_PLACEHOLDER.CENTER_TITLE in kinds
        if cover:
            return (PP_PLACEHOLDER.CENTER_TITLE not in kinds, PP_PLACEHOLDER.SUBTITLE not in kinds,
                    not has_title, len(kinds))
        return (PP_PLACEHOLDER.TITLE not in kinds, not has_title, len(kinds))
    return min(prs.slide_layouts, key=cost)


# ---- drawing -------------------------------------------------------------------------------

@dataclass
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def split(self, fractions: list[float], gap: int = Inches(0.2)) -> list["Box"]:
        free = self.width - gap * (len(fractions) - 1)
        boxes, left = [], self.left
        for f in fractions:
            width = int(free * f / sum(fractions))
            boxes.append(Box(left, self.top, width, self.height))
            left += width + gap
        return boxes


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
        _add_badge(slide, _free_box(slide, prs, badge))
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
        _add_badge(slide, _free_box(slide, prs, corner))
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
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


BADGE_WIDTH, BADGE_HEIGHT = Inches(1.1), Inches(0.36)


def _overlaps(a: Box, b: Box) -> bool:
    return a.left < b.left + b.width and b.left < a.left + a.width and a.top < b.bottom and b.top < a.bottom


def _free_box(slide, prs: Presentation, preferred: Box) -> Box:
    """Where the badge goes: the preferred place if no shape of the slide covers it, else the
    first free one of the slide's corners and the strips under and above each shape, so it never
    lies over a title, a table or a chart whatever the template's proportions and layout."""
    shapes = [Box(s.left, s.top, s.width, s.height) for s in slide.shapes if s.width and s.height]
    margin = Inches(0.2)
    right = prs.slide_width - BADGE_WIDTH - margin
    candidates = [preferred, Box(right, margin, BADGE_WIDTH, BADGE_HEIGHT)]
    for shape in sorted(shapes, key=lambda b: b.top):
        candidates.append(Box(min(shape.left + shape.width - BADGE_WIDTH, right), shape.bottom + Inches(0.05),
                              BADGE_WIDTH, BADGE_HEIGHT))
        candidates.append(Box(min(shape.left + shape.width - BADGE_WIDTH, right),
                              shape.top - BADGE_HEIGHT - Inches(0.05), BADGE_WIDTH, BADGE_HEIGHT))
    candidates.append(Box(right, prs.slide_height - BADGE_HEIGHT - margin, BADGE_WIDTH, BADGE_HEIGHT))
    on_slide = [c for c in candidates if c.left >= 0 and c.top >= 0 and c.bottom <= prs.slide_height]
    return next((c for c in on_slide if not any(_overlaps(c, s) for s in shapes)), on_slide[-1])


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


# ---- native charts -------------------------------------------------------------------------

def number_format(decimals: int, unit: str = "") -> str:
    """Excel number format with thousands separators, the indicator's decimals and, when given,
    its unit as literal text: 1234.5 with (1, 亿元) shows 1,234.5亿元."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return f'{pattern}"{unit}"' if unit else pattern


def _axis_decimals(values: list[float | None], decimals: int) -> int:
    """Whole numbers on the axis unless the figures are so small that ticks would repeat."""
    largest = max((abs(v) for v in values if v is not None), default=0)
    return 0 if decimals == 0 or largest >= 5 else 1


EMU_PER_PIXEL = 9525   # at 96 dpi, the size browsers lay out in


def _add_chart(slide, planned: PlannedChart, box: Box, pictures: bool) -> None:
    if pictures:
        picture = chart_picture(planned.kind, planned.data, "png", width=box.width // EMU_PER_PIXEL,
                                height=box.height // EMU_PER_PIXEL)
        slide.shapes.add_picture(io.BytesIO(picture), box.left, box.top, box.width, box.height)
        return
    add_native_chart(slide, planned.data, box)


def add_native_chart(slide, data: ChartData, box: Box):
    """Bars (clustered, or stacked) with every line series in the same chart: on the bars' axis,
    or on a secondary axis when the lines have their own unit. A rank is lines alone, on an
    inverted axis."""
    if data.ranks:
        return _add_rank_chart(slide, data, box)
    table = CategoryChartData(number_format=number_format(data.decimals, data.unit))
    table.categories = data.categories
    for name, values in data.bars.items():
        table.add_series(name, values)
    line_format = (number_format(data.line_decimals, data.line_unit) if data.line_unit
                   else number_format(data.decimals, data.unit))
    for name, values in data.lines.items():
        table.add_series(name, values, number_format=line_format)
    chart_type = XL_CHART_TYPE.COLUMN_STACKED if data.stacked else XL_CHART_TYPE.COLUMN_CLUSTERED
    frame = slide.shapes.add_chart(chart_type, box.left, box.top, box.width, box.height, table)
    chart = frame.chart
    if data.lines:
        _move_series_to_line_chart(chart, len(data.lines), secondary=_on_secondary_axis(data))
    _style_chart(chart, data)
    return frame


def _add_rank_chart(slide, data: ChartData, box: Box):
    """Ranks as lines with first place at the top: a worse rank must not stand taller."""
    table = CategoryChartData(number_format=number_format(0))
    table.categories = data.categories
    for name, values in data.lines.items():
        table.add_series(name, values)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, box.left, box.top, box.width, box.height, table)
    chart = frame.chart
    _style_titles_and_legend(chart, data)
    axis = _value_axes(chart)[0]
    _style_value_axis(axis, data.unit, 0)
    axis.reverse_order = True
    axis.minimum_scale = 1  # first place is the top of the axis
    for index, series in enumerate(chart.plots[0].series):
        series.smooth = False
        line = series.format.line
        line.width = Pt(2.25)
        color = RED if series.name in REFERENCE_LINES else (NAVY if index == 0 else LIGHT_GREY)
        line.color.rgb = color
        if series.name in REFERENCE_LINES:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
            series.marker.style = XL_MARKER_STYLE.NONE
        else:
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = color
            if index == 0:
                # Under the points: on an inverted axis the target (a better rank) lies above them.
                _label(series, number_format(0), XL_LABEL_POSITION.BELOW, NAVY)
    return frame


def _move_series_to_line_chart(chart, count: int, secondary: bool) -> None:
    plot_area = chart._chartSpace.chart.plotArea
    bar_chart = plot_area.find(qn("c:barChart"))
    bar_axis_ids = [a.get("val") for a in bar_chart.findall(qn("c:axId"))]
    line_chart = OxmlElement("c:lineChart")
    bar_chart.addnext(line_chart)
    etree.SubElement(line_chart, qn("c:grouping"), val="standard")
    etree.SubElement(line_chart, qn("c:varyColors"), val="0")
    for ser in bar_chart.findall(qn("c:ser"))[-count:]:
        for bar_only in ser.findall(qn("c:invertIfNegative")):
            ser.remove(bar_only)
        line_chart.append(ser)
    etree.SubElement(line_chart, qn("c:marker"), val="1")
    for axis_id in SECONDARY_AXIS_IDS if secondary else bar_axis_ids:
        etree.SubElement(line_chart, qn("c:axId"), val=axis_id)
    if secondary:
        _add_secondary_axes(plot_area)


def _add_secondary_axes(plot_area) -> None:
    """A hidden category axis and a value axis on the right, both for the line chart alone."""
    category_id, value_id = SECONDARY_AXIS_IDS
    axes = parse_xml(f"""
    <c:axes {nsdecls("c")}>
      <c:catAx><c:axId val="{category_id}"/><c:scaling><c:orientation val="minMax"/></c:scaling>
        <c:delete val="1"/><c:axPos val="b"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>
        <c:tickLblPos val="nextTo"/><c:crossAx val="{value_id}"/><c:crosses val="autoZero"/>
        <c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>
      <c:valAx><c:axId val="{value_id}"/><c:scaling><c:orientation val="minMax"/></c:scaling>
        <c:delete val="0"/><c:axPos val="r"/><c:numFmt formatCode="General" sourceLinked="0"/>
        <c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>
        <c:crossAx val="{category_id}"/><c:crosses val="max"/><c:crossBetween val="between"/></c:valAx>
    </c:axes>""")
    anchor = plot_area.findall(qn("c:valAx"))[-1]
    for axis in list(axes):
        anchor.addnext(axis)
        anchor = axis


def _on_secondary_axis(data: ChartData) -> bool:
    """Lines in another unit than the bars (a share beside balances) get their own axis."""
    return bool(data.line_unit) and data.line_unit != data.unit


def _style_titles_and_legend(chart, data: ChartData) -> None:
    chart.font.size = Pt(11)
    chart.has_title = True
    chart.chart_title.text_frame.text = data.title
    title_font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
    title_font.size = Pt(13)
    title_font.bold = True
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(10)
    category_axis = chart.category_axis
    category_axis.format.line.color.rgb = LIGHT_GREY
    category_axis.tick_labels.font.size = Pt(10)


def _style_chart(chart, data: ChartData) -> None:
    secondary = _on_secondary_axis(data)
    _style_titles_and_legend(chart, data)
    bar_values = [v for values in data.bars.values() for v in values]
    same_axis_lines = [] if secondary else [v for values in data.lines.values() for v in values]
    value_axes = _value_axes(chart)
    _style_value_axis(value_axes[0], data.unit, _axis_decimals(bar_values + same_axis_lines, data.decimals))
    if all(v >= 0 for v in bar_values + same_axis_lines if v is not None):
        # Bars measure from zero; an axis cut at 270 makes 296 look like a third of 304.
        value_axes[0].minimum_scale = 0

    bars = chart.plots[0]
    bars.gap_width = 60
    if not data.stacked:
        bars.overlap = -10
    for index, series in enumerate(bars.series):
        series.format.fill.solid()
        if series.name in SERIES_COLORS:
            series.format.fill.fore_color.rgb = SERIES_COLORS[series.name]
        elif index == 0:
            series.format.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
        elif data.stacked:
            series.format.fill.fore_color.rgb = STACK_COLORS[(index - 1) % len(STACK_COLORS)]
        else:
            series.format.fill.fore_color.rgb = LIGHT_GREY
        few = len(data.categories) <= LABELLED_CATEGORIES
        if data.stacked and few:
            _label(series, number_format(data.decimals), XL_LABEL_POSITION.CENTER, WHITE)
        elif not data.stacked and index == 0 and few:
            _label(series, number_format(data.decimals), XL_LABEL_POSITION.OUTSIDE_END, None)
            for i in _labels_under_a_line(data, list(series.values), secondary):
                _label_inside(series.points[i].data_label)
        elif not data.stacked and index == 0:
            # Twelve labels would run into the target line: label the latest month, unit included.
            latest = max((i for i, v in enumerate(series.values) if v is not None), default=None)
            if latest is not None:
                label = series.points[latest].data_label
                label.position = XL_LABEL_POSITION.OUTSIDE_END
                label.font.size = Pt(10)
                label.font.bold = True
                if latest in _labels_under_a_line(data, list(series.values), secondary):
                    _label_inside(label)
    if len(chart.plots) < 2:
        return
    for series in chart.plots[1].series:
        values = [v for v in series.values if v is not None]
        constant = len(set(values)) <= 1
        series.smooth = False
        line = series.format.line
        line.width = Pt(2.25)
        line.color.rgb = ORANGE if secondary else RED
        if not secondary:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
        series.marker.style = XL_MARKER_STYLE.NONE if constant else XL_MARKER_STYLE.CIRCLE
        if not constant:
            series.marker.size = 6
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = line.color.rgb
            series.marker.format.line.color.rgb = line.color.rgb
        if secondary:
            _label(series, number_format(data.line_decimals, data.line_unit), XL_LABEL_POSITION.ABOVE, ORANGE)
    if secondary:
        _style_value_axis(value_axes[1], data.line_unit, 0, gridlines=False)
        _keep_line_above_bars(value_axes[0], value_axes[1], data)


LABEL_CLEARANCE = 0.12  # of the axis' height: a label above a bar needs this much room below a line


def _labels_under_a_line(data: ChartData, values: list[float | None], secondary: bool) -> set[int]:
    """The bars whose label, placed above the bar, would sit on a line drawn on the same axis just
    above it (a target or pace line): those labels go inside the bar's top instead."""
    if secondary or not data.lines:
        return set()
    everything = [v for v in values if v is not None] + [v for line in data.lines.values() for v in line if v is not None]
    top = max(everything, default=0)
    if top <= 0:
        return set()
    hits = set()
    for i, value in enumerate(values):
        if value is None or value < top * 2 * LABEL_CLEARANCE:
            continue  # too short to hold its label inside
        if any(line[i] is not None and -LABEL_CLEARANCE / 3 <= (line[i] - value) / top <= LABEL_CLEARANCE
               for line in data.lines.values() if i < len(line)):
            hits.add(i)
    return hits


def _label_inside(label) -> None:
    label.position = XL_LABEL_POSITION.INSIDE_END
    label.font.color.rgb = WHITE


def _value_axes(chart) -> list[ValueAxis]:
    """Primary first. python-pptx's `chart.value_axis` returns the second `c:valAx` when there are
    two (it has XY charts in mind), which here is the secondary axis."""
    return [ValueAxis(axis) for axis in chart._chartSpace.chart.plotArea.findall(qn("c:valAx"))]


def _keep_line_above_bars(bar_axis, line_axis, data: ChartData) -> None:
    """With two axes the line would run through the bars and its labels over them: the bars get
    the lower part of the chart, the line the upper part."""
    tops = [sum(v or 0 for v in column) for column in zip(*data.bars.values())] if data.stacked \
        else [v for values in data.bars.values() for v in values if v is not None]
    line_values = [v for values in data.lines.values() for v in values if v is not None]
    if not tops or not line_values:
        return
    bar_axis.maximum_scale = _nice_ceiling(max(tops) * 1.8)
    bar_axis.minimum_scale = 0
    low, high = min(line_values), max(line_values)
    step = 10 ** math.floor(math.log10(high)) if high > 0 else 1
    floor = low - (high - low) * 1.3
    line_axis.minimum_scale = max(0, math.floor(floor / step) * step) if floor > 0 else 0
    line_axis.maximum_scale = math.ceil(high * 1.02 / step) * step


def _nice_ceiling(value: float) -> float:
    """The next round number at or above value, such as 60 for 57.6."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= value)


def _style_value_axis(axis, unit: str, decimals: int, gridlines: bool = True) -> None:
    axis.has_major_gridlines = gridlines
    if gridlines:
        axis.major_gridlines.format.line.color.rgb = GRIDLINE
    axis.format.line.fill.background()
    axis.tick_labels.font.size = Pt(10)
    axis.tick_labels.number_format = number_format(decimals)
    axis.tick_labels.number_format_is_linked = False
    if unit:
        axis.has_title = True
        frame = axis.axis_title.text_frame
        frame.text = unit
        frame.paragraphs[0].runs[0].font.size = Pt(10)
        frame.paragraphs[0].runs[0].font.bold = False
        # Upright: a turned 个 or 亩 reads as another glyph.
        frame._bodyPr.set("rot", "0")
        frame._bodyPr.set("vert", "horz")


def _label(series, number_format_code: str, position, color: RGBColor | None) -> None:
    labels = series.data_labels
    labels.show_value = True
    labels.number_format = number_format_code
    labels.number_format_is_linked = False
    labels.position = position
    labels.font.size = Pt(10)
    if color is not None:
        labels.font.color.rgb = color


# ---- typefaces -----------------------------------------------------------------------------

def set_typefaces(root, east_asian: str, latin: str) -> None:
    """Name the East Asian and Latin typefaces on every run and default run style under root.

    python-pptx's `font.name` writes only `a:latin`; without `a:ea` PowerPoint and WPS pick a
    CJK font by themselves, which differs from machine to machine.
    """
    for run in list(root.iter(qn("a:r"), qn("a:fld"))):
        if run.find(qn("a:rPr")) is None:
            run.insert(0, OxmlElement("a:rPr"))
    for props in list(root.iter(qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))):
        props.get_or_add_latin().set("typeface", latin)
        for old in props.findall(qn("a:ea")):
            props.remove(old)
        east_asian_font = OxmlElement("a:ea")
        east_asian_font.set("typeface", east_asian)
        props.find(qn("a:latin")).addnext(east_asian_font)
        if props.get("lang") is None:
            props.set("lang", "zh-CN")
