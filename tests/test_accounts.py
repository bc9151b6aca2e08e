"""Accounts: salted hashes, roles checked in the core, no default password, and an audit trail."""
import json

import pytest

from conftest import ADMIN, PASSWORD, add_account, run_cli
from metrics import auth


def test_passwords_are_stored_as_salted_argon2_hashes(empty_store):
    add_account(empty_store, "张三", "editor")
    stored = empty_store.user_record("张三")["password_hash"]
    assert stored.startswith("$argon2") and PASSWORD not in stored
    assert auth.hash_password(PASSWORD, "张三") != stored  # a fresh salt every time
    assert auth.verify_password(stored, PASSWORD)
    assert not auth.verify_password(stored, PASSWORD + "x")


@pytest.mark.parametrize("password", [
    "short1a", "onlyletterslong", "1234567890123", "password1", "Password123!", "qwerty12345", "1qaz2wsx3edc",
    "woaini1314abc", "admin2024!!", "zhangsan2023", "aaaaaaaaaa11", "abcdefgh123"])
def test_short_plain_common_or_name_bearing_passwords_are_refused_in_chinese(password):
    problem = auth.password_problem(password, "zhangsan")
    assert problem and "密码" in problem


@pytest.mark.parametrize("password", ["Kf8t2mQz1p", "xiaoming-7Qd2", "tongji2023!x", "三月月报Vx9k2a"])
def test_uncommon_passwords_are_accepted(password):
    assert auth.password_problem(password, "zhangsan") is None


def test_a_fresh_install_has_no_account_and_says_how_to_create_the_first_admin(tmp_path):
    db = tmp_path / "m.duckdb"
    run_cli("init", db=db, check=True)
    out = run_cli("users", "list", db=db, check=True).stdout
    assert "users add" in out and "--role admin" in out


def test_the_first_administrator_is_created_from_the_shell_and_then_manages_the_others(tmp_path):
    db = tmp_path / "m.duckdb"
    run_cli("init", db=db, check=True)

    def cli(*args, stdin="", user=None):
        return run_cli(*args, db=db, user=user, stdin=stdin)

    first = cli("users", "add", "张主任", "--role", "admin", stdin=PASSWORD + "\n")
    assert first.returncode == 0, first.stderr
    # Once an administrator exists, account changes name the administrator making them.
    refused = cli("users", "add", "王五", "--role", "viewer", stdin=PASSWORD + "\n")
    assert refused.returncode == 1 and "--user" in refused.stderr
    assert cli("users", "add", "王五", "--role", "viewer", stdin=PASSWORD + "\n", user="张主任").returncode == 0
    assert cli("users", "add", "王五", stdin=PASSWORD + "\n", user="张主任").returncode == 1
    assert cli("users", "passwd", "王五", stdin="Nw7pLq2xZr\n", user="张主任").returncode == 0
    viewer = cli("users", "disable", "张主任", user="王五")
    assert viewer.returncode == 1 and "无权管理账户" in viewer.stderr
    assert cli("users", "disable", "王五", user="张主任").returncode == 0
    users = {u["name"]: u for u in json.loads(cli("users", "list", "--json").stdout)}
    assert users["王五"]["role"] == "viewer" and users["王五"]["disabled"] is True
    weak = cli("users", "add", "赵六", stdin="weak\n", user="张主任")
    assert weak.returncode == 1 and "密码" in weak.stderr and "Traceback" not in weak.stderr
    log = run_cli("users", "list", db=db, user=None)
    assert log.returncode == 0


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
    admin = auth.Actor(ADMIN, "admin")
    add_account(empty_store, "张三", "editor")
    empty_store.save_user("张三", by=admin, role="admin")
    with pytest.raises(auth.PermissionDenied):
        empty_store.save_user("张三", by=auth.Actor("张三", "editor"), role="admin")
    log = empty_store.audit_log()
    assert list(log.action) == ["user_change", "user_add", "user_add"]  # the test administrator's own first
    assert json.loads(log.iloc[0].before)["role"] == "editor"
    assert json.loads(log.iloc[0].after)["role"] == "admin"
    assert "$argon2" not in "".join(log.after.fillna(""))
