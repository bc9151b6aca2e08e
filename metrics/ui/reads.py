"""The store and the reads every page shares, cached on the data version so another process's
writes show at once; and how stored text and the store's refusals are shown without being
read as Markdown."""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from metrics import calc, catalog, tracker
from metrics import ledger as ledger_rules
from metrics.store import Store, StoreError
from metrics.ui.state import t


@st.cache_resource

def _store() -> Store:
    store = Store()
    tracker.ensure_ready(store)
    return store


def get_store() -> Store:
    """The app's store; creates and seeds the database on first start."""
    try:
        return _store()
    except StoreError as exc:
        show_problem(exc)
        st.stop()


def show_problem(exc: Exception) -> None:
    """A refusal in the Chinese words the core gave it, as plain text (it may quote a file's name)."""
    st.error(inert(str(exc)), icon=":material/error:")


@st.cache_data(show_spinner=False, max_entries=64)

def overview(data_version: int, entity: str, period: str | None):
    """(period, assessments, series) for one entity at one month."""
    return tracker.assessed_overview(get_store(), entity, period)


@st.cache_data(show_spinner=False, max_entries=8)

def has_accounts(data_version: int) -> bool:
    return not get_store().users().empty


@st.cache_data(show_spinner=False, max_entries=8)

def ledger(data_version: int):
    return get_store().ledger()


@st.cache_data(show_spinner=False, max_entries=8)

def entities(data_version: int) -> pd.DataFrame:
    return get_store().entities()


@st.cache_data(show_spinner=False, max_entries=32)

def reporting(data_version: int, entity: str) -> calc.Reporting:
    """How many indicators have reported each month and how many wait for review, for the month
    picker and the headline."""
    return tracker.month_reporting(get_store(), entity)


@st.cache_data(show_spinner=False, max_entries=8)

def targets(data_version: int) -> pd.DataFrame:
    return get_store().targets()


@st.cache_data(show_spinner=False, max_entries=64)

def indicator_by_entity(data_version: int, code: str) -> dict[str, pd.DataFrame]:
    """One indicator's series (with 累计, derived ones computed) for every entity holding it."""
    ind = catalog.indicator(code)
    wanted = {c: catalog.indicator(c) for c in (code, *ind.inputs)}
    observations = get_store().observations(codes=list(wanted))
    return {entity: calc.all_series(wanted, frame)[code] for entity, frame in observations.groupby("entity")}


@st.cache_data(show_spinner=False, max_entries=64)

def history(data_version: int, code: str, entity: str) -> pd.DataFrame:
    return get_store().history(code, entity)


@st.cache_data(show_spinner=False, max_entries=64)

def figure_notes(data_version: int, code: str, entity: str, period: str) -> pd.DataFrame:
    return get_store().figure_notes(code, entity, period)


@st.cache_data(show_spinner=False, max_entries=64)

def explanation(data_version: int, code: str, entity: str, period: str) -> dict | None:
    """The month's 情况说明 (Store.explanations): reason, next_steps, source, written_by, written_at."""
    rows = get_store().explanations(period, entity=entity, code=code)
    return None if rows.empty else rows.iloc[0].to_dict()


@st.cache_data(show_spinner=False, max_entries=64)
def explanation_history(data_version: int, code: str, entity: str, period: str) -> pd.DataFrame:
    return get_store().explanation_history(code, entity, period)


@st.cache_data(show_spinner=False, max_entries=64)

def report_figures(data_version: int, code: str) -> pd.DataFrame:
    return get_store().report_figures(code)


@st.cache_data(ttl=60, show_spinner=False, max_entries=4)

def _health(location: str, data_version: int) -> tuple[bool, str]:
    try:
        result = get_store().health()
        return True, t("health_ok", figures=f"{result['figures']:,}")
    except StoreError as exc:
        return False, t("health_failed", problem=str(exc))


def health_line() -> None:
    """A status line that the database can be read and written: checked after every write, and
    at least once a minute."""
    store = get_store()
    ok, text = _health(store.location, store.data_version())
    (st.sidebar.caption if ok else st.sidebar.error)(text)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$])")


def inert(text: str) -> str:
    """Data shown inside Markdown (names uploads can create) renders as plain text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def ledger_progress(data_version: int) -> ledger_rules.LedgerProgress:
    """The ledger as listed problem by problem, beside the report's own summary count."""
    return ledger_rules.progress(*ledger(data_version))
