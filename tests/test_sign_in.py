"""Sign-in: the right password in; wrong ones slow the next attempt down from that client (never
a lock someone else can renew), counted atomically, and an unknown name costs what a wrong
password costs."""
import threading
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest

from conftest import PASSWORD, add_account
from metrics import auth, tracker


@pytest.fixture
def store_with_editor(empty_store):
    add_account(empty_store, "张三", "editor")
    return empty_store


def fail(store, client: str = "10.0.0.9", name: str = "张三") -> str:
    with pytest.raises(auth.PermissionDenied) as refused:
        tracker.sign_in(store, name, "Wr0ngGuess42", client=client)
    return str(refused.value)


class CountingHasher:
    """The real argon2 hasher, noting every hash it checks a password against."""

    def __init__(self, real):
        self.real, self.checked = real, []

    def verify(self, stored, password):
        self.checked.append(stored)
        return self.real.verify(stored, password)

    def hash(self, password):
        return self.real.hash(password)


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    counting = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", counting)
    return counting


def time_passes(store, seconds: int) -> None:
    """Move every recorded failure `seconds` into the past, as if the clock had run on."""
    store_path = str(store.path)
    with duckdb.connect(store_path) as con:
        con.execute(f"UPDATE sign_in_throttle SET last_failure_at = last_failure_at - INTERVAL {int(seconds)} SECOND")


def test_the_right_password_signs_in_with_the_accounts_role_and_is_audited(store_with_editor):
    actor = tracker.sign_in(store_with_editor, "张三", PASSWORD, client="10.0.0.9", origin="网页 10.0.0.9")
    assert actor == auth.Actor("张三", "editor")
    event = store_with_editor.audit_log().iloc[0]
    assert (event.action, event.user_name, event.origin) == ("sign_in", "张三", "网页 10.0.0.9")


def test_signing_in_keeps_every_screens_cached_reads_valid_on_each_engine(store_on_each_engine):
    # The pages cache their reads by the data version: a sign-in that moved it made every screen
    # recompute for everyone, after every sign-in. Events that change data still move it.
    store = store_on_each_engine
    before = store.data_version()
    add_account(store, "李四", "editor")
    after_account = store.data_version()
    assert after_account != before
    tracker.sign_in(store, "李四", PASSWORD, client="10.0.0.9")
    fail(store, name="李四")
    assert store.data_version() == after_account
    assert list(store.audit_log().action[:2]) == ["sign_in_failed", "sign_in"]
    assert store.verify() == []


def test_three_wrong_passwords_from_one_client_make_the_fourth_wait(store_with_editor):
    for _ in range(auth.CLIENT_FREE_FAILURES):
        assert "不正确" in fail(store_with_editor)
    assert "秒后再试" in fail(store_with_editor)
    # Even the right password waits: the delay is what makes guessing hopeless.
    with pytest.raises(auth.PermissionDenied, match="秒后再试"):
        tracker.sign_in(store_with_editor, "张三", PASSWORD, client="10.0.0.9")


def test_the_wait_doubles_with_each_failure_and_waiting_it_out_is_enough(store_with_editor):
    for _ in range(auth.CLIENT_FREE_FAILURES):
        fail(store_with_editor)
    for expected_wait in (1, 2, 4, 8):
        assert f"请 {expected_wait} 秒后再试" in fail(store_with_editor)
        time_passes(store_with_editor, expected_wait)
        assert "不正确" in fail(store_with_editor)  # let through, and counted
    time_passes(store_with_editor, 16)
    assert tracker.sign_in(store_with_editor, "张三", PASSWORD, client="10.0.0.9").role == "editor"


def test_nobody_can_lock_the_real_user_out_from_another_machine(store_with_editor):
    for attempt in range(60):
        fail(store_with_editor, client=f"10.0.1.{attempt % 3}")
        time_passes(store_with_editor, 400)  # the attacker waits out every delay
    assert tracker.sign_in(store_with_editor, "张三", PASSWORD, client="10.0.0.77").name == "张三"


def test_a_success_clears_the_count(store_with_editor):
    for _ in range(auth.CLIENT_FREE_FAILURES - 1):
        fail(store_with_editor)
    tracker.sign_in(store_with_editor, "张三", PASSWORD, client="10.0.0.9")
    for _ in range(auth.CLIENT_FREE_FAILURES):
        assert "不正确" in fail(store_with_editor)


def test_forty_guesses_sent_at_once_are_counted_one_by_one(store_with_editor, hasher):
    barrier = threading.Barrier(40)

    def guess(_):
        barrier.wait()
        return fail(store_with_editor, client="10.0.0.66")

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(guess, range(40)))
    assert len(hasher.checked) == auth.CLIENT_FREE_FAILURES
    assert sum("秒后再试" in a for a in answers) == 40 - auth.CLIENT_FREE_FAILURES


def test_an_unknown_or_disabled_name_runs_the_same_password_check_as_a_wrong_password(store_with_editor, hasher):
    unknown = fail(store_with_editor, name="无此人")
    wrong = fail(store_with_editor)
    store_with_editor.save_user("张三", by=auth.Actor("管理员", "admin"), disabled=True)
    with pytest.raises(auth.PermissionDenied) as disabled:
        tracker.sign_in(store_with_editor, "张三", PASSWORD, client="10.0.0.5")
    assert unknown == wrong == str(disabled.value)
    assert len(hasher.checked) == 3 and all(stored.startswith("$argon2") for stored in hasher.checked)
