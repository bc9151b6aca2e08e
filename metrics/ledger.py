"""The rectification ledger's progress: problems and measures by status, and whether the report's
own summary count agrees with its list. Every screen, the command line and the exports count it
here, from the store's ledger (`Store.ledger()`)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

DONE = "done"


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
        total=len(problems), done=int((problems["status"] == DONE).sum()),
        measures=len(measures), measures_done=int((measures["status"] == DONE).sum()),
        summary_done=int(summary["summary_done"]), summary_in_progress=int(summary["summary_in_progress"]),
        report_date=str(summary.get("report_date", "")))


def measures_done(measures: pd.DataFrame, problem_id: str) -> tuple[int, int]:
    """(done, listed) measures of one problem."""
    listed = measures[measures["problem_id"] == problem_id]
    return int((listed["status"] == DONE).sum()), len(listed)
