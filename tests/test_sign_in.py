"""Sign-in: right password in, wrong ones counted, and a lockout after repeated failures."""
import pytest

from metrics import auth, tracker


@pytest.fixture
def store_with_editor(empty_store):
    empty_store.save_user("张三", by=auth.Actor("管理员", "admin"), password_hash=auth.hash_password("secret123"),
                          role="editor", create=True)
    return empty_store


def test_the_right_password_signs_in_with_the_accounts_role(store_with_editor):
    actor = tracker.sign_in(store_with_editor, "张三", "secret123")
    assert actor == auth.Actor("张三", "editor")
    assert store_with_editor.audit_log().action.iloc[0] == "sign_in"


def test_a_wrong_password_is_refused_and_counted(store_with_editor):
    with pytest.raises(auth.PermissionDenied, match="不正确"):
        tracker.sign_in(store_with_editor, "张三", "wrong1234")
    assert store_with_editor.recent_failed_sign_ins("张三", 15) == 1


def test_five_failures_lock_the_account_even_against_the_right_password(store_with_editor):
    for _ in range(auth.MAX_FAILED_SIGN_INS):
        with pytest.raises(auth.PermissionDenied):
            tracker.sign_in(store_with_editor, "张三", "wrong1234")
    with pytest.raises(auth.PermissionDenied, match="锁定"):
        tracker.sign_in(store_with_editor, "张三", "secret123")


def test_a_success_resets_the_failure_count(store_with_editor):
    for _ in range(auth.MAX_FAILED_SIGN_INS - 1):
        with pytest.raises(auth.PermissionDenied):
            tracker.sign_in(store_with_editor, "张三", "wrong1234")
    tracker.sign_in(store_with_editor, "张三", "secret123")
    assert store_with_editor.recent_failed_sign_ins("张三", 15) == 0


def test_a_disabled_account_cannot_sign_in(store_with_editor):
    store_with_editor.save_user("张三", by=auth.Actor("管理员", "admin"), disabled=True)
    with pytest.raises(auth.PermissionDenied):
        tracker.sign_in(store_with_editor, "张三", "secret123")
