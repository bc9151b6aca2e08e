"""The PostgreSQL schema, as ordered migrations (numbered for this engine alone). Version 1 is the
schema the DuckDB file reached at its version 7, column for column and in the same order, so that
`copy-store` moves rows between the two unchanged; each later version matches a later DuckDB one
(2: DuckDB's 8, the reporting tasks and reminders; 3: DuckDB's 9, review; 4: DuckDB's 10, the
explanations; 5: DuckDB's 11, the ledger's edits, its measures' indicators and evidence).

Kept to what openGauss and KingbaseES accept as well: plain types (no arrays, JSON types, identity
columns or generated columns), sequences called through nextval(), no ON CONFLICT.
"""
from __future__ import annotations

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
        illustrative BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL,
        canonical VARCHAR, created_by_batch INTEGER, removed_at TIMESTAMP
    );
    CREATE TABLE entity_alias (
        canonical VARCHAR PRIMARY KEY, alias VARCHAR NOT NULL, entity_id INTEGER NOT NULL,
        set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL
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
        period VARCHAR NOT NULL, months INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL,
        revision INTEGER NOT NULL, batch_id INTEGER NOT NULL, note VARCHAR NOT NULL,
        published_yoy DOUBLE PRECISION, restated BOOLEAN DEFAULT false
    );
    CREATE INDEX observation_key ON observation (entity_id, indicator_code, period);
    CREATE INDEX observation_batch ON observation (batch_id);
    CREATE UNIQUE INDEX observation_revision ON observation (entity_id, indicator_code, period, revision);
    CREATE TABLE current_figure (
        entity_id INTEGER NOT NULL, indicator_code VARCHAR NOT NULL, period VARCHAR NOT NULL,
        observation_id BIGINT NOT NULL, months INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL,
        batch_id INTEGER NOT NULL, published_yoy DOUBLE PRECISION
    );
    CREATE UNIQUE INDEX current_figure_key ON current_figure (entity_id, indicator_code, period);
    CREATE INDEX current_figure_batch ON current_figure (batch_id);
    CREATE TABLE target (
        indicator_code VARCHAR NOT NULL, entity_id INTEGER NOT NULL, year INTEGER NOT NULL,
        kind VARCHAR NOT NULL, value DOUBLE PRECISION NOT NULL, value_max DOUBLE PRECISION, phasing VARCHAR,
        illustrative BOOLEAN NOT NULL, source VARCHAR NOT NULL, revision INTEGER NOT NULL,
        set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL
    );
    CREATE UNIQUE INDEX target_revision ON target (indicator_code, entity_id, year, revision);
    CREATE TABLE report_figure (
        position INTEGER NOT NULL, indicator_code VARCHAR NOT NULL, entity_name VARCHAR NOT NULL,
        year INTEGER NOT NULL, scope VARCHAR NOT NULL, value DOUBLE PRECISION NOT NULL, unit VARCHAR NOT NULL,
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
    CREATE TABLE app_user (
        name VARCHAR PRIMARY KEY, password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL,
        disabled BOOLEAN NOT NULL, created_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE audit_id_seq START 1;
    CREATE TABLE audit_event (
        id BIGINT PRIMARY KEY, occurred_at TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL,
        action VARCHAR NOT NULL, subject VARCHAR NOT NULL, before VARCHAR, after VARCHAR,
        origin VARCHAR DEFAULT '', seq BIGINT, prev_hash VARCHAR, hash VARCHAR
    );
    CREATE UNIQUE INDEX audit_seq ON audit_event (seq);
    CREATE TABLE audit_head (seq BIGINT NOT NULL, hash VARCHAR NOT NULL);
    CREATE TABLE period_lock (
        period VARCHAR NOT NULL, locked BOOLEAN NOT NULL, user_name VARCHAR NOT NULL,
        changed_at TIMESTAMP NOT NULL, reason VARCHAR NOT NULL
    );
    CREATE TABLE sign_in_throttle (
        scope VARCHAR NOT NULL, key VARCHAR NOT NULL, failures INTEGER NOT NULL,
        last_failure_at TIMESTAMP NOT NULL, PRIMARY KEY (scope, key)
    );
    CREATE TABLE data_version (version BIGINT NOT NULL);
    INSERT INTO data_version VALUES (1);
    -- Uploaded files live in the database, where every app server reaches them (no shared folder).
    CREATE TABLE upload_file (name VARCHAR PRIMARY KEY, content BYTEA NOT NULL, stored_at TIMESTAMP NOT NULL);
    """),
    (2, """
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
    (3, """
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
    (4, """
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
    (5, """
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
    (6, """
    -- How many figures a batch restated unchanged to bring a 备注 they did not carry, so that the
    -- upload history says so of a batch of new 备注 alone, instead of only "新增 0、修改 0". Counted
    -- for the batches already written: a figure is restated only for a 备注 it did not carry.
    ALTER TABLE batch ADD COLUMN n_new_notes INTEGER DEFAULT 0;
    UPDATE batch SET n_new_notes = (SELECT count(*) FROM observation o
                                    WHERE o.batch_id = batch.id AND o.restated AND o.note <> '');
    """),
]
