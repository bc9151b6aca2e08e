"""What goes on which slide: every slide's title, 汇报 sentence, charts and tables, read from the store
before anything is drawn, so that the export page can list the slides first."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ... import catalog, ledger, tracker
from ... import formatting as fmt
from ...calc import Assessment, target_for
from ...catalog import ZONE, Indicator, IndicatorKind
from ...chartdata import (DEBT_PARTS, DEBT_SHARE, ChartData, debt_structure_chart_data, ledger_chart_data,
                          monthly_chart_data, ytd_chart_data)
from ...chartdata import _source as source_line  # the wording under every chart, for the overview too
from ...narrative import explanation_sentence, indicator_sentence, overview_sentence, subject
from ...periods import split_period, ytd_label
from ...status import BEHIND, STATUS_ORDER, Status, verdict
from ...store import Store, StoreError

ILLUSTRATIVE_LABEL = "示例数据"
TARGET_NOTE = "目标为示例目标"
OVERVIEW_ROWS_PER_SLIDE = 12


@dataclass
class PlannedChart:
    kind: str   # monthly | ytd | debt | ledger: which chart builder draws it as a picture
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
    remarks: str = ""       # the month's 情况说明 and the year's upload 备注 notes, drawn under the charts

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
    with_target = [a for a in assessments if a.status != Status.NONE]
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
        raise StoreError(tracker.no_figures_message(store, period, entity, "汇报"))
    by_code = {a.code: a for a in assessments}
    targets = store.targets()
    codes = default_deck_indicators(assessments) if codes is None else list(codes)
    slides = [_cover_slide(entity, period, any(a.illustrative for a in assessments),
                           tracker.pending_review_note(store, period, entity))]
    slides += _overview_slides(inds, assessments, entity, period)
    for code in codes:
        slide = _indicator_slide(inds[code], by_code[code], series[code], targets, entity)
        slide.remarks = remarks(store, code, entity, period)
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
    if ind.kind == IndicatorKind.FLOW:
        figure = f"{ytd_label(a.period)}累计{fmt.amount(a.ytd, ind.unit, ind.decimals)}"
    else:
        figure = f"{month}月末{'列' if ind.unit == '位' else '为'}{fmt.amount(a.ytd, ind.unit, ind.decimals)}"
    said = status_label(a, ind)
    return f"{ind.name}：{figure}" + (f"，{said}" if said else "")


def status_label(a: Assessment, ind: Indicator) -> str:
    """The verdict for this kind of target (metrics.status); empty without a target."""
    return "" if a.status == Status.NONE else verdict(a, ind.unit, ind.decimals)


def remarks(store: Store, code: str, entity: str, period: str) -> str:
    """What follows an indicator's 汇报 sentence on its slide and in the report: the month's
    explanation (情况说明), then the year's 备注 notes. Where no explanation was written, the
    month's 备注 is the explanation (Store.explanations), and the notes line already says it."""
    explained = store.explanations(period, entity=entity, code=code)
    written = explained[explained["source"] == "written"]
    said = "" if written.empty else explanation_sentence(written["reason"].iloc[0], written["next_steps"].iloc[0])
    return said + notes_line(store.figure_notes(code, entity, period))


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


def _cover_slide(entity: str, period: str, illustrative: bool, pending_note: str = "") -> PlannedSlide:
    year, month = split_period(period)
    subtitle = f"{_as_of(period)}｜{date.today():%Y年%m月%d日}生成"
    if illustrative:
        subtitle += f"｜含{ILLUSTRATIVE_LABEL}"
    if pending_note:
        subtitle += f"｜{pending_note}"
    return PlannedSlide("cover", f"{subject(entity)}重点指标进展情况汇报（{year}年{month}月）",
                        subtitle=subtitle, illustrative=illustrative)


def _overview_slides(inds: dict[str, Indicator], assessments: list[Assessment], entity: str,
                     period: str) -> list[PlannedSlide]:
    with_target = sorted((a for a in assessments if a.status != Status.NONE),
                         key=lambda a: STATUS_ORDER[a.status])
    on_pace = sum(a.status == Status.GREEN for a in with_target)
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


def _ledger_slide(store: Store) -> PlannedSlide:
    summary, problems, measures = store.ledger()
    progress = ledger.progress(summary, problems, measures)
    chart = ledger_chart_data(progress)
    text = (f"巡察反馈的{progress.total}个问题中，已整改完成{progress.done}个，正在推进{progress.in_progress}个；"
            f"{progress.measures}项整改措施中已完成{progress.measures_done}项。") + progress.disagreement()
    rows = []
    for p in problems[problems["status"] != ledger.LedgerStatus.DONE].to_dict("records"):
        rows.append([p["title"], "{}/{}项".format(*ledger.measures_done(measures, p["id"])),
                     p["lead_unit"] or "—", p["deadline"] or "—"])
    table = PlannedTable(["正在推进的问题", "措施完成", "牵头单位", "时限"], rows)
    return PlannedSlide(
        "ledger", f"巡察整改：{progress.total}个问题已整改完成{progress.done}个、正在推进{progress.in_progress}个",
        text=text, footnote=chart.source,
        charts=[PlannedChart("ledger", chart)], table=table)
