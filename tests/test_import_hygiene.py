"""The library keeps its two rules with no exemption: everything in metrics/ outside metrics.ui runs
without streamlit, and only metrics.store holds SQL or names a database engine (tools/ is outside)."""
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

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


def test_the_import_contracts_hold():
    """The same rules, checked statically by import-linter over every import, run or not."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"Contracts: 3 kept, 0 broken", result.stdout), result.stdout[-3000:]


def contract(name_starts: str) -> dict:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_starts))


def covered(module: str, expressions: list[str]) -> bool:
    return any(module == e or (e.endswith(".**") and module.startswith(e[:-2])) for e in expressions)


def test_the_contracts_name_every_module_but_the_one_allowed():
    """A module added to metrics/ must be added to the contracts' lists, or they would not check it."""
    every = ["metrics"] + sorted(m.name for m in pkgutil.walk_packages(metrics.__path__, "metrics."))
    for name, allowed in (("Nothing in metrics outside metrics.ui", "metrics.ui"),
                          ("Only metrics.store", "metrics.store")):
        sources = contract(name)["source_modules"]
        inside = [m for m in every if m == allowed or m.startswith(allowed + ".")]
        assert [m for m in every if m not in inside and not covered(m, sources)] == [], name
        assert [m for m in inside if covered(m, sources)] == [], name


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
