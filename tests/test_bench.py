"""The benchmark still runs: `python -m tools.bench --quick` writes a table with every measure,
each beside its baseline and ratio. Nothing here judges a time: on a shared machine that would
only test the neighbours (docs/DESIGN.md: ratios in the benchmark, never timed assertions in tests)."""
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO, requires_system_tool
from tools.bench import BROWSER_SESSIONS, DECK_CHARTS, PICTURES, QUICK, READERS, WRITERS

pytestmark = pytest.mark.slow  # Chromium or LibreOffice: not in the fast part

LARGE, SMALL = f"{QUICK['rows_large']:,}", f"{QUICK['rows_small']:,}"
# The start of each measure's row; every one of them is judged against a baseline.
MEASURES = [
    f"import a {LARGE}-row xlsx",
    f"the same import of {LARGE} rows",
    f"import a {SMALL}-row xlsx",
    f"growth: importing {LARGE} rows",
    f"growth: importing {SMALL} rows into the 100× store",
    "the overview's queries for one entity and month",
    "the overview computed for one entity and month",
    "growth: the overview's queries at 10×",
    "growth: the overview's queries at 100×",
    "the overview page, cold caches (AppTest, illustrative data)",
    "the overview page, warm caches (AppTest, illustrative data)",
    "the overview page, cold caches (AppTest, the 100× store)",
    "the overview page, warm caches (AppTest, the 100× store)",
    "changing the period on the overview page",
    "changing the indicator on the indicator detail page",
    f"a native deck of {DECK_CHARTS} charts",
    f"{PICTURES} PNGs with the persistent renderer",
    "the overview page in Chromium (whole load, cached assets)",
    "the indicator detail page in Chromium (whole load, cached assets)",
    f"{BROWSER_SESSIONS} sessions loading the overview at once in Chromium (median)",
    f"{WRITERS} confirmations at one moment on the same key, DuckDB",
    f"{WRITERS} confirmations at one moment on {WRITERS} different keys, DuckDB",
    f"{WRITERS} confirmations at one moment on the same key, PostgreSQL",
    f"{WRITERS} confirmations at one moment on {WRITERS} different keys, PostgreSQL",
    f"a one-figure correction while another upload of {LARGE} rows is read",
    "PostgreSQL: the overview's queries for one entity and month at 100×",
    f"PostgreSQL: import a {LARGE}-row xlsx",
    f"DuckDB: the overview's queries at 100× in {READERS} app processes while a third imports",
    f"PostgreSQL: the overview's queries at 100× in {READERS} app processes while a third imports",
]
TIME = re.compile(r"\d+ ms|\d+\.\d\d s")


def table_rows(markdown: str) -> list[dict[str, str]]:
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")))) for line in lines[2:]]


def test_quick_benchmark_reports_every_measure_beside_its_baseline(tmp_path, postgres_server):
    requires_system_tool("/usr/bin/chromium", "the picture measures render PNGs with it")
    out = tmp_path / "BENCHMARKS.md"
    result = subprocess.run([sys.executable, "-m", "tools.bench", "--quick", "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=1200,
                            env={**os.environ, "METRICS_BENCH_POSTGRES": postgres_server})
    assert result.returncode == 0, result.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    for fact in ("- date: ", "- machine: ", "- command: `python -m tools.bench --quick`"):
        assert fact in report
    rows = table_rows(report)
    assert not [r["measure"] for r in rows if "failed" in r["measure"]]
    for start in MEASURES:
        matching = [r for r in rows if r["measure"].startswith(start)]
        assert len(matching) == 1, (start, [r["measure"] for r in rows])
        row = matching[0]
        assert TIME.fullmatch(row["time"]), row
        assert row["baseline"] != "—" and TIME.fullmatch(row["baseline time"]), row
        assert re.fullmatch(r"\d+\.\d\d×", row["ratio"]), row
        assert re.fullmatch(r"\d+ MB", row["peak RSS"]), row
        goals = [] if row["goal"] == "—" else row["goal"].split("; ")
        verdicts = [] if row["met"] == "—" else row["met"].split("; ")
        assert len(goals) == len(verdicts) and set(verdicts) <= {"yes", "**no**"}, row
    assert len(rows) == len(MEASURES)
