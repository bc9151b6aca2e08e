"""The screens in a real browser: Debian's Chromium, driven by Playwright, clicks through every
page of `streamlit run app.py` in Chinese and then in English at 1920×1080, and saves a
screenshot of each page to screenshots/ for a person to look at."""
import re

import pytest
from playwright.sync_api import expect

from conftest import REPO

pytestmark = pytest.mark.slow  # Chromium or LibreOffice: not in the fast part

SCREENSHOTS = REPO / "screenshots"
VIEWPORT = {"width": 1920, "height": 1080}
# (url path, top-bar group or None for a plain link, title) in Chinese and in English.
PAGES = {
    "zh": [("", None, "总览"), ("detail", "指标", "指标详情"), ("compare", "指标", "对比"),
           ("theme_debt", "专题", "债务结构"), ("theme_investment", "专题", "招商与外资"),
           ("theme_land", "专题", "用地"), ("theme_safety", "专题", "安全生产"),
           ("rectification", None, "整改进展")],
    "en": [("", None, "Overview"), ("detail", "Indicators", "Indicator detail"),
           ("compare", "Indicators", "Comparison"), ("theme_debt", "Themes", "Debt structure"),
           ("theme_investment", "Themes", "Investment & foreign capital"), ("theme_land", "Themes", "Land"),
           ("theme_safety", "Themes", "Work safety"), ("rectification", None, "Rectification progress")],
}
HEADLINE = {"zh": re.compile(r"\d+ 项达到序时进度，\d+ 项滞后"), "en": re.compile(r"\d+ on pace, \d+ behind")}


def settle(page) -> None:
    """Wait until the script run the last action started has finished and drawn."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_load_state("networkidle")


def open_page(page, base: str, url_path: str, group: str | None, title: str) -> None:
    nav = page.get_by_test_id("stTopNav")
    if group is None:
        nav.get_by_test_id("stTopNavLink").filter(has_text=title).click()
    else:
        nav.get_by_test_id("stTopNavSection").filter(has_text=group).click()
        # A link's text starts with its icon's name (query_stats 指标详情): match the title at the end.
        page.get_by_test_id("stTopNavDropdownLink").filter(has_text=re.compile(rf"{re.escape(title)}\s*$")).click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/{re.escape(url_path)}(\?.*)?$"))
    settle(page)


def check_page(page, lang: str, url_path: str) -> None:
    assert page.locator("[data-testid=stException]").count() == 0, page.inner_text("[data-testid=stMain]")[:2000]
    assert page.get_by_text("Page not found").count() == 0
    assert f"lang={lang}" in page.url
    # Streamlit scrolls inside its main area, so a full-page shot would stop at the viewport:
    # grow the viewport to the content for the picture, then put it back.
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, VIEWPORT["height"])})
    page.wait_for_timeout(500)
    page.screenshot(path=SCREENSHOTS / f"{lang}_{url_path or 'overview'}.png")
    page.set_viewport_size(VIEWPORT)


def switch_language(page, label: str) -> None:
    """Through the sidebar's switch, as a user would; the sidebar is closed again afterwards."""
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebar").get_by_role("radio", name=label).click()
    page.get_by_test_id("stTopNav").get_by_text(PAGES["en"][0][2], exact=True).wait_for()
    settle(page)
    page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    page.wait_for_timeout(400)


def test_every_page_renders_in_chinese_then_english_with_no_exception(running_app, chromium):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{running_app}/")
        settle(page)
        for lang in ("zh", "en"):
            if lang == "en":
                switch_language(page, "English")
            for url_path, group, title in PAGES[lang]:
                open_page(page, running_app, url_path, group, title)
                check_page(page, lang, url_path)
                if url_path == "":
                    assert page.get_by_text(HEADLINE[lang]).count() == 1
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_answers_which_indicators_are_behind_without_scrolling(running_app, chromium, lang):
    page = chromium.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{running_app}/?lang={lang}")
        settle(page)
        assert page.get_by_text(HEADLINE[lang]).count() == 1
        # The copyable overview sentence comes right after the last card: its top edge must be on
        # the first screen, so every card is.
        sentence = page.get_by_test_id("copyable").last.bounding_box()
        assert sentence is not None and sentence["y"] < VIEWPORT["height"], sentence
        page.screenshot(path=SCREENSHOTS / f"{lang}_overview_first_screen.png")
        text = page.inner_text("[data-testid=stMain]")
        assert "示例数据" in text
        assert ("个百分点" if lang == "zh" else "pts") in text
    finally:
        page.close()


def test_a_bookmarked_view_opens_on_its_indicator_month_and_entity(running_app, chromium):
    page = chromium.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{running_app}/detail?indicator=land_cleared&period=2023-03&entity=XX经济开发区")
        settle(page)
        # On a loaded machine the first script run can still be drawing after `settle`: wait for
        # each picker to show its choice rather than reading it once.
        # The month reads with how many indicators reported it: 2023年3月（已报23/23）.
        expected = {"指标": "用地保障 · 低效用地清理面积", "主体": "XX经济开发区", "月份": "2023年3月"}
        for label, value in expected.items():
            box = page.get_by_test_id("stSelectbox").filter(has_text=label).locator("input")
            expect(box).to_have_value(re.compile(rf"^{re.escape(value)}(（已报\d+/\d+）)?$"), timeout=60_000)
        assert len(page.get_by_test_id("stSelectbox").all()) == len(expected)
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()


def test_the_report_sentences_copy_button_copies_the_sentence(running_app, chromium):
    context = chromium.new_context(viewport=VIEWPORT, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{running_app}/detail?indicator=land_cleared")
        settle(page)
        box = page.locator(".mc-copy").first
        box.hover()
        box.locator(".mc-copy-button").click()
        box.locator(".mc-copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == box.get_by_test_id("copyable").inner_text()
    finally:
        context.close()
