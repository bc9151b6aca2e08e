"""The audit log as a hash chain: each event's hash covers its content and the previous event's
hash, so deleting or editing any event breaks every link after it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

GENESIS_HASH = "0" * 64  # the link before the audit log's first event


def event_hash(prev_hash: str, seq: int, occurred_at: dt.datetime, user: str, action: str, subject: str,
                before: str | None, after: str | None, origin: str) -> str:
    """One link of the audit log's chain: each event's hash covers its content and the previous hash,
    so deleting or editing any event breaks every link after it."""
    content = json.dumps([seq, occurred_at.isoformat(timespec="microseconds"), user, action, subject, before, after,
                          origin], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()
