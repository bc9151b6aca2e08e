"""开发区指标跟踪 — `streamlit run app.py`. Pages live in metrics/ui/pages; logic in metrics/."""
from pathlib import Path

import streamlit as st

from metrics.ui import common
from metrics.ui.common import t

PAGES = Path(__file__).resolve().parent / "metrics" / "ui" / "pages"

# The sidebar holds only the language switch, so it starts collapsed and the overview gets the
# screen's full width.
st.set_page_config(page_title=t("app_title"), page_icon=":material/monitoring:", layout="wide",
                   initial_sidebar_state="collapsed")
common.language_switch()


def page(file: str, title_key: str, icon: str, **kwargs) -> st.Page:
    return st.Page(f"metrics/ui/pages/{file}", title=t(title_key), icon=icon,
                   url_path=file.removesuffix(".py"), **kwargs)


# In the top bar a one-page group would be a dropdown holding a single link, so the 总览 and 整改
# groups are plain links (the untitled section) and only the larger groups drop down.
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
# The upload and export pages belong to other work in progress: listed once their files exist.
data_pages = [page(file, key, icon) for file, key, icon in
              (("upload.py", "page_upload", ":material/upload_file:"),
               ("export.py", "page_export", ":material/slideshow:"))
              if (PAGES / file).exists()]
if data_pages:
    sections[t("section_data")] = data_pages
st.navigation(sections, position="top").run()
