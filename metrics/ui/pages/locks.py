import streamlit as st

from metrics.store import StoreError
from metrics.ui import reads, session
from metrics.ui.reads import get_store
from metrics.ui.state import t

st.title(t("page_locks"))
st.caption(t("locks_intro"))
store = get_store()
actor = session.require_role("locks")
locked = sorted(store.locked_periods())
st.write(t("locks_current", months=t("locks_separator").join(locked) if locked else t("locks_none")))
with st.form("lock"):
    period = st.text_input(t("locks_month"), value=store.latest_period() or "")
    reason = st.text_input(t("locks_reason"))
    lock_col, unlock_col = st.columns(2)
    lock = lock_col.form_submit_button(t("locks_lock"))
    unlock = unlock_col.form_submit_button(t("locks_unlock"))
    if lock or unlock:
        try:
            store.set_period_lock(period.strip(), bool(lock), by=actor, reason=reason)
            st.success(t("locks_locked" if lock else "locks_unlocked", period=period.strip()))
            st.rerun()
        except StoreError as exc:
            reads.show_problem(exc)
