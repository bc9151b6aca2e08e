"""Accounts: salted hashes, roles checked in the core, no default password, and an audit trail."""
import json

import pytest

from conftest import run_cli
from metrics import auth


def test_passwords_are_stored_as_salted_argon2_hashes(empty_store):
    empty_store.save_user("张三", by=auth.Actor("管理员", "admin"), password_hash=auth.hash_password("secret123"), role="editor", create=True)
    stored = empty_store.user_record("张三")["password_hash"]
    assert stored.startswith("$argon2") and "secret123" not in stored
    assert auth.hash_password("secret123") != stored  # a fresh salt every time
    assert auth.verify_password(stored, "secret123")
    assert not auth.verify_password(stored, "secret124")


@pytest.mark.parametrize("password", ["short1", "onlyletters", "12345678"])
def test_weak_passwords_are_refused_in_chinese(password):
    assert auth.password_problem(password)


def test_a_fresh_install_has_no_account_and_says_how_to_create_the_first_admin(tmp_path):
    db = tmp_path / "m.duckdb"
    run_cli("init", db=db, check=True)
    out = run_cli("users", "list", db=db, check=True).stdout
    assert "users add" in out and "--role admin" in out


def test_users_add_passwd_disable_list_from_the_command_line(tmp_path):
    db = tmp_path / "m.duckdb"
    run_cli("init", db=db, check=True)
    import subprocess, sys, os
    from conftest import REPO

    def cli(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, input=stdin, text=True,
                              capture_output=True, env={**os.environ, "METRICS_DB": str(db)})

    assert cli("users", "add", "王五", "--role", "viewer", stdin="goodpass1\n").returncode == 0
    assert cli("users", "add", "王五", stdin="goodpass1\n").returncode == 1
    assert cli("users", "passwd", "王五", stdin="newpass22\n").returncode == 0
    assert cli("users", "disable", "王五").returncode == 0
    users = json.loads(cli("users", "list", "--json").stdout)
    assert users == [{**users[0], "name": "王五", "role": "viewer", "disabled": True}]
    weak = cli("users", "add", "赵六", stdin="weak\n")
    assert weak.returncode == 1 and "密码" in weak.stderr and "Traceback" not in weak.stderr


@pytest.mark.parametrize("role,action,allowed", [
    ("viewer", "upload", False), ("viewer", "targets", False), ("viewer", "undo_own", False),
    ("editor", "upload", True), ("editor", "undo_own", True), ("editor", "undo_any", False),
    ("editor", "targets", False), ("editor", "locks", False), ("editor", "accounts", False),
    ("admin", "undo_any", True), ("admin", "targets", True), ("admin", "locks", True),
])
def test_roles_grant_exactly_their_permissions(role, action, allowed):
    actor = auth.Actor("某人", role)
    if allowed:
        auth.require(actor, action)
    else:
        with pytest.raises(auth.PermissionDenied, match="无权"):
            auth.require(actor, action)


def test_nobody_signed_in_is_told_to_sign_in():
    with pytest.raises(auth.PermissionDenied, match="登录"):
        auth.require(None, "upload")


def test_account_changes_are_audited_without_the_password(empty_store):
    admin = auth.Actor("管理员", "admin")
    empty_store.save_user("张三", by=admin, password_hash=auth.hash_password("secret123"), role="editor", create=True)
    empty_store.save_user("张三", by=admin, role="admin")
    with pytest.raises(auth.PermissionDenied):
        empty_store.save_user("张三", by=auth.Actor("张三", "editor"), role="admin")
    log = empty_store.audit_log()
    assert list(log.action) == ["user_change", "user_add"]
    assert json.loads(log.iloc[0].before)["role"] == "editor"
    assert json.loads(log.iloc[0].after)["role"] == "admin"
    assert "$argon2" not in "".join(log.after.fillna(""))
