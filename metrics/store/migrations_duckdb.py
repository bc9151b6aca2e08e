"""The DuckDB file's schema, as ordered migrations: a file at version N gets every script after N,
each in one transaction. Each script is frozen as it was released (the SQL of its own time), since
files made by any earlier version must still upgrade."""
from __future__ import annotations

from ..entity_names import canonical
from .audit_chain import GENESIS_HASH, event_hash

# The latest revision of each key from batches not undone, as migration 4 rebuilt the current figures.
_LATEST_REVISIONS_V4 = """
    SELECT entity_id, indicator_code, period, id, months, value, batch_id FROM (
        SELECT o.*, row_number() OVER (
            PARTITION BY o.entity_id, o.indicator_code, o.period ORDER BY o.revision DESC) AS rn
        FROM observation o
        JOIN batch b ON b.id = o.batch_id
        WHERE b.undone_at IS NULL
    ) ranked WHERE rn = 1
"""


def _repair_racing_duplicates(con) -> None:
    """Migration 4. Racing commits (before writes were serialised) could leave a key with two current
    figures and two revisions numbered alike: revisions are renumbered in the order they were
    written and the current figures rebuilt from the history. (Migration 5 then makes the schema
    refuse duplicates; DuckDB builds no index on a table updated in the same transaction.)"""
    con.execute(f"""
    UPDATE observation SET revision = n.rn FROM (
        SELECT id, row_number() OVER (PARTITION BY entity_id, indicator_code, period ORDER BY revision, id) AS rn
        FROM observation) n
    WHERE observation.id = n.id AND observation.revision <> n.rn;
    UPDATE target SET revision = n.rn FROM (
        SELECT rowid AS target_row, row_number() OVER (
            PARTITION BY indicator_code, entity_id, year ORDER BY revision, set_at, rowid) AS rn
        FROM target) n
    WHERE target.rowid = n.target_row AND target.revision <> n.rn;
    -- Rebuilt as a new table: an index on the old one would still hold the deleted rows.
    CREATE TABLE rebuilt_current_figure AS {_LATEST_REVISIONS_V4};
    DROP TABLE current_figure;
    CREATE TABLE current_figure (
        entity_id INTEGER NOT NULL, indicator_code VARCHAR NOT NULL, period VARCHAR NOT NULL,
        observation_id BIGINT NOT NULL, months INTEGER NOT NULL, value DOUBLE NOT NULL,
        batch_id INTEGER NOT NULL
    );
    INSERT INTO current_figure SELECT * FROM rebuilt_current_figure;
    DROP TABLE rebuilt_current_figure;
    """)


def _unique_keys_and_audit_chain(con) -> None:
    """Migration 5: unique keys in the schema itself, the audit log's hash chain (computed over the
    events already held), and the table of failed sign-ins."""
    con.execute("""
    CREATE UNIQUE INDEX current_figure_key ON current_figure (entity_id, indicator_code, period);
    CREATE UNIQUE INDEX observation_revision ON observation (entity_id, indicator_code, period, revision);
    CREATE UNIQUE INDEX target_revision ON target (indicator_code, entity_id, year, revision);
    ALTER TABLE audit_event ADD COLUMN origin VARCHAR DEFAULT '';
    ALTER TABLE audit_event ADD COLUMN seq BIGINT;
    ALTER TABLE audit_event ADD COLUMN prev_hash VARCHAR;
    ALTER TABLE audit_event ADD COLUMN hash VARCHAR;
    -- The chain's last link, kept beside it so that deleting the newest events shows too.
    CREATE TABLE audit_head (seq BIGINT NOT NULL, hash VARCHAR NOT NULL);
    -- Failed sign-ins per account and per client and account, for growing delays.
    CREATE TABLE sign_in_throttle (
        scope VARCHAR NOT NULL, key VARCHAR NOT NULL, failures INTEGER NOT NULL,
        last_failure_at TIMESTAMP NOT NULL, PRIMARY KEY (scope, key)
    );
    """)
    events = con.execute("SELECT id, occurred_at, user_name, action, subject, before, after FROM audit_event "
                         "ORDER BY id").fetchall()
    prev_hash, links = GENESIS_HASH, []
    for seq, (event_id, occurred_at, user, action, subject, before, after) in enumerate(events, start=1):
        digest = event_hash(prev_hash, seq, occurred_at, user, action, subject, before, after, "")
        links.append([seq, prev_hash, digest, event_id])
        prev_hash = digest
    if links:
        con.executemany("UPDATE audit_event SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?", links)
        con.execute("INSERT INTO audit_head VALUES (?, ?)", [links[-1][0], links[-1][2]])
    con.execute("CREATE UNIQUE INDEX audit_seq ON audit_event (seq)")


def _entity_names_and_restatements(con) -> None:
    """Migration 6. Entities keep their canonical form (the one uploads are matched on), may have
    aliases, remember the batch that created them (so undoing it removes them if unused), and are
    removed by marking, since revisions in the history still name them. A figure may carry the
    同比 its file published, and a revision may restate the figure before it unchanged (so undoing
    an earlier batch keeps what a later one confirmed)."""
    con.execute("""
    ALTER TABLE entity ADD COLUMN canonical VARCHAR;
    ALTER TABLE entity ADD COLUMN created_by_batch INTEGER;
    ALTER TABLE entity ADD COLUMN removed_at TIMESTAMP;
    CREATE TABLE entity_alias (
        canonical VARCHAR PRIMARY KEY, alias VARCHAR NOT NULL, entity_id INTEGER NOT NULL,
        set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL
    );
    ALTER TABLE observation ADD COLUMN published_yoy DOUBLE;
    ALTER TABLE observation ADD COLUMN restated BOOLEAN DEFAULT false;
    ALTER TABLE current_figure ADD COLUMN published_yoy DOUBLE;
    """)
    names = con.execute("SELECT id, name FROM entity").fetchall()
    if names:
        con.executemany("UPDATE entity SET canonical = ? WHERE id = ?", [[canonical(n), i] for i, n in names])


# Ordered migrations: a database at version N gets every script after N, in one transaction each.
MIGRATIONS: list[tuple[int, str]] = [
    (1, """
    CREATE TABLE indicator (
        code VARCHAR PRIMARY KEY, position INTEGER NOT NULL, name VARCHAR NOT NULL,
        name_en VARCHAR NOT NULL, unit VARCHAR NOT NULL, category VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, direction VARCHAR NOT NULL, decimals INTEGER NOT NULL,
        is_count BOOLEAN NOT NULL, may_be_negative BOOLEAN NOT NULL, definition VARCHAR NOT NULL,
        formula VARCHAR NOT NULL
    );
    CREATE TABLE indicator_problem (indicator_code VARCHAR NOT NULL, problem_id VARCHAR NOT NULL);
    CREATE SEQUENCE entity_id_seq START 1;
    CREATE TABLE entity (
        id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, kind VARCHAR NOT NULL,
        illustrative BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE batch_id_seq START 1;
    CREATE TABLE batch (
        id INTEGER PRIMARY KEY, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        user_name VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, source VARCHAR NOT NULL,
        illustrative BOOLEAN NOT NULL, n_new INTEGER NOT NULL, n_changed INTEGER NOT NULL,
        n_unchanged INTEGER NOT NULL, note VARCHAR NOT NULL,
        undone_at TIMESTAMP, undone_by VARCHAR
    );
    CREATE SEQUENCE observation_id_seq START 1;
    CREATE TABLE observation (
        id BIGINT PRIMARY KEY, indicator_code VARCHAR NOT NULL, entity_id INTEGER NOT NULL,
        period VARCHAR NOT NULL, months INTEGER NOT NULL, value DOUBLE NOT NULL,
        revision INTEGER NOT NULL, batch_id INTEGER NOT NULL, note VARCHAR NOT NULL
    );
    CREATE INDEX observation_key ON observation (entity_id, indicator_code, period);
    CREATE TABLE target (
        indicator_code VARCHAR NOT NULL, entity_id INTEGER NOT NULL, year INTEGER NOT NULL,
        kind VARCHAR NOT NULL, value DOUBLE NOT NULL, value_max DOUBLE, phasing VARCHAR,
        illustrative BOOLEAN NOT NULL, source VARCHAR NOT NULL, revision INTEGER NOT NULL,
        set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL
    );
    CREATE TABLE report_figure (
        position INTEGER NOT NULL, indicator_code VARCHAR NOT NULL, entity_name VARCHAR NOT NULL,
        year INTEGER NOT NULL, scope VARCHAR NOT NULL, value DOUBLE NOT NULL, unit VARCHAR NOT NULL,
        section VARCHAR NOT NULL, phrase VARCHAR NOT NULL, value_text VARCHAR NOT NULL
    );
    CREATE TABLE ledger_summary (
        report_date VARCHAR NOT NULL, summary_done INTEGER NOT NULL,
        summary_in_progress INTEGER NOT NULL, summary_source VARCHAR NOT NULL
    );
    CREATE TABLE problem (
        id VARCHAR PRIMARY KEY, position INTEGER NOT NULL, section VARCHAR NOT NULL,
        title VARCHAR NOT NULL, status VARCHAR NOT NULL, lead_unit VARCHAR NOT NULL,
        deadline VARCHAR NOT NULL
    );
    CREATE TABLE measure (
        problem_id VARCHAR NOT NULL, position INTEGER NOT NULL, ordinal VARCHAR NOT NULL,
        text VARCHAR NOT NULL, status VARCHAR NOT NULL
    );
    CREATE VIEW current_observation AS
    SELECT id, indicator_code, entity_id, period, months, value, revision, batch_id, note
    FROM (
        SELECT o.*, row_number() OVER (
            PARTITION BY o.entity_id, o.indicator_code, o.period ORDER BY o.revision DESC) AS rn
        FROM observation o JOIN batch b ON b.id = o.batch_id
        WHERE b.undone_at IS NULL
    ) ranked
    WHERE rn = 1;
    """),
    (2, """
    CREATE TABLE app_user (
        name VARCHAR PRIMARY KEY, password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL,
        disabled BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE audit_id_seq START 1;
    CREATE TABLE audit_event (
        id BIGINT PRIMARY KEY, occurred_at TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL,
        action VARCHAR NOT NULL, subject VARCHAR NOT NULL, before VARCHAR, after VARCHAR
    );
    CREATE TABLE period_lock (
        period VARCHAR NOT NULL, locked BOOLEAN NOT NULL, user_name VARCHAR NOT NULL,
        changed_at TIMESTAMP NOT NULL, reason VARCHAR NOT NULL
    );
    """),
    (3, """
    -- The current figure per key, kept in step with observation inside every write's transaction,
    -- so reads filter a small table instead of ranking every revision.
    CREATE TABLE current_figure (
        entity_id INTEGER NOT NULL, indicator_code VARCHAR NOT NULL, period VARCHAR NOT NULL,
        observation_id BIGINT NOT NULL, months INTEGER NOT NULL, value DOUBLE NOT NULL,
        batch_id INTEGER NOT NULL
    );
    INSERT INTO current_figure
    SELECT entity_id, indicator_code, period, id, months, value, batch_id FROM current_observation;
    DROP VIEW current_observation;
    """),
    (4, _repair_racing_duplicates),
    (5, _unique_keys_and_audit_chain),
    (6, _entity_names_and_restatements),
    (7, """
    -- Bumped by every write, in the write's transaction: how every app process learns, at its next
    -- read, that another has written.
    CREATE TABLE data_version (version BIGINT NOT NULL);
    INSERT INTO data_version VALUES (1);
    """),
    (8, """
    -- 填报任务: who reports each indicator for each entity, by which day of the following month.
    CREATE TABLE task (
        indicator_code VARCHAR NOT NULL, entity_id INTEGER NOT NULL, department VARCHAR NOT NULL,
        due_day INTEGER NOT NULL, set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL
    );
    CREATE TABLE task_editor (indicator_code VARCHAR NOT NULL, entity_id INTEGER NOT NULL, user_name VARCHAR NOT NULL);
    -- Where reminders (催报) reach an account: an e-mail address, a mobile for a group robot's @.
    CREATE TABLE user_contact (user_name VARCHAR PRIMARY KEY, email VARCHAR NOT NULL, mobile VARCHAR NOT NULL);
    CREATE SEQUENCE channel_id_seq START 1;
    CREATE TABLE reminder_channel (
        id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, settings VARCHAR NOT NULL, created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, removed_at TIMESTAMP
    );
    CREATE SEQUENCE reminder_id_seq START 1;
    CREATE TABLE reminder (
        id BIGINT PRIMARY KEY, sent_at TIMESTAMP NOT NULL, period VARCHAR NOT NULL, channel_id INTEGER NOT NULL,
        channel_kind VARCHAR NOT NULL, recipient VARCHAR NOT NULL, message VARCHAR NOT NULL,
        attempts INTEGER NOT NULL, ok BOOLEAN NOT NULL, error VARCHAR NOT NULL, sent_by VARCHAR NOT NULL
    );
    """),
    (9, """
    -- 审核: with review on, an upload waits (pending) until a reviewer approves or rejects it; only
    -- approved batches' figures are current. Batches written before review existed are approved.
    ALTER TABLE batch ADD COLUMN review VARCHAR DEFAULT 'approved';
    ALTER TABLE batch ADD COLUMN reviewed_by VARCHAR;
    ALTER TABLE batch ADD COLUMN reviewed_at TIMESTAMP;
    ALTER TABLE batch ADD COLUMN review_reason VARCHAR;
    -- Deployment settings an administrator switches (whether uploads need review), audited.
    CREATE TABLE app_setting (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, set_by VARCHAR NOT NULL,
                              set_at TIMESTAMP NOT NULL);
    """),
    (10, """
    -- 情况说明: why an indicator stands where it does in a month (原因分析) and what is being done
    -- (下步措施). Append-only like figures: an edit is a new revision, the latest one is shown.
    CREATE SEQUENCE explanation_id_seq START 1;
    CREATE TABLE explanation (
        id BIGINT PRIMARY KEY, indicator_code VARCHAR NOT NULL, entity_id INTEGER NOT NULL, period VARCHAR NOT NULL,
        revision INTEGER NOT NULL, reason VARCHAR NOT NULL, next_steps VARCHAR NOT NULL,
        written_by VARCHAR NOT NULL, written_at TIMESTAMP NOT NULL
    );
    CREATE UNIQUE INDEX explanation_revision ON explanation (indicator_code, entity_id, period, revision);
    """),
    (11, """
    -- 整改台账 edits, kept apart from the report's rows (problem, measure), which `init` reloads
    -- from data/ledger.toml every time: an edit is laid over them and so survives the reload.
    -- measure_no 0 is the problem itself, 1… its measures in the report's order; NULL keeps what
    -- the report gives.
    CREATE TABLE ledger_edit (
        problem_id VARCHAR NOT NULL, measure_no INTEGER NOT NULL, status VARCHAR, lead_unit VARCHAR,
        leader VARCHAR, deadline VARCHAR, set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL
    );
    -- The indicators a measure should move.
    CREATE TABLE measure_indicator (problem_id VARCHAR NOT NULL, measure_no INTEGER NOT NULL, indicator_code VARCHAR NOT NULL);
    -- 佐证材料: files kept in the upload archive under their SHA-256.
    CREATE SEQUENCE evidence_id_seq START 1;
    CREATE TABLE measure_evidence (
        id INTEGER PRIMARY KEY, problem_id VARCHAR NOT NULL, measure_no INTEGER NOT NULL, file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL, size_bytes BIGINT NOT NULL, added_by VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL
    );
    """),
    (12, """
    -- How many figures a batch restated unchanged to bring a 备注 they did not carry, so that the
    -- upload history says so of a batch of new 备注 alone, instead of only "新增 0、修改 0". Counted
    -- for the batches already written: a figure is restated only for a 备注 it did not carry.
    ALTER TABLE batch ADD COLUMN n_new_notes INTEGER DEFAULT 0;
    UPDATE batch SET n_new_notes = (SELECT count(*) FROM observation o
                                    WHERE o.batch_id = batch.id AND o.restated AND o.note <> '');
    """),
]
