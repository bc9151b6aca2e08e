"""The blocks pages are built from: the pickers and the view they choose, the banner, a chart with
its 汇报 sentence and downloads, the indicator cards, the behind strip and the headline figures."""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import calc, catalog, chartdata, charts, formatting as fmt, i18n, narrative, periods, status
from metrics.catalog import IndicatorKind, TargetKind
from metrics.status import Status
from metrics.store import Store
from metrics.export import images
from metrics.export.xlsx import chart_data_xlsx
from metrics.ui.reads import entities, explanation, get_store, inert, ledger_progress, overview, reporting, targets
from metrics.ui.state import language, t, url_choice


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
METRICS_PER_ROW = 4
STATUS_BADGE = {Status.GREEN: "green", Status.AMBER: "orange", Status.RED: "red", Status.OPEN: "blue",
                Status.NONE: "gray"}


def entity_picker(store: Store) -> str:
    names = list(entities(store.data_version())["name"])
    return url_choice("entity", names, catalog.ZONE, t("entity"))


def period_picker(store: Store, entity: str) -> str | None:
    """The month shown, each choice with 已报 N/M and how many wait for review (a month whose figures
    all wait is offered too); defaults to the latest month most indicators have reported."""
    reported = reporting(store.data_version(), entity)
    default = reported.default_period()
    if default is None:
        return None
    lang = language()

    def label(p: str) -> str:
        count, expected = reported.line(p)
        name, pending = i18n.period_name(p, lang), reported.pending(p)
        if pending:
            return i18n.t("period_reported_pending", lang, period=name, count=count, expected=expected,
                          pending=pending)
        return i18n.t("period_reported", lang, period=name, count=count, expected=expected)

    return url_choice("period", list(reported.by_month), default, t("period"), format_func=label)


def reported_line(store: Store, entity: str, period: str) -> str:
    """已报 N/M 项 for the month shown, and how many more wait for review (not shown until approved)."""
    reported = reporting(store.data_version(), entity)
    count, expected = reported.line(period)
    line = t("reported_line", count=count, expected=expected)
    waiting = reported.pending(period)
    return line + (" · " + t("pending_review_line", count=waiting) if waiting else "")


def indicator_picker() -> str:
    inds = catalog.indicators()
    lang = language()
    return url_choice("indicator", list(inds), next(iter(inds)), t("indicator"),
                       format_func=lambda c: f"{i18n.category_name(inds[c].category, lang)} · "
                                             f"{i18n.indicator_name(inds[c], lang)}")


@dataclass(frozen=True)

class View:
    """What a page shows: one entity at one month, every indicator assessed, and the series."""
    entity: str
    period: str
    assessments: dict[str, calc.Assessment]
    series: dict[str, pd.DataFrame]
    indicator: str | None = None

    def sentences(self, codes) -> str:
        """The 汇报 sentences of several indicators, one per line."""
        lang = language()
        return "\n".join(reported_sentence(catalog.indicator(c), self.assessments[c], self.entity, lang)
                         for c in codes)

    def illustrative(self, codes) -> bool:
        return any(self.assessments[c].illustrative for c in codes)

    def target(self, code: str) -> dict | None:
        """This year's target row for the indicator (kind, value, phasing, source, …)."""
        year, _ = periods.split_period(self.period)
        return calc.target_for(targets(get_store().data_version()), code, self.entity, year)

    def phasing(self, code: str) -> tuple[float, ...] | None:
        return (self.target(code) or {}).get("phasing")


def view_header(title: str, *, pick_indicator: bool = False) -> View:
    """The page's title with its pickers beside it; stops with a hint when there is no data."""
    store = get_store()
    # As on the overview, the month picker gets room for its longest label at 1366 px.
    columns = st.columns([4, 4, 2, 4] if pick_indicator else [8, 2, 4], vertical_alignment="bottom")
    heading, pickers = columns[0], columns[1:]
    indicator = None
    if pick_indicator:
        with pickers.pop(0):
            indicator = indicator_picker()
    with pickers[0]:
        entity = entity_picker(store)
    with pickers[1]:
        period = period_picker(store, entity)
    with heading:
        st.markdown(f"### {inert(title)}")
    if period is None:
        no_data_stop()
    period, assessments, series = overview(store.data_version(), entity, period)
    waiting = reporting(store.data_version(), entity).pending(period)
    if waiting:
        heading.caption(t("pending_review_line", count=waiting))
    return View(entity, period, {a.code: a for a in assessments}, series, indicator)


def batch_line(batch, label: str = "") -> str:
    """One upload in the history and in the review queue: who sent which file when, and what it
    changed, including the figures it only gave a new 备注 (a batch of 备注 alone changes no figure)."""
    notes = t("upload_history_notes", count=batch.n_new_notes) if batch.n_new_notes else ""
    return t("upload_history_line", batch=batch.id, file=inert(batch.file_name), label=label,
             user=inert(batch.user_name), when=f"{batch.created_at:%Y-%m-%d %H:%M}",
             new=batch.n_new, changed=batch.n_changed, unchanged=batch.n_unchanged, notes=notes)


def amount(value, unit: str, decimals: int = 0) -> str:
    return fmt.amount(value, unit, decimals, language())


def no_data_stop() -> None:
    st.info(t("no_data"))
    st.stop()


def illustrative_banner(illustrative: bool) -> None:
    if illustrative:
        st.warning(t("illustrative_banner"), icon=":material/science:")


def _picture_problem() -> str | None:
    """Why pictures cannot be made on this server (no Chromium), or None: a page never breaks on it."""
    try:
        images.find_browser()
    except images.ImageExportError as exc:
        return str(exc)
    return None


# Streamlit's drop zone speaks English whatever the page's language: its words are replaced here.
UPLOADER_CSS = """<style>
[data-testid=stFileUploaderDropzoneInstructions], [data-testid=stFileUploaderDropzoneInstructions] *{min-width:0}
[data-testid=stFileUploaderDropzoneInstructions] span:not([data-testid]){font-size:0!important;white-space:normal!important;
  overflow:visible!important}
[data-testid=stFileUploaderDropzoneInstructions] span:not([data-testid])::after
  {content:"%(drop)s · %(formats)s";font-size:.9rem}
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p{font-size:0!important}
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p::after
  {content:"%(browse)s";font-size:.9rem}
</style>"""


def uploader_in_page_language() -> None:
    """Replace the file uploader's English drop-zone words with the page language's."""
    words = {"drop": t("upload_drop"), "formats": t("upload_formats"), "browse": t("upload_browse")}
    st.html(UPLOADER_CSS % {k: v.replace("\\", "").replace('"', "") for k, v in words.items()})


def _add_to_deck(codes: list[str]) -> None:
    deck = st.session_state.setdefault("deck_indicators", [])
    deck.extend(c for c in codes if c not in deck)
    lang = language()
    names = "、".join(i18n.indicator_name(catalog.indicator(c), lang) for c in codes)
    st.toast(i18n.t("added_to_deck", lang, names=names, count=len(deck)), icon=":material/playlist_add_check:")


def plotly_chart(fig: go.Figure, data: chartdata.ChartData, key: str) -> None:
    """A chart with its title and 示例数据 stamp written above it and its source under it, as text
    that wraps to the column's width (see charts.plot_only)."""
    stamp = (f'<span class="mc-stamp">{html.escape(chartdata.word("illustrative_stamp", data.lang))}</span>'
             if data.illustrative else "")
    st.html(f'<div class="mc-chart-head" data-testid="chart-title">'
            f'<span>{html.escape(data.title)}</span>{stamp}</div>')
    st.plotly_chart(charts.plot_only(fig), key=f"chart_{key}", config=PLOTLY_CONFIG, theme=None)
    if data.source:
        st.caption(inert(data.source))


def _icon(path: str) -> str:
    """A Material icon as an image: st.html's sanitiser drops inline <svg>, but keeps a data URI."""
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="#5f6b76"><path d="{path}"/></svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


COPY_ICON = _icon("M16 1H4c-1.1 0-2 .9-2 2v14h2V3h12V1zm3 4H8c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h11c1.1 0 2-.9 2-2V7"
                  "c0-1.1-.9-2-2-2zm0 16H8V7h11v14z")
COPIED_ICON = _icon("M9 16.17 4.83 12l-1.42 1.41L9 19 21 7l-1.41-1.41z")
# One listener for every copy button of the page, added once per browser tab. It falls back on
# execCommand, because an intranet server over plain http is not a secure context, where the
# Clipboard API is missing.
COPY_SCRIPT = """<script>
if (!window.mcCopyListening) {
  window.mcCopyListening = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".mc-copy-button");
    if (!button) return;
    const text = button.parentElement.querySelector("pre");
    const done = () => { button.classList.add("mc-copied"); setTimeout(() => button.classList.remove("mc-copied"), 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.textContent).then(done);
      return;
    }
    const range = document.createRange();
    range.selectNodeContents(text);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (document.execCommand("copy")) done();
    selection.removeAllRanges();
  });
}
</script>"""


def copyable(text: str) -> None:
    """Text with a copy button, looking like st.code. Not st.code itself: its element loads Streamlit's
    syntax highlighter, which registers every Prism grammar at each page load (200–500 ms of the
    browser's main thread, the largest single cost of the overview and the indicator page)."""
    label = html.escape(t("copy"))
    st.html(f'<div class="mc-copy"><pre data-testid="copyable">{html.escape(text)}</pre>'
            f'<button type="button" class="mc-copy-button" title="{label}" aria-label="{label}">'
            f'<img alt="" src="{COPY_ICON}"><img alt="" src="{COPIED_ICON}"></button></div>{COPY_SCRIPT}',
            unsafe_allow_javascript=True)


def chart_block(fig: go.Figure, sentence: str | None, codes: list[str], key: str, *,
                data: chartdata.ChartData) -> None:
    """A chart, its 汇报 sentence ready to copy (unless a neighbouring chart already shows it),
    and under it the chart as PNG or SVG, its data as xlsx, and the deck control."""
    plotly_chart(fig, data, key)
    if sentence:
        st.caption(t("report_sentence"))
        copyable(sentence)
    with st.container(horizontal=True, gap="small"):
        problem = _picture_problem()
        if problem:
            st.caption(problem)
        else:
            for kind, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
                st.download_button(t(f"download_{kind}"), data=lambda kind=kind: images.chart_image(fig, kind),
                                   file_name=f"{key}.{kind}", mime=mime, key=f"{kind}_{key}", on_click="ignore",
                                   icon=":material/download:")
        st.download_button(t("download_chart_xlsx"), data=lambda: chart_data_xlsx(data), file_name=f"{key}.xlsx",
                           mime=XLSX_MIME, key=f"xlsx_{key}", on_click="ignore", icon=":material/table_view:")
        in_deck = all(c in st.session_state.get("deck_indicators", []) for c in codes)
        st.button(t("in_deck") if in_deck else t("add_to_deck"), key=f"deck_{key}", on_click=_add_to_deck,
                  args=(codes,), icon=":material/playlist_add:", disabled=in_deck)


def indicator_chart_block(ind: catalog.Indicator, a: calc.Assessment, series: pd.DataFrame,
                          entity: str, key: str) -> None:
    """An indicator's months against last year and its target, with its 汇报 sentence."""
    lang = language()
    data = chartdata.monthly_chart_data(ind, series, a, entity, lang)
    chart_block(charts.build_monthly_chart(data), reported_sentence(ind, a, entity, lang), [ind.code],
                key, data=data)


def reported_sentence(ind: catalog.Indicator, a: calc.Assessment, entity: str, lang: str) -> str:
    """The indicator's 汇报 sentence and, where its month has one, the 情况说明 after it, as on its slide."""
    sentence = narrative.indicator_sentence(ind, a, entity, lang)
    shown = explanation(get_store().data_version(), ind.code, entity, a.period)
    return sentence if shown is None else narrative.explained_sentence(sentence, shown["reason"], shown["next_steps"], lang)


def yoy_text(ind: catalog.Indicator, a: calc.Assessment) -> str:
    """同比 as officials read it: 个百分点 for rates, places moved for ranks, % otherwise."""
    if ind.is_rank and a.ytd is not None and a.ytd_last_year is not None:
        moved = int(round(a.ytd_last_year - a.ytd))
        return t("card_rank_up" if moved >= 0 else "card_rank_down", n=abs(moved))
    if a.yoy_pp is not None:
        return t("card_gap", sign="+" if a.yoy_pp >= 0 else "−", points=f"{abs(a.yoy_pp):,.1f}")
    if a.yoy_pct is None:
        return "—"
    return ("+" if a.yoy_pct > 0 else "") + fmt.percent(a.yoy_pct)


def pace_parts(ind: catalog.Indicator, a: calc.Assessment) -> tuple[str, str, str]:
    """(badge, detail, second badge) for the status: 完成率 against 序时进度 where the target is
    paced through the year, else the verdict of metrics.status (the margin to a floor, ceiling,
    rank or year-end level). A growth target short of its 增幅 gets that as a second badge."""
    said = status.verdict(a, ind.unit, ind.decimals, language())
    if a.progress is not None and a.completion is not None:
        gap = t("card_gap", sign="+" if a.gap_pp >= 0 else "−", points=f"{abs(a.gap_pp):,.1f}")
        pace = t("card_pace", completion=fmt.percent(a.completion, is_fraction=True),
                 progress=fmt.percent(a.progress, is_fraction=True))
        return gap, pace, said if a.growth_short_pp else ""
    return said, "", ""


def _pace_line(ind: catalog.Indicator, a: calc.Assessment) -> str:
    """The status badge line in Streamlit's Markdown."""
    badge = STATUS_BADGE[a.status]
    first, detail, second = pace_parts(ind, a)
    line = f":{badge}-badge[{inert(first)}]"
    if detail:
        line += f" :small[{inert(detail)}]"
    if second:
        line += f" :{badge}-badge[{inert(second)}]"
    return line


def outlook_pieces(ind: catalog.Indicator, a: calc.Assessment) -> list[str]:
    """预计全年 and 每月还需完成 for a flow; nothing where they mean nothing."""
    if a.projection is None:
        return []
    pieces = [t("outlook_projection", amount=amount(a.projection, ind.unit, ind.decimals))]
    if a.needed_per_month:
        pieces.append(t("outlook_needed", amount=amount(a.needed_per_month, ind.unit, ind.decimals)))
    return pieces


def _target_parts(ind: catalog.Indicator, a: calc.Assessment) -> tuple[str, str]:
    """(what kind of target, the figure) — an example target carries a *."""
    if a.target is None:
        return t("card_no_target"), ""
    decimals = 0 if float(a.target).is_integer() else ind.decimals
    label = {TargetKind.ANNUAL: "card_annual", TargetKind.GROWTH: "card_growth", TargetKind.YEAR_END: "card_year_end",
             TargetKind.FLOOR: "card_floor", TargetKind.CEILING: "card_ceiling"}[a.target_kind]
    figure = fmt.percent(a.target) if a.target_kind == TargetKind.GROWTH else amount(a.target, ind.unit, decimals)
    return t(label), figure + ("*" if a.target_illustrative else "")


def _target_text(ind: catalog.Indicator, a: calc.Assessment) -> str:
    return " ".join(part for part in _target_parts(ind, a) if part)


def _sparkline_img(spark: chartdata.ChartData, status_name: str) -> str:
    """The sparkline's SVG as an image: st.html's sanitiser drops inline <svg>, but keeps a data URI."""
    svg = charts.sparkline_svg(spark, status_name)
    if not svg:
        return ""
    data = base64.b64encode(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1).encode()).decode()
    return f'<img class="spark" alt="" width="72" height="20" src="data:image/svg+xml;base64,{data}">'


def _card_html(ind: catalog.Indicator, a: calc.Assessment, spark: chartdata.ChartData, link: str) -> str:
    """One indicator on the overview as a link to its page: 累计 (or the month-end level) and this
    month, the status, the target and 同比, and a sparkline. Every figure is a piece that wraps
    whole onto the next line rather than being cut off, whatever the width."""
    lang = language()
    name = html.escape(i18n.indicator_name(ind, lang, short=True))
    if a.ytd is None:
        return (f'<a class="mc-card mc-none" href="{link}"><span class="mc-name">{name}</span>'
                f'<span class="mc-muted">{html.escape(t("card_no_data"))}</span></a>')
    label = t("card_ytd") if ind.kind == IndicatorKind.FLOW else t("card_level")
    figure = (f'<span class="mc-piece"><span class="mc-muted">{html.escape(label)}</span> '
              f'<b class="mc-value">{html.escape(amount(a.ytd, ind.unit, ind.decimals))}</b></span>')
    if ind.kind == IndicatorKind.FLOW:
        figure += (f'<span class="mc-piece mc-muted">{html.escape(t("card_month"))} '
                   f'{html.escape(fmt.number(a.value, ind.decimals))}</span>')
    first, detail, second = pace_parts(ind, a)
    pace = f'<span class="mc-badge">{html.escape(first)}</span>'
    if detail:
        pace += f'<span class="mc-piece mc-muted">{html.escape(detail)}</span>'
    if second:
        pace += f'<span class="mc-badge">{html.escape(second)}</span>'
    foot = [f'<span class="mc-piece">{html.escape(_target_text(ind, a))}</span>',
            f'<span class="mc-piece">{html.escape(t("card_yoy"))} {html.escape(yoy_text(ind, a))}</span>']
    if a.status in status.BEHIND:
        foot += [f'<span class="mc-piece">{html.escape(piece)}</span>' for piece in outlook_pieces(ind, a)]
    return (f'<a class="mc-card mc-{a.status}" href="{link}" data-code="{ind.code}">'
            f'<span class="mc-name">{name}</span>'
            f'<span class="mc-row">{figure}{_sparkline_img(spark, a.status)}</span>'
            f'<span class="mc-row">{pace}</span><span class="mc-row mc-small mc-muted">{"".join(foot)}</span></a>')


# One style sheet for the cards, the behind strip and the chart heads, sent once per page run
# rather than with each element that uses it.
PAGE_CSS = """<style>
.mc-strip{display:flex;flex-wrap:wrap;gap:.35rem .5rem;align-items:center;margin:.1rem 0 .6rem}
.mc-strip a{text-decoration:none!important;border-radius:.5rem;padding:.1rem .5rem;font-size:.85rem;color:#fff!important;
  background:var(--mc-status);overflow-wrap:anywhere}
.mc-grid{column-width:21rem;column-gap:1rem}
.mc-group{break-inside:avoid;margin-bottom:.6rem}
.mc-group h5{margin:.1rem 0 .3rem;font-size:.95rem}
.mc-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%%,10.25rem),1fr));gap:.4rem}
.mc-card{display:flex;flex-direction:column;gap:.05rem;min-width:0;padding:.35rem .5rem;border:1px solid #d5dde5;
  border-left:4px solid var(--mc-status);border-radius:.5rem;color:inherit!important;text-decoration:none!important}
.mc-card:hover{background:#f4f7fa}
.mc-name{font-weight:600;font-size:.9rem;overflow-wrap:anywhere}
.mc-row{display:flex;flex-wrap:wrap;align-items:center;gap:.1rem .45rem;min-width:0}
.mc-piece{max-width:100%%;overflow-wrap:anywhere}
.mc-value{font-size:1.02rem;white-space:nowrap}
.mc-muted{color:#5f6b76;font-size:.8rem}
.mc-small{font-size:.78rem}
.mc-badge{background:var(--mc-status);color:#fff;border-radius:.35rem;padding:0 .35rem;font-size:.8rem;
  white-space:normal;overflow-wrap:anywhere}
.mc-red{--mc-status:%(red)s}.mc-amber{--mc-status:%(amber)s}.mc-green{--mc-status:%(green)s}
.mc-open{--mc-status:%(open)s}.mc-none{--mc-status:%(none)s}
.spark{flex:none;height:20px;width:72px}
.mc-chart-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.2rem .6rem;margin:.2rem 0 -.2rem;
  font-weight:600;font-size:.98rem;line-height:1.35;overflow-wrap:anywhere}
.mc-copy{position:relative}  /* the copy button sits in the right padding of its text, never over it */
.mc-copy pre{margin:0;padding:1rem 2.4rem 1rem 1rem;border-radius:.5rem;background:#f7f7f6;color:#2f2d2b;
  white-space:pre-wrap;font:.875rem/1.6 "Source Code Pro",monospace;overflow-wrap:anywhere}
.mc-copy-button{position:absolute;top:.25rem;right:.25rem;display:flex;padding:.3rem;border:0;border-radius:.5rem;
  background:#f7f7f6;cursor:pointer;opacity:0}
.mc-copy:hover .mc-copy-button,.mc-copy-button:focus-visible{opacity:1}
.mc-copy-button img{width:1.1rem;height:1.1rem}
.mc-copy-button img+img,.mc-copied img:first-child{display:none}
.mc-copied img+img{display:block}
.mc-stamp{font-weight:400;font-size:.8rem;color:#6d5d4b;background:#f4efe6;border:1px solid #c8b89a;
  border-radius:.2rem;padding:0 .3rem;white-space:nowrap}
</style>""" % charts.STATUS_COLORS


def page_style() -> None:
    st.html(PAGE_CSS)


def indicator_link(code: str, entity: str, period: str) -> str:
    """The indicator page for this card's indicator, entity, month and language."""
    return "detail?" + urlencode({"indicator": code, "entity": entity, "period": period, "lang": language()})


def behind_strip(view: "View") -> None:
    """The indicators behind, worst first, each a link to its page: what a leader reads first,
    so it sits under the headline (and on a phone, before the pickers and the cards)."""
    inds = catalog.indicators()
    lang = language()
    behind = sorted((a for a in view.assessments.values() if a.status in status.BEHIND),
                    key=lambda a: (status.STATUS_ORDER[a.status], a.gap_pp if a.gap_pp is not None else 0.0))
    if not behind:
        return
    colon = "：" if lang == "zh" else ": "
    links = "".join(
        f'<a class="mc-{a.status}" href="{indicator_link(a.code, view.entity, view.period)}">'
        f'{html.escape(i18n.indicator_name(inds[a.code], lang, short=True))}{colon}'
        f'{html.escape(status.verdict(a, inds[a.code].unit, inds[a.code].decimals, lang))}</a>' for a in behind)
    st.html(f'<div class="mc-strip" data-testid="behind-strip"><b>{html.escape(t("behind_strip"))}</b>'
            f'{links}</div>')


def overview_cards(groups: dict[str, list[str]], view: "View", sparks: dict[str, chartdata.ChartData]) -> None:
    """The cards by category, each category's cards ordered by status, as one block of HTML: one
    element for the browser to draw rather than a dozen widgets per card."""
    inds = catalog.indicators()
    parts = ['<div class="mc-grid">']
    for title, codes in groups.items():
        ordered = sorted(codes, key=lambda c: status.STATUS_ORDER[view.assessments[c].status])
        cards = "".join(_card_html(inds[c], view.assessments[c], sparks[c],
                                   indicator_link(c, view.entity, view.period)) for c in ordered)
        parts.append(f'<section class="mc-group"><h5>{html.escape(title)}</h5><div class="mc-cards">{cards}</div></section>')
    parts.append("</div>")
    st.html("".join(parts))


def ledger_summary(data_version: int) -> None:
    """Problems and measures by status in two lines; the report's disagreeing summary stays visible."""
    progress = ledger_progress(data_version)
    st.markdown(f"**{t('ledger_progress')}** :small[{t('ledger_line', **progress.counts())}]")
    if progress.summary_disagrees:
        st.caption(t("ledger_disagrees", done=progress.summary_done, in_progress=progress.summary_in_progress))


def headline_metrics(ind: catalog.Indicator, a: calc.Assessment) -> None:
    """本月值, 累计值, the target, 完成率 against 序时进度, 同比 and 环比 in one row."""
    cells = []
    if ind.kind == IndicatorKind.FLOW:
        cells.append((t("metric_month"), amount(a.value, ind.unit, ind.decimals)))
    cells.append((t("metric_ytd") if ind.kind == IndicatorKind.FLOW else t("metric_level"), amount(a.ytd, ind.unit, ind.decimals)))
    kind, figure = _target_parts(ind, a)
    cells.append((kind if figure else t("metric_target"), figure or kind))
    # 序时进度 is in the status line under the row: one figure per cell keeps every cell readable.
    cells.append((t("metric_completion"), fmt.percent(a.completion, is_fraction=True)))
    cells.append((t("metric_yoy"), yoy_text(ind, a)))
    if a.published_yoy is not None:
        cells.append((t("metric_published_yoy"), ("+" if a.published_yoy > 0 else "") + fmt.percent(a.published_yoy)))
    cells.append((t("metric_mom"), "—" if a.mom_pct is None else ("+" if a.mom_pct > 0 else "") + fmt.percent(a.mom_pct)))
    if a.projection is not None:
        cells.append((t("metric_projection"), amount(a.projection, ind.unit, ind.decimals)))
    if a.needed_per_month:
        cells.append((t("metric_needed"), amount(a.needed_per_month, ind.unit, ind.decimals)))
    # Rows of four: eight cells in one row cut their figures off on a 1366-pixel laptop.
    for start in range(0, len(cells), METRICS_PER_ROW):
        row = cells[start:start + METRICS_PER_ROW]
        for column, (label, value) in zip(st.columns(METRICS_PER_ROW), row):
            column.metric(label, value, border=True)
    st.markdown(_pace_line(ind, a))
