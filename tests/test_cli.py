"""The command line as checks outside the test suite use it: docs/DESIGN.md's contract, run as a subprocess."""
import json

import pytest

from conftest import run_cli


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "metrics.duckdb"
    run_cli("init", db=path, check=True)
    run_cli("demo", db=path, check=True)
    return path


def test_init_demo_show_prints_2022_months_that_add_up_to_2577(db):
    rows = json.loads(run_cli("show", "land_cleared", "--json", db=db, check=True).stdout)
    months_2022 = [r for r in rows if r["period"].startswith("2022")]
    assert len(months_2022) == 12
    assert sum(r["value"] for r in months_2022) == 2577
    assert months_2022[-1]["ytd"] == 2577
    assert all(r["illustrative"] for r in rows)


def test_show_json_gives_levels_without_ytd_and_derived_ones_computed(db):
    debt = json.loads(run_cli("show", "debt_short_term", "--json", db=db, check=True).stdout)
    assert "ytd" not in debt[0] and debt[-1]["period"] == "2023-04"
    share = json.loads(run_cli("show", "debt_short_share", "--json", db=db, check=True).stdout)
    assert 0 < share[-1]["value"] < 100


def test_show_history_lists_revisions(db):
    rows = json.loads(run_cli("show", "land_cleared", "--history", "--json", db=db, check=True).stdout)
    assert all("history" in r for r in rows)
    text = run_cli("show", "land_cleared", "--history", db=db, check=True).stdout
    assert "修订历史" in text and "示例数据" in text


def test_show_for_another_entity(db):
    rows = json.loads(run_cli("show", "invoice_sales", "--entity", "南高齿", "--json", db=db, check=True).stdout)
    assert rows[0]["period"] == "2022-08"


def test_catalog_json_lists_the_contract_fields(db):
    rows = json.loads(run_cli("catalog", "--json", db=db, check=True).stdout)
    codes = {r["code"]: r for r in rows}
    assert codes["land_cleared"]["kind"] == "flow" and codes["land_cleared"]["unit"] == "亩"
    for r in rows:
        assert {"code", "name", "unit", "kind", "direction"} <= set(r)
        assert r["kind"] in ("flow", "level", "derived")


def test_ledger_json_lists_problems_with_status_and_measures(db):
    result = run_cli("ledger", "--json", db=db, check=True)
    problems = json.loads(result.stdout)
    assert len(problems) == 24
    assert sum(len(p["measures"]) for p in problems) == 70
    assert {p["status"] for p in problems} == {"done", "in_progress"}
    assert all(m["text"] for p in problems for m in p["measures"])
    assert "17" in result.stderr and "18" in result.stderr


def test_ledger_text_reports_the_disagreement(db):
    out = run_cli("ledger", db=db, check=True).stdout
    assert "已整改完成18个" in out and "完成17个" in out


def test_init_twice_is_harmless(db):
    result = run_cli("init", db=db)
    assert result.returncode == 0 and "已是最新" in result.stdout


def test_an_unknown_indicator_is_rejected_in_chinese_with_a_suggestion(db):
    result = run_cli("show", "land_clearedd", db=db)
    assert result.returncode == 1
    assert "land_cleared" in result.stderr and "没有指标编码" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_entity_is_rejected_in_chinese(db):
    result = run_cli("show", "land_cleared", "--entity", "不存在的区", db=db)
    assert result.returncode == 1 and "没有名为" in result.stderr


@pytest.mark.parametrize("args", [["nonsense"], ["show"], ["catalog", "--bogus"]])
def test_bad_arguments_exit_2_with_a_chinese_message(db, args):
    result = run_cli(*args, db=db)
    assert result.returncode == 2
    assert "参数错误" in result.stderr and "Traceback" not in result.stderr


def test_show_on_a_database_never_initialised_says_to_run_init(tmp_path):
    result = run_cli("show", "land_cleared", db=tmp_path / "none.duckdb")
    assert result.returncode == 1 and "python -m metrics init" in result.stderr
