"""开发区指标跟踪 — `streamlit run app.py`. Pages live in metrics/ui/pages; logic in metrics/."""
from pathlib import Path

import streamlit as st

from metrics.auth import PermissionDenied
from metrics.store import StoreError
from metrics.ui import blocks, reads, session, state
from metrics.ui.state import t

# The page icon is a file of the project's: a Material icon name would load from fonts.gstatic.com,
# which an intranet server cannot reach.
ICON = Path(__file__).parent / "metrics" / "ui" / "static" / "icon.svg"
# The sidebar holds only the language switch, the account box and the health line, so it starts
# collapsed and the overview gets the screen's full width.
st.set_page_config(page_title=t("app_title"), page_icon=str(ICON), layout="wide",
                   initial_sidebar_state="collapsed")


def page(file: str, title_key: str, icon: str, **kwargs) -> st.Page:
    return st.Page(f"metrics/ui/pages/{file}", title=t(title_key), icon=icon,
                   url_path=file.removesuffix(".py"), **kwargs)


def navigation(actor):
    """The pages this actor may open. In the top bar a one-page group would be a dropdown holding a
    single link, so the 总览 and 整改 groups are plain links and only the larger groups drop down."""
    sections = {
        "": [page("overview.py", "page_overview", ":material/dashboard:", default=True),
             page("rectification.py", "page_rectification", ":material/task_alt:")],
        t("section_indicators"): [page("detail.py", "page_detail", ":material/query_stats:"),
                                  page("compare.py", "page_compare", ":material/leaderboard:")],
        t("section_themes"): [page("theme_debt.py", "page_debt", ":material/account_balance:"),
                              page("theme_investment.py", "page_investment", ":material/handshake:"),
                              page("theme_land.py", "page_land", ":material/landscape:"),
                              page("theme_safety.py", "page_safety", ":material/health_and_safety:")],
    }
    # A signed-in viewer (a leader) never sees the upload page; someone not yet signed in does, and
    # is asked to sign in there.
    data_pages = [page("progress.py", "page_progress", ":material/checklist:"),
                  page("export.py", "page_export", ":material/slideshow:")]
    if actor is None or actor.can("upload"):
        data_pages.insert(0, page("upload.py", "page_upload", ":material/upload_file:"))
    if actor is not None and actor.can("review"):
        data_pages.insert(1, page("review.py", "page_review", ":material/fact_check:"))
    sections[t("section_data")] = data_pages
    if actor is not None and actor.can("targets"):
        sections[t("section_admin")] = [page("targets.py", "page_targets", ":material/flag:"),
                                        page("locks.py", "page_locks", ":material/lock:"),
                                        page("entities.py", "page_entities", ":material/domain:"),
                                        page("tasks.py", "page_tasks", ":material/assignment_ind:"),
                                        page("audit.py", "page_audit", ":material/history:")]
    return st.navigation(sections, position="top")


# A refusal the core explains (the database busy or damaged, a permission) is shown in its Chinese
# words on whatever page raised it, never as Streamlit's English error box.
try:
    state.language_switch()
    session.gate()
    reads.health_line()
    blocks.page_style()
    navigation(session.current_actor()).run()
except (StoreError, PermissionDenied) as exc:
    reads.show_problem(exc)
