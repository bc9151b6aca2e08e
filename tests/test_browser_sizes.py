"""The overview in a real browser at the three screens leaders use: a 1920×1080 monitor, a
1366×768 office laptop and a 390×844 phone, in Chinese and English. No card's text may be cut off,
and on the phone the list of what is behind comes before everything else (issue 13). Screenshots
go to screenshots/ for a person to look at."""
import shutil

import pandas as pd
import pytest

from conftest import REPO, add_account, streamlit_server
from metrics import catalog, periods
from metrics.auth import Actor
from metrics.store import Store

pytestmark = pytest.mark.slow  # Chromium: not in the fast part

SCREENSHOTS = REPO / "screenshots"
SIZES = {"1920": (1920, 1080), "1366": (1366, 768), "390": (390, 844)}

# Every element inside a card whose content is wider than its box, or which sticks out of its
# card: the text a leader would see cut off.
CLIPPED = """() => {
  const out = [];
  for (const card of document.querySelectorAll('.mc-card')) {
    const box = card.getBoundingClientRect();
    for (const el of [card, ...card.querySelectorAll('*')]) {
      if (el.tagName === 'svg' || el.closest('svg') && el.tagName !== 'svg') continue;
      const r = el.getBoundingClientRect();
      const wider = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline';
      const outside = r.right > box.right + 1 || r.left < box.left - 1;
      if (wider || outside) out.push(`${card.dataset.code || ''}: ${el.className} "${el.textContent.trim()}"`);
    }
  }
  return out;
}"""


# Every picker whose chosen value is wider than its box: a month or an entity cut off.
CLIPPED_PICKERS = """() => [...document.querySelectorAll('[data-testid=stSelectbox] input')]
  .filter(input => input.scrollWidth > input.clientWidth + 1).map(input => input.value)"""


def settled(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_selector(".mc-card", timeout=60_000)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_no_card_text_is_cut_off_at_any_screen_size(running_app, chromium, size, lang):
    SCREENSHOTS.mkdir(exist_ok=True)
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        settled(page, f"{running_app}/?lang={lang}")
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.locator(".mc-card").count() >= 20
        assert page.evaluate(CLIPPED) == []
        page.screenshot(path=SCREENSHOTS / f"overview_{lang}_{size}.png")
        # The whole page too, for reading every card (Streamlit scrolls inside its main area).
        full = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": width, "height": max(full, height)})
        page.wait_for_function(f"window.innerHeight === {max(full, height)}")
        assert page.evaluate(CLIPPED) == []
        page.screenshot(path=SCREENSHOTS / f"overview_{lang}_{size}_full.png")
    finally:
        page.close()


def test_on_a_phone_the_list_of_what_is_behind_comes_first(running_app, chromium):
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    try:
        settled(page, f"{running_app}/?lang=zh")
        strip = page.get_by_test_id("behind-strip").bounding_box()
        first_card = page.locator(".mc-card").first.bounding_box()
        pickers = page.get_by_test_id("stSelectbox").first.bounding_box()
        assert strip["y"] < first_card["y"] and strip["y"] < pickers["y"]
        assert strip["y"] < 844  # on the first screen
    finally:
        page.close()


def test_a_card_opens_its_indicator_page(running_app, chromium):
    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    try:
        settled(page, f"{running_app}/?lang=zh")
        page.locator('.mc-card[data-code="land_cleared"]').click()
        page.wait_for_url("**/detail?*indicator=land_cleared*")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        page.get_by_text("低效用地清理面积").first.wait_for()
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("size", ["1366", "1920"])
def test_the_indicator_pages_figures_are_not_cut_off(running_app, chromium, size):
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{running_app}/detail?indicator=invoice_sales&lang=zh")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        page.get_by_test_id("stMetricValue").first.wait_for()
        cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMetricValue] div')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent)""")
        assert cut == []
        page.screenshot(path=SCREENSHOTS / f"detail_zh_{size}.png")
    finally:
        page.close()


# Every page a leader or the office opens, with what it must show once drawn.
PAGES = {
    "overview": ("", ".mc-card"),
    "detail": ("detail?indicator=land_cleared", "[data-testid=stMetricValue]"),
    "detail_rank": ("detail?indicator=provincial_rank", "[data-testid=stMetricValue]"),
    "compare": ("compare?indicator=invoice_sales", ".js-plotly-plot"),
    "debt": ("theme_debt", ".js-plotly-plot"),
    "investment": ("theme_investment", ".js-plotly-plot"),
    "land": ("theme_land", ".js-plotly-plot"),
    "safety": ("theme_safety", ".js-plotly-plot"),
    "rectification": ("rectification", "[data-testid=stMetricValue]"),
    "upload": ("upload", "[data-testid=stMain] h1, [data-testid=stMain] h3"),
    "export": ("export", "[data-testid=stMain] h1, [data-testid=stMain] h3"),
}
# The page's own width is wider than the window: something the reader must scroll sideways to see.
SIDEWAYS = "() => { const m = document.querySelector('[data-testid=stMain]'); return m.scrollWidth - m.clientWidth; }"


# In every chart: text drawn over other text or over the plot (a wrapped legend over the bars, the
# source line over the month labels), or running off the chart's edge, as a reader would see it.
CHART_CLASHES = """() => {
  const out = [];
  const box = e => e.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  document.querySelectorAll('.js-plotly-plot').forEach((plot, i) => {
    const edge = box(plot.querySelector('.main-svg'));
    const legend = plot.querySelector('.legend .bg');
    const areas = [...plot.querySelectorAll('.draglayer .nsewdrag')].map(box);
    const labels = [...plot.querySelectorAll('.xtick text, .ytick text, .y2tick text')].map(box);
    const notes = [...plot.querySelectorAll('.annotation-text-g')];
    const texts = [...plot.querySelectorAll('.gtitle, .legendtext, .annotation-text-g')];
    for (const t of texts) {
      const r = box(t);
      if (r.width && (r.left < edge.left - 1 || r.right > edge.right + 1 || r.top < edge.top - 1 || r.bottom > edge.bottom + 1)) out.push(`chart ${i}: "${t.textContent}" runs off the chart`);
    }
    if (legend) {
      const l = box(legend);
      if (areas.some(a => meet(a, l))) out.push(`chart ${i}: the legend covers the plot`);
      for (const n of notes) if (meet(box(n), l)) out.push(`chart ${i}: "${n.textContent}" under the legend`);
    }
    for (const n of notes) if (labels.some(l => meet(box(n), l))) out.push(`chart ${i}: "${n.textContent}" over the axis labels`);
  });
  document.querySelectorAll('[data-testid=chart-title]').forEach(h => {
    if (h.scrollWidth > h.clientWidth + 1) out.push(`title "${h.textContent}" cut off`);
  });
  return out;
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_draws_without_error_or_sideways_scrolling(running_app, chromium, size, lang):
    """Each page at each screen size, in each language: drawn without an exception or Streamlit's
    error box, nothing wider than the window, no chart's text over its legend, plot or labels, and a
    screenshot kept for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        for name, (path, shown) in PAGES.items():
            separator = "&" if "?" in path else "?"
            page.goto(f"{running_app}/{path}{separator}lang={lang}")
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
            page.locator(shown).first.wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            assert page.locator("[data-testid=stException]").count() == 0, name
            assert page.evaluate(SIDEWAYS) <= 1, f"{name} scrolls sideways at {size}"
            assert page.evaluate(CHART_CLASHES) == [], name
            page.screenshot(path=SCREENSHOTS / f"page_{name}_{lang}_{size}.png", full_page=True)
    finally:
        page.close()


@pytest.fixture(scope="module")
def app_with_a_month_waiting(demo_db_file, tmp_path_factory):
    """The demo store with review on and an editor's figures for the month after the latest waiting
    for it: the month picker's longest labels (已报 N/M and 待审核 K). (base URL, that month)."""
    workdir = tmp_path_factory.mktemp("waiting_app")
    db = workdir / "metrics.duckdb"
    shutil.copyfile(demo_db_file, db)
    store = Store(db)
    editor = add_account(store, "统计员", "editor")
    store.set_review_required(True, by=Actor("测试", "admin"))
    waiting = periods.shift(store.latest_period(), 1)
    store.commit_batch(pd.DataFrame([{"indicator_code": code, "entity": catalog.ZONE, "period": waiting, "value": 1.0}
                                     for code in ("land_cleared", "hightech_new")]),
                       actor=editor, file_name="早报.xlsx", sha256="w" * 64)
    del store  # DuckDB: one process holds the file, and the server is the next
    with streamlit_server(db, workdir) as base:
        yield base, waiting


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_month_picker_shows_its_whole_label_with_figures_waiting_for_review(app_with_a_month_waiting, chromium,
                                                                               size, lang):
    base, waiting = app_with_a_month_waiting
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        settled(page, f"{base}/?lang={lang}&period={waiting}")
        month = page.get_by_test_id("stSelectbox").nth(1).locator("input").input_value()
        assert ("待审核" if lang == "zh" else "awaiting review") in month
        assert page.evaluate(CLIPPED_PICKERS) == []
        page.screenshot(path=SCREENSHOTS / f"overview_waiting_{lang}_{size}.png")
        # The indicator page's header: three pickers beside its title.
        page.goto(f"{base}/detail?lang={lang}&indicator=land_cleared&period={waiting}")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        page.get_by_test_id("stSelectbox").nth(2).locator(f"input[value='{month}']").wait_for()
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        assert page.evaluate(CLIPPED_PICKERS) == []
        page.screenshot(path=SCREENSHOTS / f"detail_waiting_{lang}_{size}.png")
    finally:
        page.close()
