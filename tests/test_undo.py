"""Undo does what it says: a figure a later upload restated is kept, the confirmation lists what
will revert, every revision of a month stays in `show --history` even when all are undone, the
illustrative series never overwrites a real upload, and `health --archive` rebuilds the store by
replaying what happened in its order."""
import json

import pytest

from conftest import ADMIN, run_cli
from metrics import auth, backup, catalog, tracker
from metrics.ingest import import_file


@pytest.fixture
def empty_store(store_on_each_engine):
    """Entities and undo behave the same on DuckDB and on PostgreSQL."""
    return store_on_each_engine


EDITOR = auth.Actor("统计员", "editor")
ZONE = catalog.ZONE


def upload(store, name: str, rows: list[tuple[str, str, float]]):
    text = "指标编码,期间,数值\n" + "".join(f"{c},{p},{v}\n" for c, p, v in rows)
    result = import_file(store, text.encode("utf-8"), name, actor=EDITOR)
    assert result.ok, [p.message for p in result.errors]
    return result


def current(store, code: str = "land_cleared") -> dict[str, float]:
    obs = store.observations(entity=ZONE, codes=[code])
    return dict(zip(obs.period, obs.value))


def test_undoing_an_earlier_upload_keeps_what_a_later_one_restated_unchanged(empty_store):
    first = upload(empty_store, "四月五月.csv", [("land_cleared", "2023-04", 100), ("land_cleared", "2023-05", 50)])
    second = upload(empty_store, "五月六月.csv", [("land_cleared", "2023-05", 50), ("land_cleared", "2023-06", 60)])
    assert second.summary == {"new": 1, "changed": 0, "unchanged": 1}
    empty_store.undo_batch(first.batch_id, EDITOR)
    assert current(empty_store) == {"2023-05": 50.0, "2023-06": 60.0}  # May stays: the second file confirmed it
    assert empty_store.verify() == []


def test_the_confirmation_lists_exactly_what_will_revert(empty_store):
    first = upload(empty_store, "五月.csv", [("land_cleared", "2023-05", 120), ("hightech_new", "2023-05", 2)])
    correction = upload(empty_store, "五月更正.csv", [("land_cleared", "2023-05", 125)])
    upload(empty_store, "高企更正.csv", [("hightech_new", "2023-05", 3)])
    effects = empty_store.undo_effects(correction.batch_id)
    assert effects[["indicator_code", "value_now", "value_after"]].values.tolist() == [["land_cleared", 125.0, 120.0]]
    assert tracker.undo_lines(effects) == ["低效用地清理面积 XX经济开发区 2023年5月：125 → 120"]
    gone = empty_store.undo_effects(first.batch_id)
    assert gone["indicator_code"].tolist() == []  # both its figures were replaced since: nothing moves
    assert empty_store.undo_batch(correction.batch_id, EDITOR)["figures"] == 1
    assert current(empty_store) == {"2023-05": 120.0}


def test_show_history_lists_a_month_whose_every_revision_is_undone(empty_store):
    result = upload(empty_store, "七月.csv", [("land_cleared", "2023-07", 70)])
    empty_store.undo_batch(result.batch_id, EDITOR)
    shown = json.loads(run_cli("show", "land_cleared", "--history", "--json", db=empty_store).stdout)
    (july,) = [row for row in shown if row["period"] == "2023-07"]
    assert july["value"] is None
    assert [(h["value"], h["undone"], h["current"]) for h in july["history"]] == [(70.0, True, False)]


def test_reloading_the_illustrative_series_never_overwrites_a_real_figure(empty_store):
    tracker.load_demo(empty_store)
    upload(empty_store, "四月正式.csv", [("land_cleared", "2023-04", 4321)])
    empty_store.undo_batch(1, auth.Actor(ADMIN, "admin"))  # the illustrative batch
    again = tracker.load_demo(empty_store)
    assert again["kept_reported"] == 1
    assert current(empty_store)["2023-04"] == 4321.0
    assert not empty_store.observations(entity=ZONE, codes=["land_cleared"]).set_index("period").loc[
        "2023-04", "illustrative"]


SEQUENCES = {
    "correct then undo the correction": ["a", "b", "undo b"],
    "undo the first after a restatement": ["a", "c", "undo a"],
    "undo, upload again, undo the second": ["a", "undo a", "b", "undo b", "c"],
    "everything undone in reverse": ["a", "b", "c", "undo c", "undo b", "undo a"],
}
FILES = {"a": [("land_cleared", "2023-05", 100), ("hightech_new", "2023-05", 2)],
         "b": [("land_cleared", "2023-05", 110)],
         "c": [("land_cleared", "2023-05", 100), ("land_cleared", "2023-06", 90)]}


@pytest.mark.parametrize("sequence", list(SEQUENCES))
def test_health_archive_agrees_with_the_live_store_after_any_order_of_uploads_and_undos(empty_store, tmp_path,
                                                                                        sequence):
    batches = {}
    for step in SEQUENCES[sequence]:
        if step.startswith("undo "):
            empty_store.undo_batch(batches[step.split()[1]], EDITOR)
        else:
            batches[step] = upload(empty_store, f"{step}.csv", FILES[step]).batch_id
    rebuilt, problems = backup.rebuild_from_archive(empty_store, tmp_path / "rebuilt")
    assert problems == []
    columns = ["indicator_code", "entity", "period", "value"]
    assert rebuilt.observations()[columns].equals(empty_store.observations()[columns])


def test_health_archive_replays_entity_changes_in_order(empty_store, tmp_path):
    admin = auth.Actor(ADMIN, "admin")
    empty_store.add_entity("甲园区", "zone", by=admin)
    text = "指标编码,期间,数值,主体\nland_cleared,2023-05,9,甲园区\n"
    assert import_file(empty_store, text.encode(), "甲.csv", actor=EDITOR).committed
    empty_store.add_entity("甲工业园", "zone", by=admin)
    empty_store.merge_entities("甲园区", "甲工业园", by=admin)
    empty_store.rename_entity("甲工业园", "甲工业园区", by=admin)
    rebuilt, problems = backup.rebuild_from_archive(empty_store, tmp_path / "rebuilt")
    assert problems == []
    assert rebuilt.observations(entity="甲工业园区").value.tolist() == [9.0]
    assert run_cli("health", "--archive", db=empty_store).returncode == 0
