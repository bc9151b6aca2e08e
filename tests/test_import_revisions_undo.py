"""Issue 3: a changed figure is a new revision; identical re-uploads change nothing; a batch is
written whole or not at all and can be undone; every file is archived so the database can be rebuilt."""
import hashlib

import pytest

from import_fixtures import ADMIN, EDITOR, csv_bytes
from metrics import auth, catalog, tracker
from metrics.ingest import PeriodLocked, PreviewOutdated, import_file, preview_file, undo_upload
from metrics.store import Store, StoreError

ZONE = catalog.ZONE
MAY = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 120], ["hightech_new", "2023-05", 2]])
MAY_CORRECTED = csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 125], ["hightech_new", "2023-05", 2]])


def current(store: Store) -> dict[tuple[str, str], float]:
    return {(r.indicator_code, r.period): r.value for r in store.observations(entity=ZONE).itertuples()}


def test_a_changed_figure_becomes_a_new_revision_recording_who_when_and_which_batch(empty_store):
    first = import_file(empty_store, MAY, "五月.csv", actor=EDITOR)
    second = import_file(empty_store, MAY_CORRECTED, "五月更正.csv", actor=auth.Actor("统计员乙", "editor"))
    assert second.summary == {"new": 0, "changed": 1, "unchanged": 1}
    history = empty_store.history("land_cleared", ZONE)
    assert list(history.value) == [120, 125] and list(history.revision) == [1, 2]
    assert list(history.batch_id) == [first.batch_id, second.batch_id]
    assert list(history.user_name) == ["统计员甲", "统计员乙"] and list(history.is_current) == [False, True]
    assert history.created_at.notna().all()
    # The figure the correction repeated unchanged is confirmed by it: a restating revision.
    confirmed = empty_store.history("hightech_new", ZONE)
    assert list(confirmed.restated) == [False, True] and confirmed.value.nunique() == 1


def test_uploading_identical_figures_again_changes_nothing_and_records_no_batch(empty_store):
    import_file(empty_store, MAY, "五月.csv", actor=EDITOR)
    again = import_file(empty_store, MAY, "五月（再传）.csv", actor=EDITOR)
    assert again.ok and again.batch_id is None and not again.committed
    assert again.summary == {"new": 0, "changed": 0, "unchanged": 2}
    assert len(empty_store.batches()) == 1 and len(empty_store.history("land_cleared", ZONE)) == 1


def test_undo_reverts_a_batch_and_restores_what_it_superseded(empty_store):
    import_file(empty_store, MAY, "五月.csv", actor=EDITOR)
    correction = import_file(empty_store, MAY_CORRECTED, "五月更正.csv", actor=EDITOR)
    undo_upload(empty_store, correction.batch_id, EDITOR)
    assert current(empty_store)[("land_cleared", "2023-05")] == 120
    history = empty_store.history("land_cleared", ZONE)
    assert len(history) == 2 and history.undone_at.notna().tolist() == [False, True]


def test_undoing_the_only_batch_removes_its_figures(empty_store):
    first = import_file(empty_store, MAY, "五月.csv", actor=EDITOR)
    undo_upload(empty_store, first.batch_id, EDITOR)
    assert empty_store.observations().empty


def test_undoing_a_batch_twice_is_refused_in_chinese(empty_store):
    first = import_file(empty_store, MAY, "五月.csv", actor=EDITOR)
    undo_upload(empty_store, first.batch_id, EDITOR)
    with pytest.raises(StoreError, match="已于 .* 撤销过"):
        undo_upload(empty_store, first.batch_id, EDITOR)


def test_an_editor_undoes_their_own_upload_but_not_someone_elses(empty_store):
    other = import_file(empty_store, MAY, "五月.csv", actor=auth.Actor("统计员乙", "editor"))
    with pytest.raises(auth.PermissionDenied, match="撤销他人的上传"):
        undo_upload(empty_store, other.batch_id, EDITOR)
    assert empty_store.batches().undone_at.isna().all()
    undo_upload(empty_store, other.batch_id, ADMIN)


def test_a_viewer_cannot_import(empty_store):
    with pytest.raises(auth.PermissionDenied):
        import_file(empty_store, MAY, "五月.csv", actor=auth.Actor("领导", "viewer"))
    assert empty_store.batches().empty


def test_the_commit_refuses_and_writes_nothing_when_the_database_changed_since_the_preview(empty_store):
    preview = preview_file(empty_store, MAY_CORRECTED, "五月更正.csv", actor=EDITOR)
    import_file(empty_store, MAY, "五月.csv", actor=auth.Actor("统计员乙", "editor"))
    with pytest.raises(PreviewOutdated, match="重新核对"):
        import_file(empty_store, MAY_CORRECTED, "五月更正.csv", actor=EDITOR, expected_fingerprint=preview.fingerprint)
    assert len(empty_store.batches()) == 1 and current(empty_store)[("land_cleared", "2023-05")] == 120


def test_the_commit_succeeds_when_nothing_changed_since_the_preview(empty_store):
    preview = preview_file(empty_store, MAY, "五月.csv", actor=EDITOR)
    result = import_file(empty_store, MAY, "五月.csv", actor=EDITOR, expected_fingerprint=preview.fingerprint)
    assert result.committed and result.summary["new"] == 2


def test_a_month_locked_mid_import_aborts_the_whole_batch_inside_its_transaction(empty_store, monkeypatch):
    # As if the lock were set between the preview's check and the commit: only the commit's own check sees it.
    from metrics.ingest import pipeline
    monkeypatch.setattr(pipeline, "_check_locked_months", lambda *args: None)
    empty_store.set_period_lock("2023-05", True, by=ADMIN, reason="已报送")
    with pytest.raises(PeriodLocked, match="已锁定"):
        import_file(empty_store, MAY, "五月.csv", actor=EDITOR)
    assert empty_store.batches().empty and empty_store.observations().empty


def test_every_uploaded_file_is_archived_under_its_sha256_rejected_ones_included(empty_store, import_corpus):
    for name in ("long_codes.csv", "err_many.xlsx"):
        data = import_corpus[name].read_bytes()
        result = import_file(empty_store, import_corpus[name], actor=EDITOR)
        archived = empty_store.path.parent / "uploads" / f"{hashlib.sha256(data).hexdigest()}{import_corpus[name].suffix}"
        assert result.archive_path == archived and archived.read_bytes() == data
    assert empty_store.batches().sha256.tolist() == [hashlib.sha256(import_corpus["long_codes.csv"].read_bytes()).hexdigest()]


def test_the_database_can_be_rebuilt_from_the_upload_archive(empty_store, import_corpus, tmp_path):
    empty_store.add_entity("理士电池", "enterprise", by=ADMIN)  # the 统计月报's 其中 row
    for name in ("wide_months.xlsx", "monthly_report.xlsx", "ytd_only_long.csv"):
        import_file(empty_store, import_corpus[name], actor=EDITOR)
    import_file(empty_store, csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-02", 111]]), "更正.csv",
                actor=EDITOR)
    rebuilt = Store(tmp_path / "rebuilt" / "m.duckdb")
    tracker.init_database(rebuilt)
    rebuilt.add_entity("理士电池", "enterprise", by=ADMIN)
    uploads = empty_store.path.parent / "uploads"
    for batch in empty_store.batches().sort_values("id").itertuples():
        archived = next(uploads.glob(f"{batch.sha256}.*"))
        import_file(rebuilt, archived, batch.file_name, actor=auth.Actor(batch.user_name, "editor"))
    columns = ["indicator_code", "entity", "period", "months", "value"]
    assert rebuilt.observations()[columns].equals(empty_store.observations()[columns])
