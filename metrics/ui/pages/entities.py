"""主体管理: the zones and enterprises figures are filed under, and the other ways files write their
names. Only an administrator makes, renames, merges or deletes one; an upload never does."""
import pandas as pd
import streamlit as st

from metrics.catalog import EntityKind
from metrics.store import StoreError
from metrics.ui import reads, session
from metrics.ui.reads import get_store
from metrics.ui.state import t

st.title(t("page_entities"))
st.caption(t("entities_intro"))
store = get_store()
actor = session.require_role("entities")
entities = store.entities()
names = entities["name"].tolist()
kinds = {EntityKind.ZONE: t("entities_kind_zone"), EntityKind.ENTERPRISE: t("entities_kind_enterprise")}
st.dataframe(pd.DataFrame({
    t("entities_col_name"): entities["name"], t("entities_col_kind"): entities["kind"].map(kinds),
    t("entities_col_aliases"): ["、".join(a) for a in entities["aliases"]],
    t("entities_col_illustrative"): [t("entities_yes") if i else "" for i in entities["illustrative"]],
}), hide_index=True, width="stretch")


def act(change, done_key: str, **values) -> None:
    """One form's change, its Chinese refusal shown as text, or its confirmation after a rerun."""
    try:
        change()
    except StoreError as exc:
        reads.show_problem(exc)
        return
    st.session_state["entities_done"] = t(done_key, **{k: reads.inert(v) for k, v in values.items()})
    st.rerun()


done = st.session_state.pop("entities_done", None)
if done:
    st.success(done)
add, rename, alias, merge, delete = st.tabs([t("entities_tab_add"), t("entities_tab_rename"), t("entities_tab_alias"),
                                             t("entities_tab_merge"), t("entities_tab_delete")])
with add, st.form("entity_add"):
    name = st.text_input(t("entities_name"))
    kind = st.selectbox(t("entities_col_kind"), list(kinds), format_func=kinds.get)
    if st.form_submit_button(t("entities_add")):
        act(lambda: store.add_entity(name, kind, by=actor), "entities_added", name=name)
with rename, st.form("entity_rename"):
    old = st.selectbox(t("entities_which"), names)
    new = st.text_input(t("entities_new_name"))
    if st.form_submit_button(t("entities_rename")):
        act(lambda: store.rename_entity(old, new, by=actor), "entities_renamed", old=old, new=new)
with alias, st.form("entity_alias"):
    entity = st.selectbox(t("entities_which"), names, key="alias_entity")
    other = st.text_input(t("entities_alias"))
    if st.form_submit_button(t("entities_set_alias")):
        act(lambda: store.set_alias(other, entity, by=actor), "entities_aliased", alias=other,
            name=entity)
with merge, st.form("entity_merge"):
    st.caption(t("entities_merge_hint"))
    source = st.selectbox(t("entities_merge_source"), names, key="merge_source")
    target = st.selectbox(t("entities_merge_target"), names, key="merge_target")
    if st.form_submit_button(t("entities_merge")):
        act(lambda: store.merge_entities(source, target, by=actor), "entities_merged",
            source=source, target=target)
with delete, st.form("entity_delete"):
    st.caption(t("entities_delete_hint"))
    gone = st.selectbox(t("entities_which"), names, key="delete_entity")
    if st.form_submit_button(t("entities_delete")):
        act(lambda: store.delete_entity(gone, by=actor), "entities_deleted", name=gone)
