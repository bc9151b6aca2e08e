"""数据上传: choose a file, see what will change, confirm; errors as a table and an xlsx to download;
the month's template; the upload history with undo, and where review is on each batch's 审核 state. All the work is in metrics.ingest.

The commit is one call that writes one transaction, so a rerun can never leave half a batch; the
preview shown is kept in session state and the commit refuses if the database moved since.
"""
import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from metrics import auth, i18n, periods, tracker
from metrics.ingest import (PreviewOutdated, commit_preview, errors_workbook, parse_period, preview_file,
                            undo_upload, write_template)
from metrics.store import StoreError
from metrics.ui import blocks, reads, session, state, tables
from metrics.ui.reads import get_store
from metrics.ui.state import t

LAYOUTS = ("long", "wide", "template", "monthly_report")
HISTORY_ROWS = 30

st.title(t("page_upload"))
store = get_store()
actor = session.require_role("upload")
upload_tab, template_tab, history_tab = st.tabs([t("upload_tab_file"), t("upload_tab_template"), t("upload_tab_history")])


def commit(result, data: bytes, file_name: str, sheet: str | None, lock_reason: str) -> None:
    try:
        commit_preview(store, result, actor=actor, lock_reason=lock_reason)
    except PreviewOutdated as exc:
        # Someone else's figures landed first: show what the file would change now, and ask for a
        # fresh look and a fresh confirmation; the stale preview can never commit.
        fresh = preview_file(store, data, file_name, actor=actor, sheet=sheet)
        st.session_state["upload_preview"]["result"] = fresh
        st.session_state["upload_stale"] = str(exc)
        # New keys for the confirmation widgets: the tick given to the stale preview does not carry over.
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        st.rerun()
    except (StoreError, auth.PermissionDenied) as exc:
        st.session_state.pop("upload_preview", None)
        reads.show_problem(exc)
        return
    counts = result.summary
    if result.writes_only_notes and not result.pending_review:
        done = t("upload_done_notes", file=reads.inert(file_name), batch=result.batch_id, count=result.new_notes)
    else:
        done = t("upload_done_pending" if result.pending_review else "upload_done", file=reads.inert(file_name),
                 batch=result.batch_id, new=counts["new"], changed=counts["changed"], unchanged=counts["unchanged"])
    st.session_state["upload_done"] = done
    # A new uploader key empties the file box, so the same file is not previewed again by accident.
    st.session_state["upload_generation"] = st.session_state.get("upload_generation", 0) + 1
    st.session_state.pop("upload_preview", None)
    st.rerun()


def errors_file() -> bytes:
    """The marked-up workbook of the upload on screen, built once, when first downloaded."""
    shown = st.session_state["upload_preview"]
    if "errors_xlsx" not in shown:
        shown["errors_xlsx"] = errors_workbook(shown["result"])
    return shown["errors_xlsx"]


def show_result(result, data: bytes, file_name: str, sheet: str | None, generation: int) -> None:
    stale = st.session_state.pop("upload_stale", None)
    if stale:
        st.warning(reads.inert(stale), icon=":material/sync_problem:")
    if not result.readable:
        st.error(reads.inert(result.errors[0].message))
        return
    if result.errors:
        st.error(t("upload_errors", count=len(result.errors)))
        tables.upload_problems(result.errors)
        # The marked-up workbook is metrics.ingest's, in Chinese, and so is its file name.
        st.download_button(t("upload_errors_download"), errors_file, file_name=f"{Path(file_name).stem}_错误标注.xlsx",
                           mime=blocks.XLSX_MIME, key="errors_download", on_click="ignore")
        if result.warnings:
            st.caption(t("upload_also_warnings"))
            tables.upload_problems(result.warnings)
        return
    counts = result.summary
    layout = t(f"upload_layout_{result.layout}") if result.layout in LAYOUTS else result.layout
    st.caption(t("upload_read_as", sheet=reads.inert("、".join(result.sheet_names) or result.sheet.name), layout=layout))
    for column, change in zip(st.columns(3), tables.CHANGES):
        column.metric(t(f"upload_change_{change}"), counts[change])
    st.dataframe(tables.upload_preview(result.preview), hide_index=True, width="stretch")
    if result.changes_nothing:
        st.info(t("upload_nothing_new"))
        return
    if result.writes_only_notes:
        st.info(t("upload_notes_only", count=result.new_notes))
    confirmed = True
    round_key = f"{generation}_{st.session_state.get('upload_round', 0)}"
    if result.infos:
        st.info(t("upload_infos", count=len(result.infos)))
        tables.upload_problems(result.infos)
    if result.warnings:
        st.warning(t("upload_check_warnings", count=len(result.warnings)))
        tables.upload_problems(result.warnings)
        confirmed = st.checkbox(t("upload_warnings_checked"), key=f"upload_ack_{round_key}")
    lock_reason = ""
    if set(result.preview["period"]) & store.locked_periods():
        lock_reason = st.text_input(t("upload_lock_reason"), key=f"upload_lock_reason_{round_key}")
        confirmed = confirmed and bool(lock_reason.strip())
    if st.button(t("upload_confirm"), type="primary", disabled=not confirmed,
                 key=f"upload_confirm_{round_key}"):
        commit(result, data, file_name, sheet, lock_reason)


with upload_tab:
    done = st.session_state.pop("upload_done", None)
    if done:
        st.success(done)
    generation = st.session_state.get("upload_generation", 0)
    blocks.uploader_in_page_language()
    uploaded = st.file_uploader(t("upload_choose_file"), type=["xlsx", "xls", "csv", "ods"],
                                key=f"upload_file_{generation}")
    if uploaded is not None:
        data = uploaded.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        # Every importable sheet is read unless one is picked; the picker lists what the whole file held.
        sheet_key = f"upload_sheet_{generation}_{digest[:12]}"
        sheet = st.session_state.get(sheet_key) or None
        key = (digest, uploaded.name, sheet)
        cached = st.session_state.get("upload_preview")
        if cached is None or cached["key"] != key:
            cached = {"key": key, "result": preview_file(store, data, uploaded.name, actor=actor, sheet=sheet)}
            st.session_state["upload_preview"] = cached
            if sheet is None:
                st.session_state["upload_sheets"] = {digest: cached["result"].sheet_names}
        sheets = st.session_state.get("upload_sheets", {}).get(digest, [])
        if len(sheets) > 1:
            st.selectbox(t("upload_sheet"), ["", *sheets], key=sheet_key,
                         format_func=lambda name: reads.inert(name) if name else t("upload_all_sheets"))
        show_result(cached["result"], data, uploaded.name, sheet, generation)

with template_tab:
    latest = store.latest_period()
    today = pd.Timestamp.today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    after_latest = periods.shift(latest, 1) if latest else this_month
    # From this month back to a year before the month after the latest figures, whichever is earlier.
    first = periods.shift(min(after_latest, this_month), -12)
    months = [this_month]
    while months[-1] > first:
        months.append(periods.shift(months[-1], -1))
    lang = state.language()
    period_key = st.selectbox(t("upload_template_month"), months, index=months.index(min(after_latest, this_month)),
                              format_func=lambda p: i18n.period_name(p, lang), key="template_period")
    st.caption(t("upload_template_hint"))
    # The template (and its file name) is the Chinese form the statisticians fill in, in either language.
    st.download_button(t("upload_template_download"), write_template(store, parse_period(period_key)),
                       file_name=f"指标月度填报模板_{period_key}.xlsx", mime=blocks.XLSX_MIME, key="template_download")

with history_tab:
    batches = store.batches()
    if batches.empty:
        st.info(t("upload_no_uploads"))
    pending = st.session_state.get("undo_pending")
    for batch in batches.head(HISTORY_ROWS).itertuples(index=False):
        undone = not pd.isna(batch.undone_at)
        info, action = st.columns([5, 1])
        label = t("upload_illustrative") if batch.illustrative else ""
        info.write(blocks.batch_line(batch, label))
        # Where review is on, the uploader sees where each batch stands, and why one was sent back.
        if batch.review == "rejected":
            info.error(t("upload_review_rejected", by=reads.inert(batch.reviewed_by),
                         reason=reads.inert(batch.review_reason)))
        elif batch.review == "pending" and not undone:
            info.caption(t("upload_review_pending"))
        elif not pd.isna(batch.reviewed_at):
            info.caption(t("upload_review_approved", by=reads.inert(batch.reviewed_by)))
        # Undo is offered where it would be allowed: an editor's own uploads, or any for an administrator.
        may_undo = actor.can("undo_any") or (actor.can("undo_own") and batch.user_name == actor.name)
        if undone:
            action.caption(t("upload_undone", by=reads.inert(batch.undone_by)))
        elif not may_undo or batch.review == "rejected":  # a rejected batch's figures never went live
            continue
        elif pending == batch.id:
            effects = store.undo_effects(int(batch.id))
            info.warning(t("upload_undo_will_revert", count=len(effects)) if len(effects) else t("upload_undo_nothing"))
            if len(effects):
                info.code("\n".join(tracker.undo_lines(effects)), language=None, wrap_lines=True)
            if action.button(t("upload_undo_confirm"), key=f"undo_confirm_{batch.id}", type="primary"):
                st.session_state.pop("undo_pending", None)
                try:
                    result = undo_upload(store, int(batch.id), actor)
                    st.session_state["undo_done"] = ("success", t("upload_undo_done", batch=result["batch_id"],
                                                                  file=reads.inert(result["file_name"])))
                except (StoreError, auth.PermissionDenied) as exc:
                    st.session_state["undo_done"] = ("error", t("upload_undo_failed", problem=reads.inert(str(exc))))
                st.rerun()
            if action.button(t("upload_undo_cancel"), key=f"undo_cancel_{batch.id}"):
                st.session_state.pop("undo_pending", None)
                st.rerun()
        elif action.button(t("upload_undo"), key=f"undo_{batch.id}"):
            st.session_state["undo_pending"] = int(batch.id)
            st.rerun()
    outcome = st.session_state.pop("undo_done", None)
    if outcome:
        kind, message = outcome
        getattr(st, kind)(message)
