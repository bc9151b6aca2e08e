"""The audit log is tamper-evident: every event is a link of a hash chain, and `health` turns red
at the first broken link after anyone deletes or edits events directly in the database file. The
command line acts only as an account whose role allows the change, and the log says it came from
a shell, and whose."""
import getpass
import json

import pytest

from conftest import ADMIN, PASSWORD, add_account, run_cli
from metrics import auth
from metrics.formatting import neutralise


@pytest.fixture
def empty_store(store_on_each_engine):
    """The chain is kept and checked the same way on DuckDB and on PostgreSQL."""
    return store_on_each_engine


@pytest.fixture
def logged(empty_store):
    """A store with a dozen events: accounts, sign-ins, locks."""
    admin = auth.Actor(ADMIN, "admin")
    for name in ("甲", "乙", "丙"):
        add_account(empty_store, name, "editor")
    for month in ("2023-01", "2023-02", "2023-03"):
        empty_store.set_period_lock(month, True, by=admin, reason="已报送")
    assert len(empty_store.audit_log()) >= 7
    return empty_store


def tamper(store, sql: str) -> None:
    """Change the log behind the store's back, as someone with the database's password could."""
    with store.connect() as con:
        con.execute(sql)


def health(store):
    return run_cli("health", db=store)


def test_an_untouched_log_is_whole(logged):
    assert logged.verify() == []
    assert health(logged).returncode == 0


@pytest.mark.parametrize("edit,expected", [
    ("DELETE FROM audit_event WHERE seq = 3", "缺少第 3–3 条"),
    ("DELETE FROM audit_event WHERE seq BETWEEN 2 AND 5", "缺少第 2–5 条"),
    ("DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)", "末尾缺少"),
    ("UPDATE audit_event SET user_name = '某人' WHERE seq = 4", "第 4 条事件"),
    ("UPDATE audit_event SET after = NULL WHERE seq = 2", "第 2 条事件"),
    ("INSERT INTO audit_event (id, occurred_at, user_name, action, subject) VALUES (999, now(), 'x', 'lock', 'x')",
     "不在校验链上"),
])
def test_deleting_or_editing_any_event_turns_health_red_at_the_first_broken_link(logged, edit, expected):
    tamper(logged, edit)
    problems = logged.verify()
    assert len(problems) == 1 and expected in problems[0], problems
    result = health(logged)
    assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr


def test_the_command_line_refuses_a_viewers_name_and_changes_nothing(logged, tmp_path):
    add_account(logged, "区长", "viewer")
    upload = tmp_path / "五月.csv"
    upload.write_text("指标编码,期间,数值\nland_cleared,2023-05,120\n", encoding="utf-8")
    imported = run_cli("import", str(upload), db=logged, user="区长")
    assert imported.returncode == 1 and "无权上传数据" in imported.stderr
    assert logged.batches().empty
    assert run_cli("import", str(upload), db=logged, user="甲").returncode == 0
    undo = run_cli("undo", "1", db=logged, user="区长")
    assert undo.returncode == 1 and "无权" in undo.stderr
    assert logged.batches().undone_at.isna().all()
    nobody = run_cli("import", str(upload), db=logged, user=None)
    assert nobody.returncode == 1 and "--user" in nobody.stderr
    stranger = run_cli("undo", "1", db=logged, user="无此人")
    assert stranger.returncode == 1 and "没有账户" in stranger.stderr


def test_a_command_line_change_records_the_account_and_the_operating_system_user(logged, tmp_path):
    upload = tmp_path / "五月.csv"
    upload.write_text("指标编码,期间,数值\nland_cleared,2023-05,120\n", encoding="utf-8")
    assert run_cli("import", str(upload), db=logged, user="甲").returncode == 0
    event = logged.audit_log(action="upload").iloc[0]
    assert event.user_name == "甲"
    assert event.origin.startswith("命令行 ") and getpass.getuser() in event.origin
    assert logged.verify() == []


def test_the_audit_export_keeps_a_formula_typed_into_the_sign_in_box_as_text(logged):
    from metrics import tracker

    typed = '=HYPERLINK("http://evil.example/","点我")'
    with pytest.raises(auth.PermissionDenied):
        tracker.sign_in(logged, typed, PASSWORD, client="10.0.0.1")
    log = logged.audit_log()
    assert typed in set(log.user_name)
    exported = log.map(neutralise)
    assert ("'" + typed) in set(exported.user_name) and typed not in set(exported.user_name)
    assert json.loads(log[log.action == "user_add"].iloc[0].after)["role"] == "editor"
