"""Many people at once: racing confirmations, target edits and commits from threads and from
processes leave exactly one current figure per key and unique revisions, and the loser of a race
is told to look again instead of committing a stale preview. Races are started with barriers."""
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
import pytest

from conftest import ADMIN, REPO, address, initialised_store
from metrics import auth, catalog
from metrics.ingest import PreviewOutdated, commit_preview, preview_file
from metrics.store import BatchSummary, StaleEdit, Store
from metrics.store.errors import WriteConflict

EDITOR = auth.Actor("统计员", "editor")


@pytest.fixture
def empty_store(store_on_each_engine):
    """Races are decided the same way on DuckDB and on PostgreSQL."""
    return store_on_each_engine
ROUNDS = 100


def month_file(code: str, period: str, value: float, *more: tuple[str, float]) -> bytes:
    """A CSV of one month's figures: `code`'s, and those of the `more` (code, value) pairs."""
    lines = "".join(f"{c},{period},{v}\n" for c, v in ((code, value), *more))
    return f"指标编码,期间,数值\n{lines}".encode("utf-8")


def current_per_key(store: Store) -> pd.Series:
    return store.observations().groupby(["indicator_code", "entity", "period"]).size()


def race(functions) -> list:
    """Run the functions at the same moment, one thread each; each result or the exception it raised."""
    barrier = threading.Barrier(len(functions))

    def run(function):
        barrier.wait()
        try:
            return function()
        except Exception as exc:  # the outcome under test
            return exc

    with ThreadPoolExecutor(len(functions)) as pool:
        return list(pool.map(run, functions))


def test_a_hundred_rounds_of_two_racing_confirmations_leave_one_current_figure_per_key(empty_store):
    outcomes = []
    for round_ in range(ROUNDS):
        period = f"{2000 + round_ // 12:04d}-{round_ % 12 + 1:02d}"
        previews = [preview_file(empty_store, month_file("land_cleared", period, value), f"第{round_}轮{value}.csv",
                                 actor=EDITOR) for value in (10 + round_, 20 + round_)]
        assert all(p.ok for p in previews)
        results = race([lambda p=p: commit_preview(empty_store, p, actor=EDITOR) for p in previews])
        committed = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(committed) == 1 and len(refused) == 1, results
        assert isinstance(refused[0], PreviewOutdated) and "请重新核对" in str(refused[0])
        outcomes.append(committed[0].preview["value"].iloc[0])
    per_key = current_per_key(empty_store)
    assert len(per_key) == ROUNDS and (per_key == 1).all()
    assert sorted(empty_store.observations()["value"]) == sorted(outcomes)
    assert len(empty_store.batches()) == ROUNDS and empty_store.verify() == []


def test_one_preview_confirmed_twice_at_once_and_two_previews_sharing_a_figure_each_commit_once(empty_store):
    store = empty_store

    def confirm_at_once(previews) -> None:
        assert all(p.ok for p in previews)
        results = race([lambda p=p: commit_preview(store, p, actor=EDITOR) for p in previews])
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], PreviewOutdated), results
        assert "请重新核对" in str(refused[0])

    for round_ in range(20):
        period = f"{2000 + round_ // 12:04d}-{round_ % 12 + 1:02d}"
        twice = preview_file(store, month_file("land_cleared", period, 5 + round_, ("hightech_new", 2)),
                             f"第{round_}轮.csv", actor=EDITOR)
        confirm_at_once([twice, twice])
        # Each changes the figure the first left current, beside one figure of its own.
        confirm_at_once([preview_file(store, month_file("land_cleared", period, value, (other, 3)), f"{other}.csv",
                                      actor=EDITOR)
                         for value, other in ((30 + round_, "invoice_sales"), (40 + round_, "tax_per_mu"))])
    assert (current_per_key(store) == 1).all() and store.verify() == []
    assert len(store.batches()) == 40


def test_confirmations_of_different_figures_overlap_on_postgresql(postgres_url):
    """Two writers of different figures each wait, inside their transactions and after comparing
    their figures, until the other has got as far: with the writers' turn held for whole
    transactions the second could not begin, and the barrier would break."""
    store = initialised_store(postgres_url)
    both_compared = threading.Barrier(2, timeout=30)
    actor = auth.Actor(ADMIN, "admin")

    def confirm(code: str):
        rows = pd.DataFrame({"indicator_code": [code], "entity": [catalog.ZONE], "period": ["2024-01"], "value": [7.0]})
        return lambda: store.commit_batch(rows, actor=actor, file_name=f"{code}.csv", sha256=code,
                                          before_commit=lambda con, diff: both_compared.wait())

    results = race([confirm("land_cleared"), confirm("hightech_new")])
    assert all(isinstance(r, BatchSummary) and r.new == 1 for r in results), results
    assert (current_per_key(store) == 1).all() and store.verify() == []
    log = store.audit_log()
    assert len(log[log["action"] == "upload"]) == 2


def test_an_undo_waits_for_an_overlapping_confirmation_of_its_figures_rather_than_deadlocking(postgres_url):
    """A confirmation holds its figures' rows while it waits for the writers' turn; an undo of the
    same figures that took the turn first and then waited for those rows would deadlock with it.
    The undo is started while the confirmation holds its rows, and must be found waiting at the
    door for overlapping writers, before it holds anything the confirmation needs."""
    import psycopg
    store = initialised_store(postgres_url)
    actor = auth.Actor(ADMIN, "admin")
    rows = lambda value: pd.DataFrame({"indicator_code": ["land_cleared"], "entity": [catalog.ZONE],
                                       "period": ["2024-01"], "value": [value]})
    first = store.commit_batch(rows(7.0), actor=actor, file_name="first.csv", sha256="first")
    rows_held, undo_seen_waiting = threading.Event(), threading.Event()

    def hold_rows(con, diff):
        rows_held.set()
        assert undo_seen_waiting.wait(30)

    with ThreadPoolExecutor(2) as pool:
        confirmation = pool.submit(store.commit_batch, rows(8.0), actor=actor, file_name="second.csv",
                                   sha256="second", before_commit=hold_rows)
        assert rows_held.wait(30)
        undo = pool.submit(store.undo_batch, first.batch_id, actor)
        with psycopg.connect(postgres_url, autocommit=True) as watcher:
            waiting: list = []
            while not waiting and not undo.done():  # the undo's first wait, whatever it waits for
                waiting = watcher.execute("SELECT locktype FROM pg_locks WHERE NOT granted").fetchall()
                undo_seen_waiting.wait(0.01)  # a pause between looks, not a synchronisation: never set here
        undo_seen_waiting.set()
        assert confirmation.result().changed == 1
        undo.result()
    assert waiting == [("advisory",)]
    assert (current_per_key(store) == 1).all() and store.verify() == []


def test_commits_racing_from_many_threads_on_the_same_keys_keep_unique_revisions(empty_store):
    rows = lambda value: pd.DataFrame({"indicator_code": ["land_cleared", "hightech_new"], "entity": [catalog.ZONE] * 2,
                                       "period": ["2023-03", "2023-03"], "value": [value, 1.0]})
    actor = auth.Actor(ADMIN, "admin")
    results = race([lambda v=v: empty_store.commit_batch(rows(float(v)), actor=actor, file_name=f"{v}.csv",
                                                         sha256=str(v)) for v in range(8)])
    assert not [r for r in results if isinstance(r, Exception)]
    history = empty_store.history("land_cleared", catalog.ZONE)
    assert sorted(history["revision"]) == list(range(1, len(history) + 1))
    assert (current_per_key(empty_store) == 1).all() and empty_store.verify() == []


def test_two_admins_saving_the_same_target_at_once_one_is_told_the_other_saved(empty_store):
    actor = auth.Actor(ADMIN, "admin")
    seen = int(empty_store.targets(2023).set_index("indicator_code").loc["land_cleared", "revision"])
    results = race([lambda v=v: empty_store.set_target("land_cleared", 2023, "annual", v, by=actor, source="会议纪要",
                                                       expected_revision=seen) for v in (2600.0, 2700.0)])
    assert sum(r is None for r in results) == 1
    (stale,) = [r for r in results if isinstance(r, Exception)]
    assert isinstance(stale, StaleEdit) and "本次没有保存" in str(stale)
    history = empty_store.target_history("land_cleared")
    revisions = history[history["year"] == 2023]["revision"].tolist()
    assert revisions == sorted(set(revisions)) and revisions[-1] == seen + 1


# One confirmation in a process of its own: it previews, says it is ready, waits for "go" on its
# standard input (the barrier, released by the test once both are ready), then commits.
CONFIRM_IN_A_PROCESS = """
import sys
import pandas as pd
from metrics import auth, catalog
from metrics.ingest import PreviewOutdated
from metrics.ingest.pipeline import preview_fingerprint
from metrics.store import Store

store = Store(sys.argv[1])
rows = pd.DataFrame({"indicator_code": ["land_cleared"], "entity": [catalog.ZONE], "period": ["2023-06"],
                     "value": [float(sys.argv[2])]})
seen = preview_fingerprint(store.diff(rows))

def unchanged(con, diff):
    if preview_fingerprint(diff) != seen:
        raise PreviewOutdated("changed")

print("ready", flush=True)
sys.stdin.readline()
try:
    store.commit_batch(rows, actor=auth.Actor(sys.argv[3], "admin"), file_name="p.csv", sha256="x",
                       before_commit=unchanged)
    print("committed")
except PreviewOutdated:
    print("refused")
"""


@pytest.mark.parametrize("round_", range(5))
def test_two_processes_confirming_the_same_new_month_at_once_one_commits(empty_store, round_):
    store = empty_store
    workers = [subprocess.Popen([sys.executable, "-c", CONFIRM_IN_A_PROCESS, address(store), str(v), ADMIN],
                                cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for v in (10.0 + round_, 20.0 + round_)]
    assert [w.stdout.readline().strip() for w in workers] == ["ready", "ready"]
    for w in workers:
        w.stdin.write("go\n")
        w.stdin.flush()
    outcomes = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outcomes]
    assert sorted(out.strip() for out, _ in outcomes) == ["committed", "refused"]
    assert (current_per_key(store) == 1).all() and store.verify() == []


def test_the_schema_itself_refuses_a_second_current_figure_for_a_key(empty_store):
    empty_store.commit_batch(pd.DataFrame({"indicator_code": ["land_cleared"], "entity": [catalog.ZONE],
                                           "period": ["2023-03"], "value": [5.0]}),
                             actor=auth.Actor(ADMIN, "admin"), file_name="a.csv", sha256="a")
    refusal = duckdb.ConstraintException if empty_store.path else WriteConflict
    with pytest.raises(refusal), empty_store.transaction() as con:
        con.execute("INSERT INTO current_figure SELECT * FROM current_figure")


def test_a_database_duplicated_by_the_old_race_is_repaired_when_migrated(tmp_path):
    store = Store(tmp_path / "old.duckdb")
    store.migrate(upto=3)
    with duckdb.connect(str(store.path)) as con:
        # What two unserialised commits of the same new month left: two batches, two revisions 1,
        # two current figures for one key.
        zone = 1
        con.execute("INSERT INTO entity VALUES (1, ?, 'zone', false, now())", [catalog.ZONE])
        for batch, value in ((1, 10.0), (2, 20.0)):
            con.execute("INSERT INTO batch VALUES (?, 'f.csv', 'h', 'u', now(), 'upload', false, 1, 0, 0, '', NULL, NULL)",
                        [batch])
            con.execute("INSERT INTO observation VALUES (?, 'land_cleared', ?, '2023-03', 1, ?, 1, ?, '')",
                        [batch, zone, value, batch])
            con.execute("INSERT INTO current_figure VALUES (?, 'land_cleared', '2023-03', ?, 1, ?, ?)",
                        [zone, batch, value, batch])
    assert store.migrate() == [v for v, _ in store.backend.migrations if v >= 4]
    store.load_reference()
    history = store.history("land_cleared", catalog.ZONE)
    assert list(history["revision"]) == [1, 2] and list(history["is_current"]) == [False, True]
    assert list(store.observations()["value"]) == [20.0] and store.verify() == []
