"""数据审核: the uploads waiting for review, each with what it would change, to approve or send back
with a reason the uploader sees; an administrator also switches review on or off here."""
import pandas as pd
import streamlit as st

from metrics import auth, catalog, i18n
from metrics.store import StoreError
from metrics.ui import blocks, reads, session, state
from metrics.ui.reads import get_store
from metrics.ui.state import t

st.title(t("page_review"))
store = get_store()
actor = session.require_role("review")
lang = state.language()

done = st.session_state.pop("review_done", None)
if done:
    getattr(st, done[0])(done[1])


def act(write, message_key: str) -> None:
    """Do one review write, then show its outcome after the rerun (the batch has left the list)."""
    try:
        result = write()
        st.session_state["review_done"] = ("success", t(message_key, batch=result["batch_id"],
                                                        file=reads.inert(result["file_name"])))
    except (StoreError, auth.PermissionDenied) as exc:
        st.session_state["review_done"] = ("error", reads.inert(str(exc)))
    st.rerun()


required = store.review_required()
if actor.can("review_mode"):
    switched = st.toggle(t("review_switch"), value=required, help=t("review_switch_help"))
    if switched != required:
        store.set_review_required(switched, by=actor)
        st.rerun()
st.caption(t("review_on" if required else "review_off"))

batches = store.batches()
waiting = batches[(batches["review"] == "pending") & batches["undone_at"].isna()].sort_values("id")
if waiting.empty:
    st.info(t("review_none"))
    st.stop()
inds = catalog.indicators()
for batch in waiting.itertuples(index=False):
    with st.container(border=True):
        st.markdown(blocks.batch_line(batch))
        # Compared with the figures live now, as the reviewer must judge what approving would change.
        changes = store.diff(store.batch_rows(int(batch.id)))
        # A figure repeated unchanged with a new 备注 changes the month's 原因分析 when approved.
        changes = changes[(changes["change"] != "unchanged") | changes["new_note"].astype(bool)]
        st.dataframe(pd.DataFrame({
            t("progress_col_indicator"): [i18n.indicator_name(inds[c], lang) if c in inds else c
                                          for c in changes["indicator_code"]],
            t("progress_col_entity"): changes["entity"],
            t("period"): [i18n.period_name(p, lang) for p in changes["period"]],
            t("upload_col_new_note"): changes["note"].where(changes["new_note"].astype(bool), ""),
            t("upload_col_old"): changes["old_value"],
            t("upload_col_new"): changes["value"],
        }), hide_index=True, width="stretch")
        approve, reason_box, reject = st.columns([1, 4, 1], vertical_alignment="bottom")
        if approve.button(t("review_approve"), key=f"approve_{batch.id}", type="primary"):
            act(lambda: store.approve_batch(int(batch.id), by=actor), "review_approved")
        reason = reason_box.text_input(t("review_reason"), key=f"reason_{batch.id}")
        if reject.button(t("review_reject"), key=f"reject_{batch.id}"):
            act(lambda: store.reject_batch(int(batch.id), reason, by=actor), "review_rejected")
