"""填报任务: who reports each indicator for each entity, and by which day of the following month;
and where each task stands for a month (未报, 已报, 逾期, and with review 待审核, 已通过), and whether a
behind indicator still lacks its explanation (情况说明).

data/tasks.toml is the reviewable source; `init` loads it into the store, where an administrator's
edits win from then on. The rules here are pure: the store asks `ownership_problem` inside its
write transactions, and `progress` reads what it needs through the store it is given.
"""
from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pandas as pd

from . import calc, catalog
from .periods import is_period, shift, split_period
from .status import BEHIND

TASKS_FILE = catalog.DATA_DIR / "tasks.toml"


class TaskState(StrEnum):
    """Where a task stands for a month, in stable English for scripts (`tasks --json`), declared in
    the order the progress page lists them."""
    OVERDUE = "overdue"
    MISSING = "missing"
    PENDING_REVIEW = "pending_review"
    REPORTED = "reported"
    APPROVED = "approved"


# The words the office uses.
STATE_LABELS = {TaskState.OVERDUE: "逾期", TaskState.MISSING: "未报", TaskState.PENDING_REVIEW: "待审核",
                TaskState.REPORTED: "已报", TaskState.APPROVED: "已通过"}
STATE_ORDER = tuple(TaskState)  # the late ones first, then those still due, those awaiting review, the rest
# The owner has sent the month's figure (it may still await review): nobody is reminded of it.
SENT_STATES = (TaskState.PENDING_REVIEW, TaskState.REPORTED, TaskState.APPROVED)
SHOWN_OWNERS = 5  # a refusal names this many indicators, then says how many more
EXPLANATION_MAX_CHARACTERS = 300  # each of 原因分析 and 下步措施: a paragraph that fits under a slide's chart
UNEXPLAINED_LABEL = "滞后未说明"


@dataclass(frozen=True)
class Task:
    indicator: str
    department: str
    due_day: int
    entity: str = catalog.ZONE
    editors: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskStatus:
    code: str
    indicator: str
    entity: str
    department: str
    editors: tuple[str, ...]
    due: dt.date
    state: TaskState
    unexplained: bool = False   # behind 序时进度 or its target, with no 情况说明 for the month

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def as_json(self) -> dict:
        return {"code": self.code, "indicator": self.indicator, "entity": self.entity,
                "department": self.department, "editors": list(self.editors), "due": self.due.isoformat(),
                "state": self.state, "label": self.label, "unexplained": self.unexplained}


def task_problem(code: str, department: str, due_day) -> str | None:
    """Why a task cannot be kept, in Chinese; None when it can."""
    ind = catalog.indicators().get(code)
    if ind is None:
        return f"没有指标编码“{code}”。用 `python -m metrics catalog` 查看全部指标。"
    if ind.kind == catalog.IndicatorKind.DERIVED:
        return f"“{ind.name}”是派生指标，由公式计算，不需要填报，不能设置填报任务。"
    if not department.strip():
        return f"请填写“{ind.name}”的责任部门。"
    if not isinstance(due_day, int) or not 1 <= due_day <= 31:
        return f"“{ind.name}”的截止日“{due_day}”无效，应为 1–31 之间的整数（次月几日前报送）。"
    return None


def explanation_problem(code: str, period: str, reason: str, next_steps: str) -> str | None:
    """Why an explanation (原因分析, 下步措施) cannot be kept, in Chinese; None when it can."""
    ind = catalog.indicators().get(code)
    if ind is None:
        return f"没有指标编码“{code}”。用 `python -m metrics catalog` 查看全部指标。"
    if not is_period(period):
        return f"月份“{period}”格式不对，应为 YYYY-MM，例如 2023-04。"
    if not reason and not next_steps:
        return f"请填写“{ind.name}”{period} 的原因分析或下步措施（至少一项）。"
    for label, text in (("原因分析", reason), ("下步措施", next_steps)):
        if len(text) > EXPLANATION_MAX_CHARACTERS:
            return (f"{label}有 {len(text)} 个字，超过 {EXPLANATION_MAX_CHARACTERS} 字的上限。"
                    "请精简为汇报材料中的一段话。")
    return None


@cache
def file_tasks() -> tuple[Task, ...]:
    """The tasks data/tasks.toml gives; a mistake in the file is refused with where it is."""
    with open(TASKS_FILE, "rb") as f:
        rows = tomllib.load(f)["task"]
    out = []
    for position, row in enumerate(rows, 1):
        problem = task_problem(row.get("indicator", ""), row.get("department", ""), row.get("due_day"))
        if problem:
            raise ValueError(f"{TASKS_FILE.name} 第 {position} 个任务：{problem}")
        out.append(Task(**dict(row, editors=tuple(row.get("editors", ())))))
    return tuple(out)


def due_date(period: str, due_day: int) -> dt.date:
    """The day a month's figure is due: `due_day` of the following month, or that month's last day."""
    year, month = split_period(shift(period, 1))
    return dt.date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def task_states(tasks: pd.DataFrame, reported: set[tuple[str, str]], period: str,
                today: dt.date, pending: Collection[tuple[str, str]] = (),
                approved: Collection[tuple[str, str]] = (),
                unexplained: Collection[tuple[str, str]] = frozenset()) -> list[TaskStatus]:
    """Each task's state for `period` as of `today`, the late ones first.

    tasks: the store's (indicator_code, entity, department, due_day, editors); reported: the
    (indicator, entity) pairs holding a figure for the month; pending: those with an upload waiting
    for review (待审核, even beside an earlier figure, since the reviewer has still to act); approved:
    those whose figure a reviewer approved (已通过); unexplained: those behind without an
    explanation. A task is 逾期 from the day after its due date.
    """
    inds = catalog.indicators()
    out = []
    for task in tasks.itertuples(index=False):
        due = due_date(period, int(task.due_day))
        key = (task.indicator_code, task.entity)
        state = (TaskState.PENDING_REVIEW if key in pending else TaskState.APPROVED if key in approved else
                 TaskState.REPORTED if key in reported else TaskState.OVERDUE if today > due else TaskState.MISSING)
        out.append(TaskStatus(task.indicator_code, inds[task.indicator_code].name, task.entity, task.department,
                              tuple(task.editors), due, state, key in unexplained))
    return sorted(out, key=lambda s: STATE_ORDER.index(s.state))  # stable: catalogue order within a state


def progress(store, period: str, today: dt.date | None = None) -> list[TaskStatus]:
    """Every task's state for one month, and which of them are behind without an explanation. A
    figure counts as reported when an upload brought it: the illustrative series is not anyone's
    report."""
    year, _ = split_period(period)
    with store.session():
        tasks = store.tasks()
        # Last year's months too: a growth target and 同比 are judged against them.
        figures = store.observations(entities=sorted(set(tasks["entity"])), since=f"{year - 1}-01")
        targets = store.targets(year)
        explained = store.explanations(period)
        waiting = store.pending_figures(period=period)
        batches = store.batches()
    month = figures[(figures["period"] == period) & ~figures["illustrative"].astype(bool)]
    reported = set(zip(month["indicator_code"], month["entity"]))
    reviewed = set(batches.loc[batches["reviewed_at"].notna() & (batches["review"] == "approved"), "id"])
    approved = {(code, entity) for code, entity, batch in
                zip(month["indicator_code"], month["entity"], month["batch_id"]) if batch in reviewed}
    pending = set(zip(waiting["indicator_code"], waiting["entity"]))
    # Only a reported figure asks for its owner's explanation: nobody explains the illustrative series.
    reporting = figures[figures["entity"].isin({entity for _, entity in reported})]
    unexplained = behind_unexplained(reporting, targets, explained, period) & reported
    return task_states(tasks, reported, period, today or dt.date.today(), pending, approved, unexplained)


def behind_unexplained(figures: pd.DataFrame, targets: pd.DataFrame, explained: pd.DataFrame,
                       period: str) -> set[tuple[str, str]]:
    """The (indicator, entity) pairs whose month's figure is behind (metrics.status: red or amber)
    and that have no explanation for the month."""
    inds = catalog.indicators()
    have = set(zip(explained["indicator_code"], explained["entity"]))
    out = set()
    for entity, held in figures.groupby("entity"):
        assessments, _ = calc.overview(inds, held, targets, entity, period)
        out |= {(a.code, entity) for a in assessments
                if a.status in BEHIND and a.value is not None and (a.code, entity) not in have}
    return out


def ownership_problem(user: str, keys, tasks: pd.DataFrame, doing: str) -> str | None:
    """Why the editor `user` may not write (`doing`: 上传或更正这些数据, 撤销这些数据, …) for these (indicator,
    entity) pairs, in Chinese, naming who reports each; None when they own them all.

    Until some task names an editor, as in a deployment that has assigned nobody yet, every editor
    may write every indicator, as before tasks existed. From then on an editor writes only the
    pairs whose task names them; a pair without a task or without editors is the administrators'.
    """
    if not any(len(editors) for editors in tasks["editors"]):
        return None
    owners = {(t.indicator_code, t.entity): t for t in tasks.itertuples(index=False)}
    inds = catalog.indicators()
    order = {code: position for position, code in enumerate(inds)}
    refused = sorted({(code, entity) for code, entity in keys
                      if user not in getattr(owners.get((code, entity)), "editors", ())},
                     key=lambda key: (order.get(key[0], len(order)), key[1]))
    if not refused:
        return None
    named = []
    for code, entity in refused[:SHOWN_OWNERS]:
        owner = owners.get((code, entity))
        who = ("尚未设置填报任务" if owner is None else
               f"由{owner.department}的{'、'.join(owner.editors)}填报" if owner.editors else
               f"由{owner.department}负责，尚未指定填报人")
        named.append(f"{inds[code].name if code in inds else code}（{entity}，{who}）")
    more = f"等 {len(refused)} 项" if len(refused) > SHOWN_OWNERS else ""
    return (f"账户“{user}”不负责{'；'.join(named)}{more}，不能{doing}，本次没有做任何改动。"
            "请只处理本人负责的指标；如需代报或调整分工，请联系管理员在“填报任务”页面修改。")
