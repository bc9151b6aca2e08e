"""Accounts and roles. The store's write functions take an `Actor` and check it themselves,
so no path (page, command line, script) can change a figure without the right role."""
from __future__ import annotations

import getpass
import re
import secrets
import socket
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("viewer", "editor", "reviewer", "admin")
ROLE_LABELS = {"viewer": "查看（区领导）", "editor": "填报（统计员）", "reviewer": "审核", "admin": "管理员"}
MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
# Failed sign-ins slow the next attempt down instead of locking the account, so nobody can lock an
# administrator out by typing wrong passwords. From one client, each failure on an account after
# the third doubles the wait (1 s, 2 s, 4 s … up to 5 minutes): guessing from there is hopeless.
# Failures from all clients together slow an attack spread over many machines, after ten of them,
# by up to half a minute; that wait applies only to clients that have failed on the account
# themselves, so the real user's first attempt from their own machine always goes through.
CLIENT_FREE_FAILURES, CLIENT_MAX_WAIT = 3, 300.0
ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_WAIT = 10, 30.0

# What each role may do; viewers browse and export, which needs no permission.
PERMISSIONS = {
    "upload": {"editor", "admin"},
    "explain": {"editor", "admin"},
    "undo_own": {"editor", "admin"},
    "undo_any": {"admin"},
    "targets": {"admin"},
    "locks": {"admin"},
    "override_lock": {"admin"},
    "accounts": {"admin"},
    "catalogue": {"admin"},
    "entities": {"admin"},
    "tasks": {"admin"},
    "report_for_others": {"admin"},
    "reminders": {"admin"},
    # 审核: a reviewer browses like a viewer and approves or rejects uploads waiting for review.
    "review": {"reviewer", "admin"},
    "review_mode": {"admin"},
    # The ledger's lead units edit their own problems too (metrics.ledger.edit_problem).
    "ledger": {"admin"},
}
ACTION_LABELS = {
    "upload": "上传数据", "explain": "填写情况说明", "undo_own": "撤销本人的上传", "undo_any": "撤销他人的上传", "targets": "修改目标",
    "locks": "锁定或解锁月份", "override_lock": "向已锁定月份上传", "accounts": "管理账户", "catalogue": "修改指标目录",
    "entities": "管理主体（新建、改名、合并、别名、删除）",
    "tasks": "修改填报任务（责任部门、填报人、截止日）", "report_for_others": "填报或撤销他人负责的指标",
    "reminders": "设置催报渠道和发送催报",
    "review": "审核上传的数据（通过或退回）", "review_mode": "开启或关闭上传审核",
    "ledger": "修改整改台账（状态、牵头单位、责任领导、完成时限、佐证材料）",
}

_hasher = PasswordHasher()


class PermissionDenied(Exception):
    """The message is in Chinese and says who may do it instead."""


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    # Where the request came from, for the audit log: "网页 10.0.0.5" or "命令行 root@server".
    origin: str = field(default="", compare=False)

    def can(self, action: str) -> bool:
        return self.role in PERMISSIONS[action]


def require(actor: Actor | None, action: str) -> None:
    if actor is None:
        raise PermissionDenied(f"{ACTION_LABELS[action]}需要先登录。请在左侧登录后再试。")
    if not actor.can(action):
        allowed = "、".join(ROLE_LABELS[r] for r in ROLES if r in PERMISSIONS[action])
        raise PermissionDenied(
            f"账户“{actor.name}”的角色是{ROLE_LABELS.get(actor.role, actor.role)}，无权{ACTION_LABELS[action]}；"
            f"只有{allowed}可以。如需权限，请联系管理员。")


def command_line_origin() -> str:
    """The operating-system account and host a command runs as, recorded beside the tracker account."""
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "unknown"
    return f"命令行 {login}@{socket.gethostname()}"


@dataclass(frozen=True)
class RecentFailures:
    """Failed sign-ins on one account within the last quarter hour, and seconds since the latest."""
    from_client: int
    since_client: float
    on_account: int
    since_account: float


def sign_in_wait(recent: RecentFailures) -> float:
    """Seconds still to wait before the next attempt on the account from the client (see the constants)."""
    def doubling(failures: int, free: int, cap: float) -> float:
        return 0.0 if failures < free else min(2.0 ** (failures - free), cap)

    client = doubling(recent.from_client, CLIENT_FREE_FAILURES, CLIENT_MAX_WAIT) - recent.since_client
    account = 0.0
    if recent.from_client:
        account = doubling(recent.on_account, ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_WAIT) - recent.since_account
    return max(client, account, 0.0)


def hash_password(password: str, name: str) -> str:
    problem = password_problem(password, name)
    if problem:
        raise ValueError(problem)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash (an unknown or disabled account) a stand-in hash is
    checked anyway, so both answers take as long as a wrong password does."""
    try:
        return _hasher.verify(password_hash or _stand_in_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _stand_in_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


def _is_run(text: str) -> bool:
    """Three or more characters along the keyboard or the alphabet (either way), or one repeated."""
    if len(text) < 3:
        return False
    return len(set(text)) == 1 or any(text in row or text in row[::-1] for row in _KEYBOARD_ROWS)


def password_problem(password: str, name: str = "") -> str | None:
    """Why a password is too easy to guess, in Chinese; None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。"
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return "密码需同时包含字母和数字。"
    lowered = password.lower()
    if name.strip() and name.strip().lower() in lowered:
        return "密码不能包含用户名。"
    # "Password1", "admin2023!" and "woaini1314abc": nothing but common words and runs, with digits
    # or signs between them.
    words = re.findall(r"[a-z]+", lowered)
    if (lowered in _common_passwords() or _is_run(lowered)
            or all(word in _common_passwords() or _is_run(word) for word in words)):
        return "密码太常见或太有规律（如 password1、qwerty123、12345678abc），容易被猜中。请换一个不常见的密码。"
    return None


def name_problem(name: str) -> str | None:
    if not name or not name.strip() or len(name) > 40 or any(c in name for c in "<>&\"'\n\r\t"):
        return "用户名需为 1–40 个字符，且不能包含 < > & 引号或换行。"
    return None
