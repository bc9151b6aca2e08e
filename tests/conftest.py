"""Shared fixtures: every database is built in code, in a temporary directory."""
from __future__ import annotations

import html
import itertools
import re
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from metrics import auth, tracker
from metrics.store import Store
# free_port is also the tests' (an SMTP server on a free port).
from tools.streamlit_server import ServerFailed, free_port, streamlit_server as run_streamlit

REPO = Path(__file__).resolve().parent.parent
# Every database the tests build holds this administrator, so the command line can act as it
# (`--user`, or METRICS_USER as a scheduled job would set it).
ADMIN = "管理员"
PASSWORD = "Kf8t2mQz1p"  # passes the password rules: long, mixed, not common, not the name


def add_account(store: Store, name: str, role: str, password: str = PASSWORD) -> auth.Actor:
    """Create an account as the test administrator would; returns the actor it signs in as."""
    by = auth.Actor(ADMIN, "admin") if store.user_record(ADMIN) else auth.Actor("测试初始化", "admin")
    store.save_user(name, by=by, password_hash=auth.hash_password(password, name), role=role, create=True)
    return auth.Actor(name, role)


def initialised_store(path: Path | str) -> Store:
    """A migrated database with the reference data and the test administrator."""
    store = Store(path)
    tracker.init_database(store)
    add_account(store, ADMIN, "admin")
    return store


def requires_system_tool(path_or_name: str, why: str) -> None:
    """Skip when a system program is missing, stating why; under CI such a skip is a failure."""
    if shutil.which(path_or_name) or Path(path_or_name).exists():
        return
    message = f"{path_or_name} is not installed: {why} (apt-get install it; see .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def small_disk(tmp_path):
    """A 12 MB filesystem of its own, so filling it cannot disturb anything else."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        message = f"cannot mount a small tmpfs to fill (needs root): {result.stderr.decode().strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def fill(disk: Path) -> None:
    free = os.statvfs(disk)
    with open(disk / "filler", "wb") as f:
        try:
            f.write(b"\0" * (free.f_bavail * free.f_frsize))
        except OSError:
            pass


@pytest.fixture
def empty_store(tmp_path) -> Store:
    """A migrated database with the catalogue, targets, report figures and ledger, no figures."""
    return initialised_store(tmp_path / "metrics.duckdb")


def postgres_programs() -> Path:
    """Where initdb and pg_ctl are: Debian keeps them out of PATH, under the server's version."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    requires_system_tool("initdb", "the PostgreSQL backend's tests start a throwaway cluster")
    return Path(shutil.which("initdb")).parent


DATABASE_NUMBERS = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster on a Unix socket in a temporary folder, for this run only.
    pg_ctl refuses to run as root, so as root the cluster belongs to the `postgres` account, in a
    folder under /tmp that it can reach (pytest's own folders are closed to other accounts)."""
    programs = postgres_programs()
    folder = Path(tempfile.mkdtemp(prefix="metrics-pg-"))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(folder, "postgres")
    data = folder / "data"

    def run(*command: str) -> None:
        result = subprocess.run([*as_owner, *command], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail(f"{command[0]} failed: {result.stdout}{result.stderr}")

    run(str(programs / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale", "C")
    run(str(programs / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
        "-o", f"-k {folder} -c listen_addresses='' -c fsync=off -c max_connections=200", "start")
    try:
        yield f"postgresql://postgres@/postgres?host={folder}"
    finally:
        subprocess.run([*as_owner, str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server, request) -> str:
    """A new, empty database on the throwaway cluster, for one test."""
    import psycopg

    name = f"test_{os.getpid()}_{next(DATABASE_NUMBERS)}"
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name}")
        con.execute(f"CREATE DATABASE {name}")
    return postgres_server.replace("/postgres?", f"/{name}?")


@pytest.fixture(params=["duckdb", "postgresql"])
def store_on_each_engine(request, tmp_path) -> Store:
    """`empty_store`, once on each engine: for the tests of rules that must hold whatever is underneath."""
    if request.param == "duckdb":
        return initialised_store(tmp_path / "metrics.duckdb")
    return initialised_store(request.getfixturevalue("postgres_url"))


def address(store: Store) -> str:
    """What METRICS_DB or METRICS_DATABASE_URL would say to reach `store`."""
    return str(store.path) if store.path is not None else store.backend.url


@pytest.fixture
def demo_store(empty_store) -> Store:
    """The reference data plus the illustrative series."""
    tracker.load_demo(empty_store)
    return empty_store


def run_cli(*args: str, db: Path | str | Store, check: bool = False, user: str | None = ADMIN,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m metrics …` as a user would, against the given database (a DuckDB file, a
    postgresql:// URL or a store), acting as `user`."""
    where = address(db) if isinstance(db, Store) else str(db)
    env = {k: v for k, v in os.environ.items() if k not in ("METRICS_DB", "METRICS_DATABASE_URL", "METRICS_USER")}
    env["METRICS_DATABASE_URL" if "://" in where else "METRICS_DB"] = where
    if user is not None:
        env["METRICS_USER"] = user
    result = subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, env=env, input=stdin,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


@pytest.fixture(scope="session")
def shared_demo_store(tmp_path_factory) -> Store:
    """The illustrative series in one database for the whole run, for tests that only read it
    (exports): built once instead of once per test."""
    store = initialised_store(tmp_path_factory.mktemp("shared_demo") / "metrics.duckdb")
    tracker.load_demo(store)
    return store


@pytest.fixture(scope="session")
def import_corpus(tmp_path_factory) -> dict[str, Path]:
    """Every file of the import corpus (tests/import_fixtures.py), built once per run: name → path."""
    from import_fixtures import build_corpus
    return build_corpus(tmp_path_factory.mktemp("import_corpus"))


# ---- the screens: AppTest and a real browser against `streamlit run` ------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """A database file with the illustrative series, built once; tests get copies of it."""
    store = initialised_store(tmp_path_factory.mktemp("demo_db") / "metrics.duckdb")
    tracker.load_demo(store)
    return store.path


@pytest.fixture
def streamlit_db(tmp_path, monkeypatch) -> Path:
    """Where the app under AppTest keeps its database (not yet created): METRICS_DB points at it,
    and Streamlit's caches are empty before and after so no test sees another test's store."""
    import streamlit as st

    path = tmp_path / "metrics.duckdb"
    monkeypatch.setenv("METRICS_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_db(demo_db_file, streamlit_db) -> Path:
    """A private copy of the demo database for one AppTest."""
    shutil.copyfile(demo_db_file, streamlit_db)
    return streamlit_db


@pytest.fixture
def initialised_app_db(streamlit_db) -> Path:
    """The reference data and no figures, for one AppTest."""
    initialised_store(streamlit_db)
    return streamlit_db


def sign_in_app(at, actor: auth.Actor) -> None:
    """Sign an AppTest session in as a browser with no cookies would be (AppTest sends none)."""
    from metrics.ui.session import browser_fingerprint

    at.session_state["actor"] = actor
    at.session_state["actor_browser"] = browser_fingerprint("", "")


def copyable_texts(at) -> list[str]:
    """The texts a page offers to copy (the 汇报 sentences: metrics.ui.blocks.copyable), as shown."""
    return [html.unescape(text) for e in at.get("html")
            for text in re.findall(r'<pre data-testid="copyable">(.*?)</pre>', e.proto.body, re.S)]


@contextmanager
def streamlit_server(db: Path, workdir: Path, env: dict | None = None):
    """`streamlit run app.py` on a free port against `db`; yields the base URL once it answers."""
    try:
        with run_streamlit(REPO / "app.py", workdir / "streamlit.log", {**(env or {}), "METRICS_DB": str(db)}) \
                as (base, _):
            yield base
    except ServerFailed as failed:
        pytest.fail(str(failed))


@pytest.fixture(scope="module")
def running_app(demo_db_file, tmp_path_factory) -> str:
    """`streamlit run app.py` on a free port with its own copy of the demo database; the base URL."""
    workdir = tmp_path_factory.mktemp("running_app")
    db = workdir / "metrics.duckdb"
    shutil.copyfile(demo_db_file, db)
    with streamlit_server(db, workdir) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (`playwright install` cannot download here)."""
    requires_system_tool(CHROMIUM, "the browser tests drive Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
