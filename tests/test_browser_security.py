"""In a real browser against `streamlit run`: two editors confirming the same new month at once,
a stolen session id, signing out with a preview on screen, and a hostile file that would once
have killed the server."""
import re
import shutil
import struct
from pathlib import Path

import pytest

from conftest import ADMIN, PASSWORD, run_cli, streamlit_server
from import_fixtures import xls_bytes
from metrics import catalog
from metrics.store import Store
from test_browser_accounts import RUN_LIMIT, settle, sign_in, submit_sign_in

pytestmark = pytest.mark.slow  # Chromium: not in the fast part

EDITORS = ("统计员甲", "统计员乙")


@pytest.fixture(scope="module")
def app(demo_db_file, tmp_path_factory):
    """(base URL, database path, server log) of an app with two editor accounts."""
    workdir = tmp_path_factory.mktemp("security_app")
    db = workdir / "metrics.duckdb"
    shutil.copyfile(demo_db_file, db)
    for name in EDITORS:
        created = run_cli("users", "add", name, "--role", "editor", db=db, user=ADMIN, stdin=PASSWORD + "\n")
        assert created.returncode == 0, created.stderr
    with streamlit_server(db, workdir) as base:
        yield base, db, workdir / "streamlit.log"


@pytest.fixture
def contexts(chromium):
    opened = []

    def new_page():
        context = chromium.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        opened.append(context)
        return context.new_page()

    yield new_page
    for context in opened:
        context.close()


def open_upload_page(page) -> None:
    page.get_by_test_id("stTopNav").get_by_test_id("stTopNavSection").filter(has_text="数据").click()
    page.get_by_test_id("stTopNavDropdownLink").filter(has_text=re.compile(r"数据上传\s*$")).click()
    settle(page)


def choose_file(page, path: Path) -> None:
    page.locator("[data-testid=stFileUploader] input[type=file]").first.set_input_files(str(path))
    settle(page)


def month_file(tmp_path: Path, name: str, value: float) -> Path:
    path = tmp_path / name
    path.write_text(f"指标编码,期间,数值\nland_cleared,2023-06,{value}\n", encoding="utf-8")
    return path


def test_two_editors_confirming_the_same_new_month_at_once_one_commits_the_other_rechecks(app, contexts, tmp_path):
    base, db, _ = app
    pages = []
    for name, value in zip(EDITORS, (301, 302)):
        page = contexts()
        sign_in(page, base, name, PASSWORD)
        open_upload_page(page)
        choose_file(page, month_file(tmp_path, f"{name}.csv", value))
        page.get_by_role("button", name="确认导入").wait_for()
        pages.append(page)
    for page in pages:  # both clicks go out before either run has answered
        page.get_by_role("button", name="确认导入").click(no_wait_after=True)
    for page in pages:
        settle(page)
    texts = [page.inner_text("[data-testid=stMain]") for page in pages]
    assert sum("已导入" in text for text in texts) == 1, texts
    (loser,) = [page for page, text in zip(pages, texts) if "已导入" not in text]
    loser.get_by_text(re.compile("请重新核对")).wait_for(timeout=RUN_LIMIT)
    # The loser sees the fresh preview (修改, against the winner's figure) and must confirm again.
    assert "修改" in loser.inner_text("[data-testid=stMain]")
    store = Store(db)
    june = store.observations(entity=catalog.ZONE, codes=["land_cleared"])
    assert len(june[june.period == "2023-06"]) == 1 and store.verify() == []


def test_another_browser_cannot_resume_a_signed_in_session_by_its_id(app, contexts, tmp_path):
    base, _, _ = app
    victim = contexts()
    uploads = []
    victim.on("request", lambda request: uploads.append(request.url) if "/_stcore/upload_file/" in request.url else None)
    sign_in(victim, base, EDITORS[0], PASSWORD)
    open_upload_page(victim)
    choose_file(victim, month_file(tmp_path, "看一眼.csv", 299))
    session_id = re.search(r"/_stcore/upload_file/([^/]+)/", uploads[0]).group(1)
    victim.context.close()  # the tab is closed; the server keeps the session a while for a reconnect
    thief = contexts()
    # The thief's browser offers the victim's session id where Streamlit offers the last one it had.
    thief.add_init_script("""
        const Original = window.WebSocket;
        window.WebSocket = function (url, protocols) {
            if (Array.isArray(protocols)) { protocols = [protocols[0], protocols[1] || "", %r]; }
            return new Original(url, protocols);
        };
        Object.assign(window.WebSocket, Original);
        window.WebSocket.prototype = Original.prototype;
    """ % session_id)
    thief.goto(f"{base}/upload")
    settle(thief)
    text = thief.inner_text("[data-testid=stApp]")
    assert f"已登录：{EDITORS[0]}" not in text
    assert "确认导入" not in text and "看一眼" not in text


def test_signing_out_clears_the_preview_and_its_confirm_button(app, contexts, tmp_path):
    base, _, _ = app
    page = contexts()
    sign_in(page, base, EDITORS[1], PASSWORD)
    open_upload_page(page)
    choose_file(page, month_file(tmp_path, "未确认.csv", 298))
    page.get_by_role("button", name="确认导入").wait_for()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name="退出登录").click()
    settle(page)
    # The next person signs in on the same tab, in the same session: nothing of the first carries over.
    submit_sign_in(page, EDITORS[0], PASSWORD)
    open_upload_page(page)
    text = page.inner_text("[data-testid=stApp]")
    assert "确认导入" not in text and "未确认" not in text


def server_peak_mb(log: Path) -> float:
    pid = int(re.search(r"server pid (\d+)", log.read_text()).group(1))
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def test_a_file_asking_for_hundreds_of_gigabytes_is_refused_and_the_server_lives_on(app, contexts, tmp_path):
    base, _, log = app
    data = bytearray(xls_bytes({"数据": [["指标编码", "期间", "数值"], ["land_cleared", "2023-04", 5]]}))
    struct.pack_into("<IIHH", data, data.find(b"\x00\x02\x0e\x00") + 4, 0, 1_048_576, 0, 16_384)
    hostile = tmp_path / "维度.xls"
    hostile.write_bytes(bytes(data))
    page = contexts()
    sign_in(page, base, EDITORS[0], PASSWORD)
    open_upload_page(page)
    choose_file(page, hostile)
    page.get_by_text(re.compile("内存上限")).wait_for(timeout=60_000)
    assert page.locator("[data-testid=stException]").count() == 0
    # The server answers the next visitor, and never grew towards what the file asked for.
    other = contexts()
    other.goto(base)
    settle(other)
    assert "项达到序时进度" in other.inner_text("[data-testid=stMain]")
    assert server_peak_mb(log) < 1500
