"""The library keeps its two rules with no exemption: everything in metrics/ outside metrics.ui runs
without streamlit, and only metrics.store holds SQL or names a database engine (tools/ is outside)."""
import pkgutil
import re
import subprocess
import sys

import metrics
from conftest import REPO


def core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(metrics.__path__, "metrics.")
                  if not m.name.startswith("metrics.ui") and m.name != "metrics.__main__")


def test_core_modules_import_without_streamlit():
    modules = core_modules()
    assert {"metrics.store", "metrics.calc", "metrics.cli", "metrics.catalog"} <= set(modules)
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def outside_the_store():
    store = REPO / "metrics" / "store"
    return [path for path in (REPO / "metrics").rglob("*.py") if store not in path.parents]


def test_only_the_store_holds_sql():
    offenders = [str(path.relative_to(REPO)) for path in outside_the_store()
                 if any(word in path.read_text(encoding="utf-8")
                        for word in ("SELECT ", "INSERT INTO", "CREATE TABLE", "DELETE FROM"))]
    assert offenders == []


def test_only_the_store_knows_the_database_engine():
    engine = re.compile(r"^\s*(import|from)\s+(duckdb|psycopg|gaussdb|ksycopg2)\b", re.MULTILINE)
    offenders = [str(path.relative_to(REPO)) for path in outside_the_store()
                 if engine.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
