"""The rectification ledger's progress: problems and measures by status, and whether the report's
own summary count agrees with its list. Every screen, the command line and the exports count it
here, from the store's ledger (`Store.ledger()`).

And the rules of editing it, pure, which the store asks inside its write transactions: who may
edit a problem (an administrator, or an account of its lead unit), what a status and a deadline
may be, when a problem may be closed (销号), and which measures are overdue.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from . import catalog
from .auth import Actor
from .periods import split_period



class LedgerStatus(StrEnum):
    """A problem's or a measure's status, as the ledger file, the database and `--json` write it."""
    DONE = "done"
    IN_PROGRESS = "in_progress"


STATUS_LABELS = {LedgerStatus.DONE: "已整改完成", LedgerStatus.IN_PROGRESS: "正在推进"}
# A lead unit may name several units: 经发局、招商局.
UNIT_SEPARATORS = re.compile(r"[、,，;；/ ]+")


@dataclass(frozen=True)
class LedgerProgress:
    total: int              # problems listed
    done: int               # problems listed as 已整改完成
    measures: int
    measures_done: int
    summary_done: int       # what the report's summary says
    summary_in_progress: int
    report_date: str = ""

    @property
    def in_progress(self) -> int:
        return self.total - self.done

    @property
    def measures_open(self) -> int:
        return self.measures - self.measures_done

    @property
    def summary_disagrees(self) -> bool:
        return (self.summary_done, self.summary_in_progress) != (self.done, self.in_progress)

    def disagreement(self) -> str:
        """The disagreement in Chinese, as the report's readers must see it; empty when none."""
        if not self.summary_disagrees:
            return ""
        return (f"报告汇总称已整改完成{self.summary_done}个、正在推进{self.summary_in_progress}个，"
                f"但报告逐项列出的为已整改完成{self.done}个、正在推进{self.in_progress}个；本台账按逐项清单记录，未作调整。")

    def counts(self) -> dict[str, int]:
        """The numbers by name, for message templates."""
        return {"total": self.total, "done": self.done, "in_progress": self.in_progress,
                "measures": self.measures, "measures_done": self.measures_done,
                "measures_open": self.measures_open, "summary_done": self.summary_done,
                "summary_in_progress": self.summary_in_progress}


def progress(summary: dict, problems: pd.DataFrame, measures: pd.DataFrame) -> LedgerProgress:
    """Progress from `Store.ledger()`'s (summary, problems, measures)."""
    return LedgerProgress(
        total=len(problems), done=int((problems["status"] == LedgerStatus.DONE).sum()),
        measures=len(measures), measures_done=int((measures["status"] == LedgerStatus.DONE).sum()),
        summary_done=int(summary["summary_done"]), summary_in_progress=int(summary["summary_in_progress"]),
        report_date=str(summary.get("report_date", "")))


def measures_done(measures: pd.DataFrame, problem_id: str) -> tuple[int, int]:
    """(done, listed) measures of one problem."""
    listed = measures[measures["problem_id"] == problem_id]
    return int((listed["status"] == LedgerStatus.DONE).sum()), len(listed)


def item_name(problem_id: str, measure_no: int) -> str:
    """How messages and the audit log name a problem (measure 0) or one of its measures."""
    return problem_id if measure_no == 0 else f"{problem_id} 第{measure_no}项措施"


def status_problem(status: str) -> str | None:
    if status not in tuple(LedgerStatus):
        return f"状态“{status}”无效，应为 done（已整改完成）或 in_progress（正在推进）。"
    return None


def parse_deadline(text: str) -> str:
    """A deadline as typed: YYYY-MM-DD, or YYYY-MM (by that month's end), or empty for none.
    Raises ValueError in Chinese."""
    text = text.strip()
    if not text:
        return ""
    if re.fullmatch(r"\d{4}-\d{2}", text) and 1 <= split_period(text)[1] <= 12:
        return text
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(f"完成时限“{text}”无效，应写作 YYYY-MM-DD（例如 2023-06-30），或 YYYY-MM 表示当月底前。")


def deadline_day(deadline: str) -> dt.date | None:
    """The last day a deadline allows: the day itself, or a month's last day; None when none is set."""
    if not deadline:
        return None
    if len(deadline) == 7:
        year, month = split_period(deadline)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date.fromisoformat(deadline)


def overdue(measures: pd.DataFrame, today: dt.date) -> pd.Series:
    """Whether each measure is overdue: its deadline (or its problem's) has passed and it is not done."""
    return pd.Series([status != LedgerStatus.DONE and (day := deadline_day(deadline)) is not None and today > day
                      for status, deadline in zip(measures["status"], measures["deadline"])],
                     index=measures.index, dtype=bool)


def units(lead_unit: str) -> set[str]:
    return {u for u in UNIT_SEPARATORS.split(lead_unit.strip()) if u}


def departments(user: str, tasks: pd.DataFrame) -> set[str]:
    """The departments an account belongs to: those whose 填报任务 name it as an editor (metrics.tasks)."""
    return {t.department for t in tasks.itertuples(index=False) if user in t.editors}


def edit_problem(actor: Actor | None, item: str, lead_unit: str, member_of: set[str],
                 sets_lead_unit: bool) -> str | None:
    """Why `actor` may not edit a ledger item (`item`, as `item_name` gives it) whose lead unit is
    `lead_unit`, in Chinese; None when they may. Administrators edit every item; an account of the
    lead unit (`member_of`: its departments) edits its status, leader, deadline, indicators and
    evidence, but only an administrator assigns or moves the lead unit itself."""
    if actor is None:
        return "修改整改台账需要先登录。请在左侧登录后再试。"
    if actor.can("ledger"):
        return None
    if sets_lead_unit:
        return f"账户“{actor.name}”不是管理员，不能指定或调整{item}的牵头单位，本次没有做任何改动。请联系管理员。"
    if not lead_unit:
        return f"{item}尚未指定牵头单位，目前只有管理员可以修改，本次没有做任何改动。请联系管理员先指定牵头单位。"
    if units(lead_unit) & member_of:
        return None
    belongs = f"所属部门为{'、'.join(sorted(member_of))}" if member_of else "不属于任何部门"
    return (f"账户“{actor.name}”{belongs}（按填报任务），不是{item}的牵头单位“{lead_unit}”，不能修改它，"
            "本次没有做任何改动。如需调整，请联系管理员。")


def closing_problem(problem_id: str, measures: pd.DataFrame) -> str | None:
    """Why a problem cannot be closed (销号) yet, naming each measure and what it lacks; None when
    every measure is done and has evidence. measures: the problem's, with status and evidence (a count)."""
    lacking = []
    for m in measures.itertuples(index=False):
        missing = ([] if m.status == LedgerStatus.DONE else ["尚未完成"]) + ([] if m.evidence else ["没有佐证材料"])
        if missing:
            lacking.append(f"第{m.measure_no}项措施（{m.ordinal}）{'、'.join(missing)}")
    if not lacking:
        return None
    return (f"{problem_id} 还不能销号：{'；'.join(lacking)}。请先把这些措施标为已完成并上传佐证材料，"
            "本次没有做任何改动。")


def indicators_problem(codes) -> str | None:
    unknown = [c for c in codes if c not in catalog.indicators()]
    if unknown:
        return f"没有指标编码“{'、'.join(unknown)}”。用 `python -m metrics catalog` 查看全部指标。"
    return None
