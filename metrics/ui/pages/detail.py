"""指标详情: why an indicator stands where it does — its months, its pace, its 情况说明 (written
here by its owner), last year, the report's figures, who changed what, its definition, the
inspection problems it measures and the ledger's measures that should move it."""
import streamlit as st

from metrics import catalog, chartdata, charts, formatting as fmt, i18n, status, tasks
from metrics.auth import PermissionDenied
from metrics.store import StoreError
from metrics.ui import blocks, reads, session, state, tables
from metrics.ui.state import t

view = blocks.view_header(t("page_detail"), pick_indicator=True)
ind, a = catalog.indicator(view.indicator), view.assessments[view.indicator]
series = view.series[ind.code]
version = reads.get_store().data_version()
blocks.illustrative_banner(a.illustrative or a.target_illustrative)
lang = state.language()
unit = fmt.unit_name(ind.unit, lang)
st.markdown(f"#### {reads.inert(i18n.indicator_name(ind, lang))}" + (f" ({unit})" if lang == "en" else f"（{unit}）"))
blocks.headline_metrics(ind, a)

target = view.target(ind.code)
monthly, pace = st.columns(2)
with monthly:
    blocks.indicator_chart_block(ind, a, series, view.entity, key="monthly")
if a.progress is not None:
    with pace:
        data = chartdata.ytd_chart_data(ind, series, a, view.phasing(ind.code), view.entity, state.language())
        blocks.chart_block(charts.build_ytd_chart(data), None, [ind.code], key="ytd", data=data)


def explanation_block() -> None:
    """The month's 原因分析 and 下步措施, who wrote them, and for the indicator's owner the form."""
    st.markdown(f"##### {t('explanation', period=i18n.period_name(view.period, lang))}")
    saved = st.session_state.pop("explanation_saved", None)
    if saved:
        st.success(saved)
    shown = reads.explanation(version, ind.code, view.entity, view.period)
    if shown is None and a.status in status.BEHIND and a.value is not None:
        st.warning(t("explanation_none_behind"))
    elif shown is None:
        st.caption(t("explanation_none"))
    else:
        for key, text in (("explanation_reason", shown["reason"]), ("explanation_next_steps", shown["next_steps"])):
            if text:
                st.markdown(f"**{t(key)}**　{reads.inert(text)}")
        st.caption(t("explanation_from_note" if shown["source"] == "note" else "explanation_written_by",
                     name=reads.inert(shown["written_by"]), at=f"{shown['written_at']:%Y-%m-%d %H:%M}"))
    actor = session.current_actor()
    store = reads.get_store()
    owns = actor is not None and actor.can("explain") and (
        actor.can("report_for_others")
        or tasks.ownership_problem(actor.name, [(ind.code, view.entity)], store.tasks(), "") is None)
    if not owns:
        return
    if view.period in store.locked_periods():
        # The store refuses every change to a locked month's 情况说明: say so, rather than offer a
        # form whose saving can only be refused.
        st.caption(t("explanation_locked", period=i18n.period_name(view.period, lang)))
        return
    with st.expander(t("explanation_edit"), icon=":material/edit_note:"):
        # Keyed by what it explains, so switching month or indicator opens the form on that one's text.
        with st.form(f"explanation_{ind.code}_{view.entity}_{view.period}"):
            st.caption(t("explanation_edit_help", limit=tasks.EXPLANATION_MAX_CHARACTERS))
            reason = st.text_area(t("explanation_reason"), value=(shown or {}).get("reason", ""))
            next_steps = st.text_area(t("explanation_next_steps"), value=(shown or {}).get("next_steps", ""))
            if st.form_submit_button(t("explanation_save")):
                try:
                    revision = store.write_explanation(ind.code, view.entity, view.period, reason=reason,
                                                       next_steps=next_steps, by=actor)
                    st.session_state["explanation_saved"] = t(
                        "explanation_saved", name=i18n.indicator_name(ind, lang), entity=reads.inert(view.entity),
                        period=i18n.period_name(view.period, lang), revision=revision)
                    st.rerun()
                except (StoreError, PermissionDenied) as exc:
                    reads.show_problem(exc)
        revisions = reads.explanation_history(version, ind.code, view.entity, view.period)
        if len(revisions) > 1:
            st.caption(t("explanation_revisions"))
            st.dataframe(revisions.rename(columns={
                "revision": t("explanation_col_revision"), "reason": t("explanation_reason"),
                "next_steps": t("explanation_next_steps"), "written_by": t("explanation_col_by"),
                "written_at": t("explanation_col_at")}), hide_index=True)


explanation_block()

notes = reads.figure_notes(version, ind.code, view.entity, view.period)
if not notes.empty:
    st.markdown(f"##### {t('upload_notes')}")
    for period, note in zip(notes["period"], notes["note"]):
        st.markdown(f"- **{i18n.period_name(period, state.language())}** {reads.inert(note)}")

st.markdown(f"##### {t('months_table')}")
# Twelve rows of figures already written out: a static table draws at once, where a data grid
# would load its own component.
st.table(tables.months_table(ind, series, view.period), hide_index=True)

# Only the open tab is computed and sent: a leader opening the page waits for the charts, not for
# the revision history behind a closed tab.
figures, revisions, definition, problems = st.tabs(
    [t("report_figures"), t("history"), t("definition"), t("problems")], key="detail_tab", on_change="rerun")
if figures.open:
    with figures:
        tables.report_figures_table(version, ind)
if revisions.open:
    with revisions:
        st.caption(t("history_caption"))
        st.dataframe(tables.history_table(version, ind, view.entity), hide_index=True, height=320)
if definition.open:
    with definition:
        st.text(ind.definition)
        if a.projection is not None:
            st.text(t("projection_method", method=status.PROJECTION_METHOD[state.language()]))
        if ind.formula:
            st.text(t("formula", formula=ind.formula))
        if target is not None:
            st.text(t("target_source", source=target["source"]))
if problems.open:
    with problems:
        problem_rows = tables.problems_table(version, list(ind.problems))
        if problem_rows.empty:
            st.caption(t("no_problems"))
        else:
            st.dataframe(problem_rows, hide_index=True)
        st.markdown(f"##### {t('linked_measures')}")
        linked = tables.measures_table(version, indicator=ind.code)
        if linked.empty:
            st.caption(t("no_linked_measures"))
        else:
            st.dataframe(tables.overdue_highlight(linked), hide_index=True)
