"""填报任务: an administrator sets who reports each indicator for each entity and by which day, and
where reminders reach each account. The store keeps the edit, and checks ownership on every write."""
import pandas as pd
import streamlit as st

from metrics import catalog, i18n
from metrics.auth import Actor
from metrics.channels import CHANNEL_KINDS, shown_settings
from metrics.store import StoreError
from metrics.ui import reads, session, state
from metrics.ui.reads import get_store
from metrics.ui.state import t

st.title(t("page_tasks"))
st.caption(t("tasks_intro"))
store = get_store()
actor = session.require_role("tasks")
lang = state.language()
inds = catalog.indicators()
held = store.tasks()
users = store.users()
uploaders = [u.name for u in users.itertuples(index=False) if not u.disabled and Actor(u.name, u.role).can("upload")]

done = st.session_state.pop("tasks_done", None)
if done:
    st.success(done)
st.dataframe(pd.DataFrame({
    t("progress_col_indicator"): [i18n.indicator_name(inds[c], lang) for c in held["indicator_code"]],
    t("progress_col_entity"): held["entity"],
    t("progress_col_department"): held["department"],
    t("progress_col_editors"): ["、".join(e) or t("progress_no_editor") for e in held["editors"]],
    t("tasks_due_day"): held["due_day"],
}), hide_index=True, width="stretch")

uploadable = [c for c, i in inds.items() if i.kind != catalog.IndicatorKind.DERIVED]
code = st.selectbox(t("tasks_indicator"), uploadable, format_func=lambda c: i18n.indicator_name(inds[c], lang))
entity = st.selectbox(t("tasks_entity"), store.entities()["name"].tolist())
current = held[(held["indicator_code"] == code) & (held["entity"] == entity)]
task = current.iloc[0] if len(current) else None
# Keyed by the task chosen, so the form opens on that task's values.
with st.form(f"task_{code}_{entity}"):
    department = st.text_input(t("tasks_department"), value="" if task is None else task["department"])
    editors = st.multiselect(t("tasks_editors"), uploaders,
                             default=[] if task is None else [e for e in task["editors"] if e in uploaders])
    due_day = st.number_input(t("tasks_due_day"), min_value=1, max_value=31, step=1,
                              value=5 if task is None else int(task["due_day"]))
    if st.form_submit_button(t("tasks_save")):
        try:
            store.set_task(code, entity, department=department, editors=editors, due_day=int(due_day), by=actor)
            st.session_state["tasks_done"] = t("tasks_saved", name=i18n.indicator_name(inds[code], lang),
                                               entity=reads.inert(entity), department=reads.inert(department),
                                               day=int(due_day))
            st.rerun()
        except StoreError as exc:
            reads.show_problem(exc)

st.subheader(t("tasks_contacts"))
st.caption(t("tasks_contacts_hint"))
contacts = store.contacts().set_index("user_name")
name = st.selectbox(t("tasks_account"), users["name"].tolist())
with st.form(f"contact_{name}"):
    known = contacts.loc[name] if name in contacts.index else None
    email = st.text_input(t("tasks_email"), value="" if known is None else known["email"])
    mobile = st.text_input(t("tasks_mobile"), value="" if known is None else known["mobile"])
    if st.form_submit_button(t("tasks_contact_save")):
        try:
            store.set_contact(name, email=email, mobile=mobile, by=actor)
            st.session_state["tasks_done"] = t("tasks_contact_saved", name=reads.inert(name))
            st.rerun()
        except StoreError as exc:
            reads.show_problem(exc)

st.subheader(t("tasks_channels"))
st.caption(t("tasks_channels_hint"))
channels = store.channels()
if channels:
    st.dataframe(pd.DataFrame({
        t("tasks_col_channel"): [c["id"] for c in channels],
        t("tasks_col_kind"): [CHANNEL_KINDS[c["kind"]] for c in channels],
        t("tasks_col_settings"): ["，".join(f"{k}={v}" for k, v in shown_settings(c["settings"]).items()) for c in channels],
    }), hide_index=True, width="stretch")
else:
    st.write(t("tasks_no_channels"))
