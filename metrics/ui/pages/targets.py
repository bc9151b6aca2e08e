import streamlit as st

from metrics import catalog, i18n
from metrics.store import StoreError
from metrics.ui import reads, session, state
from metrics.ui.reads import get_store
from metrics.ui.state import t

st.title(t("page_targets"))
store = get_store()
actor = session.require_role("targets")
inds = {c: i for c, i in catalog.indicators().items()}
targets = store.targets()
lang = state.language()
# The revisions this page showed on its last run: a save is checked against what the admin saw, so
# of two admins saving one target at once the second is told instead of silently overwriting.
seen = st.session_state.get("targets_seen", {})


def kind_label(kind: str) -> str:
    return t(f"targets_kind_{kind}")


def indicator_name(code: str) -> str:
    return i18n.indicator_name(inds[code], lang)


with st.form("set_target"):
    code = st.selectbox(t("targets_indicator"), list(inds),
                        format_func=lambda c: t("targets_indicator_option", name=indicator_name(c), unit=inds[c].unit))
    year = st.number_input(t("targets_year"), min_value=2000, max_value=2100, value=int(targets["year"].max()), step=1)
    kind = st.selectbox(t("targets_kind"), list(catalog.TargetKind), format_func=kind_label)
    value = st.number_input(t("targets_value"), value=0.0, format="%f")
    source = st.text_input(t("targets_source"))
    phasing_text = st.text_input(t("targets_phasing"), help=t("targets_phasing_help"))
    if st.form_submit_button(t("targets_save")):
        try:
            store.set_target(code, int(year), kind, float(value), by=actor, source=source,
                             phasing=catalog.parse_phasing(phasing_text),
                             expected_revision=seen.get((code, catalog.ZONE, int(year)), 0))
            st.success(t("targets_saved", name=indicator_name(code), year=int(year), kind=kind_label(kind),
                         value=f"{value:g}", unit=inds[code].unit))
        except (StoreError, ValueError) as exc:
            reads.show_problem(exc)

st.subheader(t("targets_current"))
view = store.targets()
st.session_state["targets_seen"] = {(r.indicator_code, r.entity, int(r.year)): int(r.revision)
                                    for r in view.itertuples(index=False)}
COLUMNS = {"indicator": "targets_col_indicator", "entity": "targets_col_entity", "year": "targets_col_year",
           "kind": "targets_col_kind", "value": "targets_col_value", "value_max": "targets_col_value_max",
           "phasing": "targets_col_phasing", "source": "targets_col_source",
           "illustrative": "targets_col_illustrative", "revision": "targets_col_revision",
           "set_by": "targets_col_set_by", "set_at": "targets_col_set_at"}


def readable(frame):
    """Targets with labelled columns and kinds in the session's language, never raw codes."""
    shown = frame.assign(indicator=frame["indicator_code"].map(indicator_name), kind=frame["kind"].map(kind_label),
                         illustrative=frame["illustrative"].map({True: t("targets_yes"), False: ""}))
    if "phasing" in shown:
        shown["phasing"] = shown["phasing"].map(lambda p: "、".join(f"{v:g}" for v in p) if p else "")
    columns = [c for c in COLUMNS if c in shown]
    return shown[columns].rename(columns={c: t(COLUMNS[c]) for c in columns})


st.dataframe(readable(view), hide_index=True, width="stretch")
st.subheader(t("targets_history"))
st.dataframe(readable(store.target_history()), hide_index=True, width="stretch")
