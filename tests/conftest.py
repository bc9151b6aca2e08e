"""Shared fixtures: every database is built in code, in a temporary directory."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metrics import tracker
from metrics.store import Store

REPO = Path(__file__).resolve().parent.parent


def requires_system_tool(path_or_name: str, why: str) -> None:
    """Skip when a system program is missing, stating why; under CI such a skip is a failure."""
    if shutil.which(path_or_name) or Path(path_or_name).exists():
        return
    message = f"{path_or_name} is not installed: {why} (apt-get install it; see .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def empty_store(tmp_path) -> Store:
    """A migrated database with the catalogue, targets, report figures and ledger, no figures."""
    store = Store(tmp_path / "metrics.duckdb")
    tracker.init_database(store)
    return store


@pytest.fixture
def demo_store(empty_store) -> Store:
    """The reference data plus the illustrative series."""
    tracker.load_demo(empty_store)
    return empty_store


def run_cli(*args: str, db: Path, check: bool = False) -> subprocess.CompletedProcess:
    """Run `python -m metrics …` as a user would, against the given database."""
    env = {**os.environ, "METRICS_DB": str(db)}
    result = subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result
