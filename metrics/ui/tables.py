"""The tables pages show: an indicator's months, the report's own figures, the revision history,
the rectification ledger's problems and measures, and an upload's problems and preview."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from metrics import calc, catalog, formatting as fmt, i18n, periods
from metrics import ledger as ledger_rules
from metrics.ingest import grouped
from metrics.ui.blocks import amount, yoy_text
from metrics.ui.reads import history, ledger, report_figures
from metrics.ui.state import language, t


# How a revision's batch stands in review, where it is not simply approved (the history's 审核 column).
REVIEW_MARKS = {"pending": "progress_state_pending_review", "rejected": "col_review_rejected"}


def months_table(ind: catalog.Indicator, series: pd.DataFrame, period: str) -> pd.DataFrame:
    """This year's months with 累计, the same month and period last year, 同比 and 环比."""
    year, month = periods.split_period(period)
    rows = []
    for m in range(1, month + 1):
        p = f"{year:04d}-{m:02d}"
        a = calc.assess(ind, series, p, None)
        last = calc.same_period_last_year(p)
        hit = series.loc[series["period"] == last, "value"]
        rows.append({
            t("col_month"): i18n.period_name(p, language()),
            t("col_value"): fmt.number(a.value, ind.decimals),
            t("col_ytd"): fmt.number(a.ytd, ind.decimals),
            t("col_last_year"): fmt.number(None if hit.empty else float(hit.iloc[0]), ind.decimals),
            t("col_last_year_ytd"): fmt.number(a.ytd_last_year, ind.decimals),
            t("col_yoy"): yoy_text(ind, a),
            t("col_mom"): "—" if a.mom_pct is None else ("+" if a.mom_pct > 0 else "") + fmt.percent(a.mom_pct),
        })
    return pd.DataFrame(rows)


def ledger_status_word(status: str) -> str:
    return t("status_done") if status == ledger_rules.LedgerStatus.DONE else t("status_in_progress")


def report_figures_table(data_version: int, ind: catalog.Indicator) -> None:
    """The report's figures for the indicator, each with the section and sentence it comes from."""
    figures = report_figures(data_version, ind.code)
    if figures.empty:
        st.caption(t("no_report_figures"))
        return
    st.dataframe(pd.DataFrame({
        t("entity"): figures["entity_name"],
        t("col_year"): [str(y) if y else "—" for y in figures["year"]],
        t("col_scope"): [t(f"scope_{s}") for s in figures["scope"]],
        t("col_figure"): [text or amount(v, u, ind.decimals if u == ind.unit else 1)
                          for text, v, u in zip(figures["value_text"], figures["value"], figures["unit"])],
        t("col_section"): "报告" + figures["section"],
        t("col_phrase"): figures["phrase"],
    }), hide_index=True)


def history_table(data_version: int, ind: catalog.Indicator, entity: str) -> pd.DataFrame:
    """Every revision, newest first: the figure, who uploaded it, when, from which file."""
    revisions = history(data_version, ind.code, entity).sort_values(["period", "revision"], ascending=False)
    return pd.DataFrame({
        t("col_month"): revisions["period"],
        t("col_value"): [fmt.number(v, ind.decimals) for v in revisions["value"]],
        t("col_revision"): revisions["revision"],
        t("col_batch"): revisions["batch_id"],
        t("col_file"): revisions["file_name"],
        t("col_user"): revisions["user_name"],
        t("col_when"): revisions["created_at"].dt.strftime("%Y-%m-%d %H:%M"),
        t("col_current"): ["✓" if c else "" for c in revisions["is_current"]],
        t("col_undone"): ["" if pd.isna(u) else f"{u:%Y-%m-%d %H:%M}" for u in revisions["undone_at"]],
        # A revision waiting for review (or sent back) is held but not shown to leaders: staff see why.
        t("col_review"): [t(REVIEW_MARKS[r]) if r in REVIEW_MARKS else "" for r in revisions["review"]],
    })


def problems_table(data_version: int, ids: list[str] | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Ledger problems (all, or those listed) with status, lead unit, leader, deadline, indicators
    and how many of their measures are overdue."""
    _, problems, measures = ledger(data_version)
    if ids is not None:
        problems = problems[problems["id"].isin(ids)]
    lang = language()
    inds = catalog.indicators()
    counts = {pid: "{}/{}".format(*ledger_rules.measures_done(measures, pid)) for pid in problems["id"]}
    late = measures.loc[ledger_rules.overdue(measures, today or dt.date.today()), "problem_id"].value_counts()
    return pd.DataFrame({
        t("col_id"): problems["id"],
        t("col_section"): problems["section"],
        t("col_title"): problems["title"],
        t("col_status"): [ledger_status_word(s) for s in problems["status"]],
        # Beside the status, where a narrow screen still shows it.
        t("col_overdue_measures"): [int(late.get(pid, 0)) for pid in problems["id"]],
        t("col_lead_unit"): [u or t("not_given") for u in problems["lead_unit"]],
        t("col_leader"): problems["leader"],
        t("col_deadline"): [d or t("not_given") for d in problems["deadline"]],
        t("col_indicators"): [_indicator_names(codes, inds, lang) for codes in problems["indicators"]],
        t("col_measures"): [counts.get(pid, "0/0") for pid in problems["id"]],
    })


def _indicator_names(codes, inds: dict, lang: str) -> str:
    return "、".join(i18n.indicator_name(inds[c], lang) for c in codes if c in inds)


def measures_table(data_version: int, problem_id: str | None = None, today: dt.date | None = None,
                   indicator: str | None = None) -> pd.DataFrame:
    """One problem's measures (or those that should move `indicator`), overdue ones marked: status,
    leader, lead unit and deadline (their own, else their problem's), evidence and indicators."""
    _, _, measures = ledger(data_version)
    rows = measures if problem_id is None else measures[measures["problem_id"] == problem_id]
    if indicator is not None:
        rows = rows[[indicator in codes for codes in rows["indicators"]]]
    late = ledger_rules.overdue(rows, today or dt.date.today())
    lang, inds = language(), catalog.indicators()
    return pd.DataFrame({
        **({} if problem_id is not None else {t("col_id"): rows["problem_id"]}),
        t("col_ordinal"): rows["ordinal"], t("col_measure"): rows["text"],
        t("col_status"): [ledger_status_word(s) for s in rows["status"]],
        t("col_overdue"): [t("overdue_mark") if x else "" for x in late],
        t("col_leader"): rows["leader"],
        t("col_lead_unit"): [u or t("not_given") for u in rows["lead_unit"]],
        t("col_deadline"): [d or t("not_given") for d in rows["deadline"]],
        t("col_evidence"): rows["evidence"],
        t("col_indicators"): [_indicator_names(codes, inds, lang) for codes in rows["indicators"]],
    })


def overdue_highlight(table: pd.DataFrame):
    """The table with its overdue rows (marked in the 逾期 column) on a red ground."""
    marked = table[t("col_overdue")] != ""
    return table.style.apply(lambda row: ["background-color: #f8d7da" if marked[row.name] else ""] * len(row), axis=1)


# ---- the upload page: an upload's problems and its preview ----------------------------------------

CHANGES = ("new", "changed", "unchanged")  # how a previewed figure compares with the database's
# Up to this many problems show as a table that wraps its text; more as a scrolling grid.
WRAPPED_ROWS = 100


def _upload_problems_table(problems) -> pd.DataFrame:
    return pd.DataFrame({
        t("upload_col_sheet"): [p.sheet for p in problems], t("upload_col_row"): [str(p.row or "") for p in problems],
        t("upload_col_column"): [p.column for p in problems], t("upload_col_value"): [p.value for p in problems],
        t("upload_col_indicator"): [p.indicator for p in problems], t("upload_col_entity"): [p.entity for p in problems],
        t("upload_col_message"): [p.message for p in problems]})


def upload_problems(problems) -> None:
    """Root causes first: whole-sheet problems, then the most repeated causes, each repetition
    summarised as 同一原因 N 行 with the rows it is on; then every problem, wrapped to be read."""
    groups = grouped(problems)
    repeated = [(first, group) for first, group in groups if len(group) > 1]
    if repeated:
        st.table(pd.DataFrame({
            t("upload_col_cause"): [first.message for first, _ in repeated],
            t("upload_col_count"): [t("upload_same_cause", count=len(group)) for _, group in repeated],
            t("upload_col_rows"): ["、".join(dict.fromkeys(str(p.row) for p in group if p.row))[:200]
                                   for _, group in repeated]}))
    ordered = [p for _, group in groups for p in group]
    if len(ordered) <= WRAPPED_ROWS:
        st.table(_upload_problems_table(ordered))
    else:
        st.dataframe(_upload_problems_table(ordered), hide_index=True, width="stretch", column_config={t("upload_col_message"): st.column_config.TextColumn(width="large")})


def _exact(value) -> str:
    """A figure exactly as it will be stored (no rounding), with thousands separators; — if none."""
    return "—" if pd.isna(value) else f"{value:,.10f}".rstrip("0").rstrip(".")


def upload_preview(preview: pd.DataFrame) -> pd.DataFrame:
    old = [_exact(v) for v in preview["old_value"]]
    return pd.DataFrame({
        t("upload_col_change"): preview["change"].map({c: t(f"upload_change_{c}") for c in CHANGES}),
        t("upload_col_indicator"): preview["name"], t("upload_col_entity"): preview["entity"],
        t("upload_col_period"): preview["label"], t("upload_col_unit"): preview["unit"], t("upload_col_old"): old,
        t("upload_col_new"): [_exact(v) for v in preview["value"]],
        t("upload_col_new_note"): preview["note"].where(preview["new_note"].astype(bool), ""),
        t("upload_col_file_row"): preview["row"]})
