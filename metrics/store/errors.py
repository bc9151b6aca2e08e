"""What can go wrong in the store, in words a user can act on (Chinese), whatever the engine."""
from __future__ import annotations

import errno


class StoreError(Exception):
    """A problem a user can act on; the message is in Chinese."""


class StoreBusy(StoreError):
    """The database is held by another program, or too many people write the same figures at once."""


class StoreCorrupt(StoreError):
    """The database cannot be read: damaged, or not a database at all."""


class DiskFull(StoreError):
    """The disk the data is written to is full; nothing was written."""


class StaleEdit(StoreError):
    """Someone else changed the thing being edited since it was shown; nothing was written."""


class PeriodLocked(StoreError):
    """Figures for a month already reported upward, refused or missing a reason."""


class WriteConflict(Exception):
    """Another writer committed to the same rows first (PostgreSQL); the write is tried again."""


def storage_failure(exc: BaseException) -> StoreError:
    """A failed write in words a user can act on; the transaction has been rolled back."""
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in str(exc) or "could not extend" in str(exc):
        return DiskFull("服务器磁盘空间已满，本次没有写入任何数据，已有数据不受影响。"
                          "请清理服务器磁盘或联系维护人员扩容后重试。")
    return StoreError(f"写入失败（{exc}），本次没有写入任何数据，已有数据不受影响。"
                      "请稍后重试；如反复出现，请运行 `python -m metrics health` 检查。")


def corrupt_message(location: str, exc: BaseException) -> str:
    return (f"数据库 {location} 无法打开，可能已损坏（{type(exc).__name__}）。"
            f"请先把该文件改名保留，再用 `python -m metrics restore 备份目录` 从最近的备份恢复，"
            f"或用 `python -m metrics init` 新建数据库后重新导入上传存档。")
