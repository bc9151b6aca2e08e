"""Snapshot tests, in the way great-tables keeps them: what a function returns is stored as JSON under
tests/__snapshots__/ and later runs must return the same data. The stored file is parsed and compared
as data, never as text, so that key order or float spelling in the file cannot make a test fail.

After a deliberate change, rewrite the snapshots and review their diff before committing:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py
"""
import json
import math
import os
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "__snapshots__"
SHOWN_DIFFERENCES = 12


def as_json_data(value):
    """The value as plain JSON data (dicts, lists, strings, numbers, None): NaN, as pandas writes a
    missing figure, becomes None, which is how JSON says it."""
    if isinstance(value, dict):
        return {str(k): as_json_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json_data(v) for v in value]
    if hasattr(value, "item"):  # a numpy scalar out of a DataFrame
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def readable_json(value, indent: str = "") -> str:
    """JSON with one key a line and each list of plain values (a series, a table row) on one line,
    so that a snapshot's diff shows which series or row changed."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {readable_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + readable_json(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False)


def differences(stored, current, where: str = "") -> list[str]:
    """Where the two differ, as paths into the data: "slides[3].charts[0].data.bars.2023年[2]: 98.1 → 97.0"."""
    if isinstance(stored, dict) and isinstance(current, dict):
        found = []
        for key in [*stored, *(k for k in current if k not in stored)]:
            path = f"{where}.{key}" if where else str(key)
            if key not in current:
                found.append(f"{path}: no longer there")
            elif key not in stored:
                found.append(f"{path}: new")
            else:
                found += differences(stored[key], current[key], path)
        return found
    if isinstance(stored, list) and isinstance(current, list):
        found = [f"{where}: {len(stored)} items → {len(current)}"] if len(stored) != len(current) else []
        for index, (old, new) in enumerate(zip(stored, current)):
            found += differences(old, new, f"{where}[{index}]")
        return found
    return [] if stored == current else [f"{where}: {stored!r} → {current!r}"]


def assert_matches_snapshot(name: str, value) -> None:
    """`value` equals the data stored as tests/__snapshots__/<name>.json; with UPDATE_SNAPSHOTS=1 the
    file is rewritten from `value` first."""
    path = SNAPSHOTS / f"{name}.json"
    current = as_json_data(value)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        if os.environ.get("CI") == "true":
            pytest.fail("UPDATE_SNAPSHOTS=1 rewrites the snapshots: run it on a developer's machine, not in CI")
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(readable_json(current) + "\n", encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path.name} is missing from {SNAPSHOTS}: write it with UPDATE_SNAPSHOTS=1 and review it")
    stored = json.loads(path.read_text(encoding="utf-8"))
    found = differences(stored, current)
    shown = "\n".join(found[:SHOWN_DIFFERENCES]) + (f"\n… and {len(found) - SHOWN_DIFFERENCES} more"
                                                     if len(found) > SHOWN_DIFFERENCES else "")
    assert not found, (f"differs from {path.name} (stored → now):\n{shown}\n"
                       "If the change is intended, rewrite the snapshot with UPDATE_SNAPSHOTS=1 and review its diff.")
