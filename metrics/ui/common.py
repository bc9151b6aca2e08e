"""What every page shares: the store, cached reads keyed on the data version, and labels."""
from __future__ import annotations

import streamlit as st

from metrics import tracker
from metrics.store import Store, StoreError

ILLUSTRATIVE_LABEL = "示例数据"


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
        st.error(str(exc))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=64)
def overview(data_version: int, entity: str, period: str | None):
    """Cached on the data version, so another process's writes show on the next run."""
    return tracker.assessed_overview(get_store(), entity, period)


@st.cache_data(show_spinner=False, max_entries=8)
def ledger(data_version: int):
    return get_store().ledger()
