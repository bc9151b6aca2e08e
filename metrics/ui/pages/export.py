"""导出汇报: the leaders' deck in two clicks (生成, then 下载), plus the data behind its charts, and
the month's Word 汇报材料 the same way."""
import streamlit as st

from metrics import catalog, i18n, status
from metrics.export import (ImageExportError, TemplateError, chart_data_xlsx, deck_indicator_choices,
                            default_deck_indicators, export_deck, export_report, plan_deck)
from metrics.export.report_docx import DOCX_MIME
from metrics.store import StoreError
from metrics.ui import blocks, reads, session, state
from metrics.ui.reads import get_store
from metrics.ui.state import t

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

st.title(t("page_export"))
store = get_store()
version = store.data_version()
period = blocks.period_picker(store, catalog.ZONE)
if period is None:
    blocks.no_data_stop()

inds = catalog.indicators()
_, assessments, _ = reads.overview(version, catalog.ZONE, period)
blocks.illustrative_banner(any(a.illustrative for a in assessments))
verdicts = {a.code: status.verdict(a, inds[a.code].unit, inds[a.code].decimals, state.language())
            for a in assessments}
choices = deck_indicator_choices(assessments)
chosen_elsewhere = [c for c in st.session_state.get("deck_indicators") or [] if c in inds]
lang = state.language()
# The status in words, not coloured emoji: an intranet server's browser often has no emoji font.
codes = st.multiselect(
    t("export_indicators"), choices, default=chosen_elsewhere or default_deck_indicators(assessments),
    format_func=lambda c: t("export_indicator_option", name=i18n.indicator_name(inds[c], lang),
                            status=verdicts[c]))
# An uploaded template is parsed on the server, so only someone signed in may send one.
if session.current_actor() is not None:
    template = st.file_uploader(t("export_template"), type=["pptx", "potx"])
else:
    template = None
    st.caption(t("export_template_sign_in"))
pictures = st.checkbox(t("export_pictures"))

try:
    plan = plan_deck(store, period, codes)
except StoreError as exc:
    reads.show_problem(exc)
    st.stop()
st.subheader(t("export_slide_count", count=len(plan.slides)))
# The slides' titles are the deck's own words, in Chinese.
st.dataframe([{t("export_col_slide"): n, t("export_col_title"): s.title,
               t("export_col_illustrative"): t("export_yes") if s.illustrative else ""}
              for n, s in enumerate(plan.slides, start=1)], hide_index=True, width="stretch")

request = (version, period, tuple(codes), template.file_id if template else None, pictures)
if st.button(t("export_build"), type="primary"):
    with st.spinner(t("export_building")):
        try:
            built, deck = export_deck(store, period, template=template.getvalue() if template else None,
                                      codes=codes, pictures=pictures)
            st.session_state["deck_export"] = (request, deck, chart_data_xlsx([c.data for c in built.charts]))
        except (StoreError, TemplateError, ImageExportError) as exc:
            reads.show_problem(exc)

ready = st.session_state.get("deck_export")
if ready and ready[0] == request:
    _, deck, workbook = ready
    left, right = st.columns(2)
    # The deck and its chart data are the Chinese report, and so are their file names.
    left.download_button(t("export_download_deck"), deck, file_name=f"{period}重点指标汇报.pptx", mime=PPTX_MIME,
                         type="primary")
    right.download_button(t("export_download_data"), workbook, file_name=f"{period}汇报图表数据.xlsx", mime=blocks.XLSX_MIME)

st.subheader(t("export_report_heading"))
st.caption(t("export_report_about"))
no_pictures = st.checkbox(t("export_report_no_pictures"))
report_request = (version, period, no_pictures)
if st.button(t("export_report_build")):
    with st.spinner(t("export_report_building")):
        try:
            _, report = export_report(store, period, pictures=not no_pictures)
            st.session_state["report_export"] = (report_request, report)
        except StoreError as exc:
            reads.show_problem(exc)
        except ImageExportError as exc:
            st.error(reads.inert(t("export_report_pictures_failed", problem=exc)), icon=":material/error:")

ready_report = st.session_state.get("report_export")
if ready_report and ready_report[0] == report_request:
    st.download_button(t("export_download_report"), ready_report[1], file_name=f"{period}重点指标汇报材料.docx",
                       mime=DOCX_MIME, type="primary")
