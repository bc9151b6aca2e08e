"""整改进展: the 24 problems as the report lists them, with measures, lead units, deadlines and
the indicators that measure them. The report's summary count disagrees with its own list; both
are shown, and neither is adjusted."""
import streamlit as st

from metrics.ui import common
from metrics.ui.common import t

version = common.get_store().data_version()
st.markdown(f"### {t('page_rectification')}")
progress = common.ledger_progress(version)
for column, (label, value) in zip(st.columns(4), (
        (t("problems_total"), progress.total), (t("problems_done"), progress.done),
        (t("problems_in_progress"), progress.in_progress),
        (t("measures_done"), f"{progress.measures_done} / {progress.measures}"))):
    column.metric(label, value, border=True)
summary, problems, measures = common.ledger(version)
if progress.summary_disagrees:
    st.warning(f"**{t('disagreement_title')}**  \n"
               + t("summary_says", done=progress.summary_done, in_progress=progress.summary_in_progress)
               + f"：“{common.inert(summary['summary_source'])}”  \n"
               + t("list_says", done=progress.done, in_progress=progress.in_progress),
               icon=":material/rule:")

shown = st.segmented_control(t("filter_status"), ["done", "in_progress"], selection_mode="multi",
                             default=["done", "in_progress"], key="ledger_status",
                             format_func=lambda s: t("status_done" if s == "done" else "status_in_progress"))
listed = problems[problems["status"].isin(shown)]
# Every listed problem visible at once: 35 px a row plus the header.
st.dataframe(common.problems_table(version, list(listed["id"])), hide_index=True,
             height=36 * (len(listed) + 1) + 2)
for problem in listed.itertuples():
    with st.expander(t("measures_of", id=problem.id, title=problem.title)):
        st.dataframe(common.measures_table(version, problem.id), hide_index=True)
