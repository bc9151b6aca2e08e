"""Nothing leaves the server: on an intranet with no internet, every request a page makes goes to
the app's own host. An administrator (who sees every page) walks the whole navigation in a real
browser while every request of the browser context is recorded."""
import re
import shutil
from urllib.parse import urlsplit

import pytest

from conftest import streamlit_server
from test_browser_accounts import ADMIN_PASSWORD, cli_with_stdin, settle, sign_in

pytestmark = pytest.mark.slow  # Chromium or LibreOffice: not in the fast part

# (top-bar group or None for a plain link, page title, url path) for every page an administrator sees.
ADMIN_PAGES = [(None, "整改进展", "rectification"), (None, "总览", ""), ("指标", "指标详情", "detail"),
               ("指标", "对比", "compare"), ("专题", "债务结构", "theme_debt"), ("专题", "招商与外资", "theme_investment"),
               ("专题", "用地", "theme_land"), ("专题", "安全生产", "theme_safety"), ("数据", "数据上传", "upload"),
               ("数据", "导出汇报", "export"), ("管理", "目标管理", "targets"), ("管理", "月份锁定", "locks"),
               ("管理", "操作日志", "audit")]


@pytest.fixture(scope="module")
def app(demo_db_file, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("offline_app")
    db = workdir / "metrics.duckdb"
    shutil.copyfile(demo_db_file, db)
    created = cli_with_stdin(db, "users", "add", "管理员甲", "--role", "admin", stdin=ADMIN_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    with streamlit_server(db, workdir) as base:
        yield base


def open_page(page, base: str, group: str | None, title: str, url_path: str) -> None:
    nav = page.get_by_test_id("stTopNav")
    if group is None:
        nav.get_by_test_id("stTopNavLink").filter(has_text=title).click()
    else:
        nav.get_by_test_id("stTopNavSection").filter(has_text=group).click()
        page.get_by_test_id("stTopNavDropdownLink").filter(has_text=title).click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/{re.escape(url_path)}(\?.*)?$"))
    settle(page)
    page.wait_for_load_state("networkidle")


def test_every_page_requests_only_the_apps_own_host(app, chromium):
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    try:
        sign_in(page, app, "管理员甲", ADMIN_PASSWORD)
        # The run after signing in adds the 管理 group; wait for it rather than read the bar once.
        page.get_by_test_id("stTopNavSection").filter(has_text="管理").wait_for(timeout=60_000)
        for group, title, url_path in ADMIN_PAGES:
            open_page(page, app, group, title, url_path)
            assert page.locator("[data-testid=stException]").count() == 0, title
    finally:
        context.close()
    own = urlsplit(app).netloc
    elsewhere = sorted({url for url in requested
                        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own})
    assert len(requested) > 50  # the walk really loaded the pages' scripts, styles and data
    assert elsewhere == []
