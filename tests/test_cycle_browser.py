"""The monthly cycle (issue 16) in a real browser against `streamlit run`, with review on: an editor
uploads the month's last missing figure, the overview holds it back and says it waits, a reviewer
approves it on 数据审核, the overview shows it, and the office's deck and Word report carry it."""
import io
import re
import shutil

import docx
import pptx
import pytest

from conftest import ADMIN, PASSWORD, REPO, run_cli, streamlit_server
from metrics import catalog, formatting, i18n, tracker
from metrics.store import Store
from test_browser_accounts import RUN_LIMIT, cli_with_stdin, open_from_nav, settle, sign_in, upload_file
from test_browser_security import choose_file

pytestmark = pytest.mark.slow  # Chromium: not in the fast part

PERIOD, PREVIOUS = "2023-05", "2023-04"
# A level, so the figure shown (the month-end level) is the figure uploaded, not a sum of months.
CODE, VALUE = "tax_per_mu", 10.57
EDITOR, REVIEWER = "财政统计员", "审核人"
INDICATOR = catalog.indicator(CODE)
# As every screen, slide and page of the report writes it.
SHOWN = formatting.amount(VALUE, INDICATOR.unit, INDICATOR.decimals)


def t(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


@pytest.fixture(scope="module")
def app(demo_db_file, tmp_path_factory):
    """(base URL, database path) of an app whose May has every zone figure but CODE's, reported and
    live before review was switched on; then review is on, with an editor and a reviewer."""
    workdir = tmp_path_factory.mktemp("cycle_app")
    db = workdir / "metrics.duckdb"
    shutil.copyfile(demo_db_file, db)
    april = Store(db).observations(entity=catalog.ZONE)
    april = april[(april["period"] == PREVIOUS) & (april["indicator_code"] != CODE)]
    may = upload_file(workdir / "五月其他指标.xlsx",
                      [[r.indicator_code, PERIOD, r.value, catalog.ZONE] for r in april.itertuples()])
    imported = run_cli("import", str(may), db=db)
    assert imported.returncode == 0, imported.stderr
    for name, role in ((EDITOR, "editor"), (REVIEWER, "reviewer")):
        created = cli_with_stdin(db, "users", "add", name, "--role", role, stdin=PASSWORD + "\n")
        assert created.returncode == 0, created.stderr
    assert run_cli("review", "on", db=db).returncode == 0
    with streamlit_server(db, workdir) as base:
        yield base, db


@pytest.fixture
def contexts(chromium):
    """A fresh browser per person, as each works at their own desk."""
    opened = []

    def new_page():
        context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN",
                                       accept_downloads=True)
        opened.append(context)
        return context.new_page()

    yield new_page
    for context in opened:
        context.close()


def open_section(page, section: str, title: str) -> None:
    """The top bar moves sections it has no room for into an overflow menu, and measures a section
    it has just gained before showing it: wait until this one is shown, then open the page."""
    page.get_by_test_id("stTopNav").get_by_test_id("stTopNavSection").filter(has_text=section).wait_for(
        state="visible", timeout=RUN_LIMIT)
    open_from_nav(page, section, title)


def open_overview(page) -> None:
    link = page.get_by_test_id("stTopNav").get_by_test_id("stTopNavLink").filter(has_text=t("page_overview"))
    link.wait_for(state="visible", timeout=RUN_LIMIT)
    link.click()
    settle(page)
    page.locator(".mc-card").first.wait_for(timeout=RUN_LIMIT)


def card(page):
    """The indicator's card on the overview, found by its name (a card without a figure has no code)."""
    name = re.compile(rf"^{re.escape(i18n.indicator_name(INDICATOR, 'zh', short=True))}$")
    return page.locator(".mc-card").filter(has=page.locator(".mc-name", has_text=name))


def main_text(page) -> str:
    return page.inner_text("[data-testid=stMain]")


def pptx_text(data: bytes) -> str:
    deck = pptx.Presentation(io.BytesIO(data))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(texts)


def docx_text(data: bytes) -> str:
    report = docx.Document(io.BytesIO(data))
    return "\n".join([p.text for p in report.paragraphs]
                     + [cell.text for table in report.tables for row in table.rows for cell in row.cells])


def download(page, button: str) -> bytes:
    with page.expect_download(timeout=RUN_LIMIT) as started:
        page.get_by_role("button", name=button).click()
    return open(started.value.path(), "rb").read()


def build_and_download(page, build: str, get: str) -> bytes:
    page.get_by_role("button", name=build).click()
    settle(page)
    page.get_by_role("button", name=get).wait_for(timeout=RUN_LIMIT)
    return download(page, get)


def test_an_upload_waits_for_review_then_reaches_the_overview_the_deck_and_the_report(app, contexts, tmp_path):
    base, db = app
    pending_line = t("pending_review_line", count=1)

    # a. The editor uploads the month's figure and confirms it: it is submitted for review.
    editor = contexts()
    sign_in(editor, base, EDITOR, PASSWORD)
    open_section(editor, t("section_data"), t("page_upload"))
    choose_file(editor, upload_file(tmp_path / "五月亩均税收.xlsx", [[CODE, PERIOD, VALUE, catalog.ZONE]]))
    editor.get_by_role("button", name=t("upload_confirm")).click()
    settle(editor)
    editor.get_by_text(re.compile(r"已提交.*待审核")).wait_for(timeout=RUN_LIMIT)
    (batch,) = Store(db).pending_figures()["batch_id"].unique()

    # b. The overview opens on May, leaves the figure out and says one waits for review.
    open_overview(editor)
    editor.get_by_text(pending_line).wait_for(timeout=RUN_LIMIT)
    assert t("card_no_data") in card(editor).inner_text()
    assert SHOWN not in main_text(editor)
    (REPO / "screenshots").mkdir(exist_ok=True)
    editor.screenshot(path=str(REPO / "screenshots" / "zh_overview_pending_review.png"), full_page=True)

    # c. The reviewer, in another browser, approves the batch on 数据审核.
    reviewer = contexts()
    sign_in(reviewer, base, REVIEWER, PASSWORD)
    open_section(reviewer, t("section_data"), t("page_review"))
    reviewer.get_by_role("button", name=t("review_approve"), exact=True).click()
    settle(reviewer)
    reviewer.get_by_text(re.compile(rf"已通过批次 {batch}")).wait_for(timeout=RUN_LIMIT)
    assert tracker.pending_review_count(Store(db), PERIOD, catalog.ZONE) == 0

    # d. The editor's overview, run again, shows the figure and no longer a waiting one.
    open_overview(editor)
    card(editor).filter(has_text=SHOWN).wait_for(timeout=RUN_LIMIT)
    assert pending_line not in main_text(editor)

    # e. The office downloads the deck and the Word report; both carry the figure.
    office = contexts()
    sign_in(office, base, ADMIN, PASSWORD)
    open_section(office, t("section_data"), t("page_export"))
    deck = pptx_text(build_and_download(office, t("export_build"), t("export_download_deck")))
    report = docx_text(build_and_download(office, t("export_report_build"), t("export_download_report")))
    for text in (deck, report):
        assert SHOWN in text
        assert "待审核" not in text
