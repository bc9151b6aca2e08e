"""PostgreSQL as a user deploys it: the command line and two `streamlit run` servers on one
database, a store moved from DuckDB to PostgreSQL and back unchanged, backups that restore onto
either engine, and a server that cannot be reached explained in Chinese. The rules themselves run
on both engines in test_store, test_concurrency, test_entities and test_undo."""
import os
import re
import subprocess
import sys

import pytest

from conftest import (CHROMIUM_ARGS, REPO, add_account, initialised_store, requires_system_tool, run_cli,
                      streamlit_server, CHROMIUM)
from metrics import auth, backup, tracker
from metrics.store import Store, StoreBusy
from metrics.store.copying import differences

FIGURE = 4321.0  # written by one process, to be seen by the others (the page shows it as 4,321亩)


def correction(tmp_path, value: float = FIGURE):
    path = tmp_path / "更正.csv"
    path.write_text(f"指标编码,期间,数值\nland_cleared,2023-03,{value}\n", encoding="utf-8")
    return path


def test_the_command_line_runs_the_month_on_postgresql(postgres_url, tmp_path):
    assert run_cli("init", db=postgres_url, user=None, check=True).returncode == 0
    initialised = Store(postgres_url)
    add_account(initialised, "管理员", "admin")
    run_cli("demo", db=postgres_url, check=True)
    imported = run_cli("import", str(correction(tmp_path)), "--json", db=postgres_url, check=True)
    assert '"ok": true' in imported.stdout
    shown = run_cli("show", "land_cleared", "--json", db=postgres_url, check=True).stdout
    assert str(FIGURE) in shown
    health = run_cli("health", "--archive", db=postgres_url)
    assert health.returncode == 0, health.stderr
    assert "postgresql" in health.stdout and "完全一致" in health.stdout
    assert "password" not in health.stdout


def test_a_store_copied_to_postgresql_and_back_is_the_same_store(tmp_path, postgres_url):
    source = initialised_store(tmp_path / "source.duckdb")
    tracker.load_demo(source)
    run_cli("import", str(correction(tmp_path)), db=source, check=True)
    source.undo_batch(1, auth.Actor("管理员", "admin"))

    there = run_cli("copy-store", "--to", postgres_url, db=source)
    assert there.returncode == 0, there.stderr
    assert "逐表逐行核对一致" in there.stdout
    back_path = tmp_path / "back.duckdb"
    back = run_cli("copy-store", "--to", str(back_path), db=postgres_url)
    assert back.returncode == 0, back.stderr
    assert differences(source, Store(back_path)) == []
    assert Store(back_path).verify() == [] and Store(postgres_url).verify() == []
    # The copy goes on where the source left off: new ids after the copied ones, the chain unbroken.
    run_cli("import", str(correction(tmp_path, 99.0)), db=postgres_url, check=True)
    assert Store(postgres_url).batches()["id"].max() == source.batches()["id"].max() + 1
    assert Store(postgres_url).verify() == []


def test_a_copy_that_differs_is_reported_and_refused(tmp_path, postgres_url):
    source = initialised_store(tmp_path / "source.duckdb")
    tracker.load_demo(source)
    run_cli("copy-store", "--to", postgres_url, db=source, check=True)
    target = Store(postgres_url)
    with target.transaction() as con:
        con.execute("UPDATE observation SET value = value + 1 WHERE id = 1")
    assert [p for p in differences(source, target) if "observation" in p]


def test_a_backup_of_either_engine_restores_onto_the_other(postgres_url, tmp_path):
    on_file = initialised_store(tmp_path / "metrics.duckdb")
    tracker.load_demo(on_file)
    run_cli("import", str(correction(tmp_path)), db=on_file, check=True)
    backup.backup(on_file, tmp_path / "from-file")
    on_server = Store(postgres_url)
    backup.restore(on_server, tmp_path / "from-file")
    assert differences(on_file, on_server) == []
    backup.backup(on_server, tmp_path / "from-server")
    back_on_file = Store(tmp_path / "again" / "metrics.duckdb")
    backup.restore(back_on_file, tmp_path / "from-server")
    assert differences(on_file, back_on_file) == []


def test_an_unreachable_server_is_explained_in_chinese():
    with pytest.raises(StoreBusy, match="(?s)无法连接数据库.*METRICS_DATABASE_URL"):
        Store("postgresql://nobody@/metrics?host=/nonexistent-socket-folder").schema_version()
    result = run_cli("health", db="postgresql://nobody@/metrics?host=/nonexistent-socket-folder", user=None)
    assert result.returncode != 0 and "无法连接数据库" in result.stderr and "Traceback" not in result.stderr


def test_a_database_url_of_a_kind_not_supported_is_refused_in_chinese_rather_than_taken_for_a_file(tmp_path):
    result = subprocess.run([sys.executable, "-m", "metrics", "health"], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "METRICS_DATABASE_URL": "mysql://metrics@db/metrics"}, timeout=300)
    assert result.returncode != 0 and "不支持这种数据库" in result.stderr and "Traceback" not in result.stderr
    assert not list(REPO.glob("mysql*"))  # no DuckDB file named after the URL


def test_a_missing_driver_is_explained_in_chinese_with_what_to_install(postgres_url):
    # psycopg made unimportable, as on a server installed from requirements.txt alone.
    hide_driver = "import sys; sys.modules['psycopg'] = None; from metrics.cli import main; sys.exit(main(['health']))"
    result = subprocess.run([sys.executable, "-c", hide_driver], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "METRICS_DATABASE_URL": postgres_url}, timeout=300)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "需要数据库驱动 psycopg" in result.stderr and "requirements-postgres.txt" in result.stderr


@pytest.mark.slow
def test_two_app_servers_on_one_database_each_show_what_the_other_process_wrote(postgres_url, tmp_path):
    requires_system_tool(CHROMIUM, "the browser tests drive Debian's Chromium")
    from playwright.sync_api import sync_playwright

    store = initialised_store(postgres_url)
    tracker.load_demo(store)
    env = {"METRICS_DATABASE_URL": postgres_url}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shown = re.compile(r"4,321亩")
    with streamlit_server(tmp_path / "unused-a.duckdb", tmp_path / "a", env) as first, \
            streamlit_server(tmp_path / "unused-b.duckdb", tmp_path / "b", env) as second, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = []
        for base in (first, second):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{base}/detail?indicator=land_cleared&period=2023-03")
            page.get_by_text("低效用地清理面积").first.wait_for()
            assert not shown.search(page.inner_text("body"))
            pages.append(page)
        run_cli("import", str(correction(tmp_path)), db=postgres_url, check=True)
        for page in pages:
            page.reload()
            page.get_by_text(shown).first.wait_for(timeout=60_000)
        browser.close()
    assert not (tmp_path / "unused-a.duckdb").exists()  # the servers used PostgreSQL, not a file
