"""填报进度: for one month, each indicator and entity's department, editors, due date and state,
with 已报 N/M at the top (待审核 ones included: their owners have sent them) and the late ones first;
those behind without a 情况说明 are flagged."""
import datetime as dt

import pandas as pd
import streamlit as st

from metrics import catalog, i18n, periods, tasks
from metrics.ui import state
from metrics.ui.reads import get_store
from metrics.ui.state import t

st.title(t("page_progress"))
store = get_store()
lang = state.language()
today = dt.date.today()
last_month = periods.shift(f"{today:%Y-%m}", -1)
choices = sorted({last_month, *store.periods()}, reverse=True)
period = st.selectbox(t("progress_month"), choices, format_func=lambda p: i18n.period_name(p, lang))
statuses = tasks.progress(store, period, today)
if not statuses:
    st.info(t("progress_none"))
    st.stop()
reported = sum(s.state in tasks.SENT_STATES for s in statuses)
st.header(t("progress_reported", done=reported, total=len(statuses)))
waiting = sum(s.state == tasks.TaskState.PENDING_REVIEW for s in statuses)
if waiting:
    st.info(t("progress_pending_review", count=waiting))
overdue = sum(s.state == tasks.TaskState.OVERDUE for s in statuses)
if overdue:
    st.warning(t("progress_overdue", count=overdue))
unexplained = sum(s.unexplained for s in statuses)
if unexplained:
    st.warning(t("progress_unexplained_warning", count=unexplained), icon=":material/edit_note:")
inds = catalog.indicators()
st.dataframe(pd.DataFrame({
    t("progress_col_state"): [t(f"progress_state_{s.state}") for s in statuses],
    t("progress_col_indicator"): [i18n.indicator_name(inds[s.code], lang) for s in statuses],
    t("progress_col_entity"): [s.entity for s in statuses],
    t("progress_col_department"): [s.department for s in statuses],
    t("progress_col_editors"): ["、".join(s.editors) or t("progress_no_editor") for s in statuses],
    t("progress_col_due"): [s.due.isoformat() for s in statuses],
    t("progress_col_explanation"): [t("progress_unexplained") if s.unexplained else "" for s in statuses],
}), hide_index=True, width="stretch")
