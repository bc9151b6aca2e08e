"""开发区指标跟踪 — the indicator tracker of an economic development zone's administrative committee.

A library first: the store, the catalogue, the calculations and the exports live here; the
command line (`python -m metrics`) and the Streamlit screens (`metrics.ui`) sit on top.
"""
from .catalog import ZONE, indicators
from .store import Store, StoreError
from .tracker import assessed_overview, init_database, load_demo

__all__ = ["ZONE", "Store", "StoreError", "assessed_overview", "indicators", "init_database", "load_demo"]
