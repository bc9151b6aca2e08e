"""整改进展: the 24 problems as the report lists them, with measures, lead units, leaders, deadlines
and the indicators that measure them. The report's summary count disagrees with its own list; both
are shown, and neither is adjusted. Overdue measures are marked; the ledger downloads as xlsx; and
an administrator or a problem's lead unit edits it here, evidence included."""
import datetime as dt

import streamlit as st

from metrics import catalog, i18n
from metrics import ledger as ledger_rules
from metrics.auth import PermissionDenied
from metrics.export import ledger_xlsx
from metrics.ingest.evidence import EVIDENCE_EXTENSIONS, attach_evidence
from metrics.store import StoreError
from metrics.ui import blocks, reads, session, state, tables
from metrics.ui.state import t

store = reads.get_store()
version = store.data_version()
today = dt.date.today()
st.markdown(f"### {t('page_rectification')}")
progress = reads.ledger_progress(version)
for column, (label, value) in zip(st.columns(4), (
        (t("problems_total"), progress.total), (t("problems_done"), progress.done),
        (t("problems_in_progress"), progress.in_progress),
        (t("measures_done"), f"{progress.measures_done} / {progress.measures}"))):
    column.metric(label, value, border=True)
summary, problems, measures = reads.ledger(version)
if progress.summary_disagrees:
    st.warning(f"**{t('disagreement_title')}**  \n"
               + t("summary_says", done=progress.summary_done, in_progress=progress.summary_in_progress)
               + f"：“{reads.inert(summary['summary_source'])}”  \n"
               + t("list_says", done=progress.done, in_progress=progress.in_progress),
               icon=":material/rule:")
late = measures[ledger_rules.overdue(measures, today)]
if len(late):
    st.error(t("ledger_overdue", count=len(late), items="；".join(
        t("ledger_overdue_item", id=m.problem_id, no=m.measure_no, deadline=m.deadline) for m in late.itertuples())),
        icon=":material/schedule:")
st.download_button(t("ledger_download"), data=lambda: ledger_xlsx(problems, measures, progress, today),
                   file_name=f"整改台账{today:%Y%m%d}.xlsx", mime=blocks.XLSX_MIME, key="ledger_xlsx",
                   on_click="ignore", icon=":material/table_view:")

shown = st.segmented_control(t("filter_status"), list(ledger_rules.LedgerStatus), selection_mode="multi",
                             default=list(ledger_rules.LedgerStatus), key="ledger_status",
                             format_func=tables.ledger_status_word)
listed = problems[problems["status"].isin(shown)]
# Every listed problem visible at once: 35 px a row plus the header.
st.dataframe(tables.problems_table(version, list(listed["id"]), today), hide_index=True,
             height=36 * (len(listed) + 1) + 2)
for problem in listed.itertuples():
    with st.expander(t("measures_of", id=problem.id, title=problem.title), expanded=problem.id in set(late["problem_id"])):
        st.dataframe(tables.overdue_highlight(tables.measures_table(version, problem.id, today)), hide_index=True)

st.markdown(f"#### {t('ledger_edit')}")
actor = session.current_actor()
if actor is None:
    st.caption(t("ledger_sign_in"))
    st.stop()
st.caption(t("ledger_edit_hint"))
done = st.session_state.pop("ledger_done", None)
if done:
    st.success(done)
lang = state.language()
inds = catalog.indicators()
problem_id = st.selectbox(t("ledger_problem"), problems["id"].tolist(), key="ledger_problem",
                          format_func=lambda pid: f"{pid} {problems.set_index('id').at[pid, 'title']}")
own = measures[measures["problem_id"] == problem_id]
measure_no = st.selectbox(t("ledger_item"), [0, *own["measure_no"].tolist()], key=f"ledger_item_{problem_id}",
                          format_func=lambda n: t("ledger_item_problem") if n == 0 else t(
                              "ledger_item_measure", no=n, ordinal=own.set_index("measure_no").at[n, "ordinal"]))
item = (problems[problems["id"] == problem_id] if measure_no == 0 else own[own["measure_no"] == measure_no]).iloc[0]
item_name = ledger_rules.item_name(problem_id, measure_no)
# Keyed by the item chosen, so the form opens on that item's values.
with st.form(f"ledger_form_{problem_id}_{measure_no}"):
    status = st.selectbox(t("ledger_status"), list(ledger_rules.LedgerStatus),
                          index=list(ledger_rules.LedgerStatus).index(item["status"]), format_func=tables.ledger_status_word)
    lead_unit = st.text_input(t("col_lead_unit"), value=item["lead_unit"])
    leader = st.text_input(t("col_leader"), value=item["leader"])
    deadline = st.text_input(t("col_deadline"), value=item["deadline"], help=t("ledger_deadline_hint"))
    codes = None
    if measure_no:
        codes = st.multiselect(t("ledger_indicators"), list(inds), default=list(item["indicators"]),
                               format_func=lambda c: i18n.indicator_name(inds[c], lang))
    if st.form_submit_button(t("ledger_save")):
        # Only what was changed is written: a measure keeps following its problem's lead unit,
        # leader and deadline until it is given its own.
        typed = {"status": status, "lead_unit": lead_unit, "leader": leader, "deadline": deadline}
        changes = {key: value for key, value in typed.items() if value.strip() != item[key]}
        if codes is not None and codes != list(item["indicators"]):
            changes["indicators"] = codes
        if not changes:
            st.info(t("ledger_unchanged"))
        else:
            try:
                store.set_ledger(problem_id, measure_no, by=actor, **changes)
                st.session_state["ledger_done"] = t("ledger_saved", item=item_name)
                st.rerun()
            except (StoreError, PermissionDenied) as exc:
                reads.show_problem(exc)

if measure_no:
    evidence = store.evidence(problem_id)
    evidence = evidence[evidence["measure_no"] == measure_no]
    if evidence.empty:
        st.caption(t("ledger_evidence_none"))
    else:
        st.dataframe({t("col_file"): evidence["file_name"], t("col_user"): evidence["added_by"],
                      t("col_when"): evidence["added_at"].dt.strftime("%Y-%m-%d %H:%M")}, hide_index=True)
    uploaded = st.file_uploader(t("ledger_evidence_file"), type=[e.lstrip(".") for e in EVIDENCE_EXTENSIONS],
                                key=f"ledger_evidence_{problem_id}_{measure_no}")
    if uploaded is not None and st.button(t("ledger_evidence_upload"), key="ledger_evidence_upload"):
        try:
            attach_evidence(store, problem_id, measure_no, uploaded.getvalue(), uploaded.name, actor=actor)
            st.session_state["ledger_done"] = t("ledger_evidence_added", name=reads.inert(uploaded.name), item=item_name)
            st.rerun()
        except (StoreError, PermissionDenied) as exc:
            reads.show_problem(exc)
