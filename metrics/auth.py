"""Accounts and roles. The store's write functions take an `Actor` and check it themselves,
so no path (page, command line, script) can change a figure without the right role."""
from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("viewer", "editor", "admin")
ROLE_LABELS = {"viewer": "查看（区领导）", "editor": "填报（统计员）", "admin": "管理员"}
MAX_FAILED_SIGN_INS = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD_LENGTH = 8

# What each role may do; viewers browse and export, which needs no permission.
PERMISSIONS = {
    "upload": {"editor", "admin"},
    "undo_own": {"editor", "admin"},
    "undo_any": {"admin"},
    "targets": {"admin"},
    "locks": {"admin"},
    "override_lock": {"admin"},
    "accounts": {"admin"},
    "catalogue": {"admin"},
}
ACTION_LABELS = {
    "upload": "上传数据", "undo_own": "撤销本人的上传", "undo_any": "撤销他人的上传", "targets": "修改目标",
    "locks": "锁定或解锁月份", "override_lock": "向已锁定月份上传", "accounts": "管理账户", "catalogue": "修改指标目录",
}

_hasher = PasswordHasher()


class PermissionDenied(Exception):
    """The message is in Chinese and says who may do it instead."""


@dataclass(frozen=True)
class Actor:
    name: str
    role: str

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


def command_line_actor(name: str | None = None) -> Actor:
    """Whoever has a shell on the server administers it; --user records who they are."""
    return Actor(name or f"命令行:{_login_name()}", "admin")


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。"
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return "密码需同时包含字母和数字。"
    return None


def name_problem(name: str) -> str | None:
    if not name or not name.strip() or len(name) > 40 or any(c in name for c in "<>&\"'\n\r\t"):
        return "用户名需为 1–40 个字符，且不能包含 < > & 引号或换行。"
    return None
