"""The indicator catalogue, targets, report figures and ledger, read from the TOML files in data/
(or the folder METRICS_CATALOG_DIR names).

These files are the reviewable source of truth; `init` loads them into the store.
"""
from __future__ import annotations

import ast
import os
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The catalogue, targets, report figures and ledger may be read from another folder holding the
# same four TOML files (a zone's own catalogue, or a test's copy with an indicator added).
CATALOG_DIR = Path(os.environ.get("METRICS_CATALOG_DIR") or DATA_DIR)
ZONE = "XX经济开发区"
RANK_UNIT = "位"  # a place in a ranking


# The vocabularies the TOML files, the database and `--json` write as plain strings. A StrEnum member
# equals its string, so stored values stay strings while code compares against names, not literals.
class IndicatorKind(StrEnum):
    FLOW = "flow"        # a month's amount; 累计 adds the months up
    LEVEL = "level"      # a month-end stock or rate
    DERIVED = "derived"  # computed from other indicators by its formula, never uploaded


class Direction(StrEnum):
    HIGHER = "higher"  # more is better
    LOWER = "lower"    # less is better (ranks, debt)
    NEUTRAL = "neutral"


class TargetKind(StrEnum):
    ANNUAL = "annual"      # a flow's total for the year
    GROWTH = "growth"      # 增长 X% on last year's same period
    YEAR_END = "year_end"  # a level to reach by December
    FLOOR = "floor"        # every month at least
    CEILING = "ceiling"    # every month at most


class EntityKind(StrEnum):
    ZONE = "zone"
    ENTERPRISE = "enterprise"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    name_en: str
    unit: str
    category: str
    kind: IndicatorKind
    direction: Direction
    decimals: int
    is_count: bool
    may_be_negative: bool
    definition: str
    problems: tuple[str, ...] = ()
    formula: str = ""

    @property
    def is_rank(self) -> bool:
        """A place in a ranking (unit 位): smaller is better, judged and drawn upside down."""
        return self.unit == RANK_UNIT

    @cached_property  # read for every month of every derived figure; the formula never changes
    def inputs(self) -> tuple[str, ...]:
        """The indicator codes a derived indicator's formula reads."""
        if not self.formula:
            return ()
        names = [n.id for n in ast.walk(ast.parse(self.formula, mode="eval")) if isinstance(n, ast.Name)]
        return tuple(dict.fromkeys(names))

    def as_dict(self) -> dict:
        return {
            "code": self.code, "name": self.name, "name_en": self.name_en, "unit": self.unit,
            "category": self.category, "kind": self.kind, "direction": self.direction,
            "decimals": self.decimals, "is_count": self.is_count,
            "may_be_negative": self.may_be_negative, "definition": self.definition,
            "problems": list(self.problems), "formula": self.formula,
        }


@dataclass(frozen=True)
class Category:
    name: str
    name_en: str


@dataclass(frozen=True)
class Target:
    indicator: str
    year: int
    kind: TargetKind
    value: float
    source: str
    illustrative: bool
    entity: str = ZONE
    value_max: float | None = None
    phasing: tuple[float, ...] | None = None


@dataclass(frozen=True)
class ReportFigure:
    indicator: str
    entity: str
    year: int
    scope: str
    value: float
    unit: str
    section: str
    phrase: str
    value_text: str = ""


@dataclass(frozen=True)
class Measure:
    ordinal: str
    text: str
    status: str


@dataclass(frozen=True)
class LedgerProblem:
    id: str
    section: str
    title: str
    status: str
    lead_unit: str
    deadline: str
    measures: tuple[Measure, ...] = field(default=())


@dataclass(frozen=True)
class Ledger:
    report_date: str
    summary_done: int
    summary_in_progress: int
    summary_source: str
    problems: tuple[LedgerProblem, ...]


def _read(name: str) -> dict:
    with open(CATALOG_DIR / name, "rb") as f:
        return tomllib.load(f)


@cache
def indicators() -> dict[str, Indicator]:
    """Every indicator, keyed by code, in catalogue order."""
    out = {}
    for row in _read("catalog.toml")["indicator"]:
        row = dict(row, problems=tuple(row.get("problems", ())), kind=IndicatorKind(row["kind"]),
                   direction=Direction(row["direction"]))
        out[row["code"]] = Indicator(**row)
    return out


@cache
def categories() -> tuple[Category, ...]:
    return tuple(Category(**row) for row in _read("catalog.toml")["category"])


def indicator(code: str) -> Indicator:
    return indicators()[code]


@cache
def targets() -> tuple[Target, ...]:
    out = []
    for row in _read("targets.toml")["target"]:
        row = dict(row, kind=TargetKind(row["kind"]))
        if "phasing" in row:
            row = dict(row, phasing=tuple(row["phasing"]))
        out.append(Target(**row))
    return tuple(out)


def parse_phasing(text: str) -> tuple[float, ...] | None:
    """A phasing typed as 12 cumulative percentages ("4, 9, 16, …, 100"); None when left empty.
    Raises ValueError in Chinese when it is not 12 rising figures ending at 100."""
    parts = [p for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    if not parts:
        return None
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"分月进度“{text}”中有不是数字的内容，请填写 12 个累计百分比。") from None
    if len(values) != 12 or any(b < a for a, b in zip(values, values[1:])) or values[-1] != 100:
        raise ValueError("分月进度应为 12 个逐月不减的累计百分比，最后一个为 100。")
    return values


@cache
def report_figures() -> tuple[ReportFigure, ...]:
    return tuple(ReportFigure(**row) for row in _read("report_figures.toml")["figure"])


@cache
def ledger() -> Ledger:
    raw = _read("ledger.toml")
    problems = tuple(
        LedgerProblem(
            id=p["id"], section=p["section"], title=p["title"], status=p["status"],
            lead_unit=p.get("lead_unit", ""), deadline=p.get("deadline", ""),
            measures=tuple(Measure(**m) for m in p["measure"]),
        )
        for p in raw["problem"]
    )
    return Ledger(raw["report_date"], raw["summary_done"], raw["summary_in_progress"],
                  raw["summary_source"], problems)

