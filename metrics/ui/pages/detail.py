"""指标详情: why an indicator stands where it does — its months, its pace, last year, the report's
figures, who changed what, its definition, the inspection problems it measures and the ledger's
measures that should move it."""
import streamlit as st

from metrics import catalog, chartdata, charts, formatting as fmt, i18n, status
from metrics.ui import common
from metrics.ui.common import t

view = common.view_header(t("page_detail"), pick_indicator=True)
ind, a = catalog.indicator(view.indicator), view.assessments[view.indicator]
series = view.series[ind.code]
version = common.get_store().data_version()
common.illustrative_banner(a.illustrative or a.target_illustrative)
lang = common.language()
unit = fmt.unit_name(ind.unit, lang)
st.markdown(f"#### {common.inert(i18n.indicator_name(ind, lang))}" + (f" ({unit})" if lang == "en" else f"（{unit}）"))
common.headline_metrics(ind, a)

target = view.target(ind.code)
monthly, pace = st.columns(2)
with monthly:
    common.indicator_chart_block(ind, a, series, view.entity, key="monthly")
if a.progress is not None:
    with pace:
        data = chartdata.ytd_chart_data(ind, series, a, view.phasing(ind.code), view.entity, common.language())
        common.chart_block(charts.build_ytd_figure(data), None, [ind.code], key="ytd", data=data)

notes = common.figure_notes(version, ind.code, view.entity, view.period)
if not notes.empty:
    st.markdown(f"##### {t('upload_notes')}")
    for period, note in zip(notes["period"], notes["note"]):
        st.markdown(f"- **{i18n.period_name(period, common.language())}** {common.inert(note)}")

st.markdown(f"##### {t('months_table')}")
# Twelve rows of figures already written out: a static table draws at once, where a data grid
# would load its own component.
st.table(common.months_table(ind, series, view.period), hide_index=True)

# Only the open tab is computed and sent: a leader opening the page waits for the charts, not for
# the revision history behind a closed tab.
figures, revisions, definition, problems = st.tabs(
    [t("report_figures"), t("history"), t("definition"), t("problems")], key="detail_tab", on_change="rerun")
if figures.open:
    with figures:
        common.report_figures_table(version, ind)
if revisions.open:
    with revisions:
        st.caption(t("history_caption"))
        st.dataframe(common.history_table(version, ind, view.entity), hide_index=True, height=320)
if definition.open:
    with definition:
        st.text(ind.definition)
        if a.projection is not None:
            st.text(t("projection_method", method=status.PROJECTION_METHOD[common.language()]))
        if ind.formula:
            st.text(t("formula", formula=ind.formula))
        if target is not None:
            st.text(t("target_source", source=target["source"]))
if problems.open:
    with problems:
        problem_rows = common.problems_table(version, list(ind.problems))
        if problem_rows.empty:
            st.caption(t("no_problems"))
        else:
            st.dataframe(problem_rows, hide_index=True)
        st.markdown(f"##### {t('linked_measures')}")
        linked = common.measures_table(version, indicator=ind.code)
        if linked.empty:
            st.caption(t("no_linked_measures"))
        else:
            st.dataframe(common.overdue_highlight(linked), hide_index=True)
