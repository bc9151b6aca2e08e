import streamlit as st

from metrics.formatting import neutralise
from metrics.ui import session
from metrics.ui.reads import get_store
from metrics.ui.state import t

ACTIONS = {action: t(f"audit_action_{action or 'all'}")
           for action in ("", "upload", "undo", "approve", "reject", "review_mode", "target", "lock", "unlock",
                          "user_add", "user_change", "sign_in", "sign_in_failed")}

st.title(t("page_audit"))
session.require_role("accounts")
store = get_store()
action = st.selectbox(t("audit_action"), list(ACTIONS), format_func=ACTIONS.get)
user = st.text_input(t("audit_user"))
log = store.audit_log(user=user.strip() or None, action=action or None)
log["action"] = log["action"].map(lambda a: ACTIONS.get(a, a))
table = log.rename(columns={"id": t("audit_col_id"), "occurred_at": t("audit_col_when"),
                            "user_name": t("audit_col_user"), "origin": t("audit_col_origin"),
                            "action": t("audit_col_action"),
                            "subject": t("audit_col_subject"), "before": t("audit_col_before"),
                            "after": t("audit_col_after")})
st.dataframe(table, hide_index=True, width="stretch")
# What someone typed into the sign-in box is in the log: exported, it must stay text.
st.download_button(t("audit_download"), table.map(neutralise).to_csv(index=False).encode("utf-8-sig"),
                   file_name=t("audit_file_name"), mime="text/csv")
