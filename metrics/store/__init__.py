"""The store: every figure, batch, target, account, entity and audit event. The only package that
holds SQL or knows which engine is underneath (an embedded DuckDB file by default, PostgreSQL
for deployments that outgrow one machine).

    from metrics.store import Store
    store = Store()                                  # METRICS_DATABASE_URL, else METRICS_DB, else data/metrics.duckdb
    store = Store("postgresql://tracker@db/metrics")  # or a DuckDB file's path
"""
from .errors import DiskFull, PeriodLocked, StaleEdit, StoreBusy, StoreCorrupt, StoreError, storage_failure
from .store import BatchSummary, Store

__all__ = ["BatchSummary", "DiskFull", "PeriodLocked", "StaleEdit", "Store", "StoreBusy", "StoreCorrupt",
           "StoreError", "storage_failure"]
