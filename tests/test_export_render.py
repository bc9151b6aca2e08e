"""The deck opens and draws in LibreOffice: one page per slide, no blank pages, and on an
indicator's page both the bars and the dashed target line are drawn."""
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation

from conftest import requires_system_tool
from metrics.export import export_deck

pytestmark = pytest.mark.slow  # Chromium or LibreOffice: not in the fast part

PERIOD = "2023-04"
NAVY = (0x1F, 0x4E, 0x79)    # the template's accent: this year's bars
RED = (0xC0, 0x00, 0x00)     # target lines and 序时进度


def render(deck: Path, out: Path) -> list[Path]:
    """soffice → PDF → one PNG per page at 60 dpi. A private profile lets renders run side by side."""
    requires_system_tool("soffice", "LibreOffice renders the deck to check that it opens and draws")
    requires_system_tool("pdftoppm", "poppler-utils turns the rendered PDF into page images")
    profile = out / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(deck)],
                   check=True, capture_output=True, timeout=240)
    pdf = out / (deck.stem + ".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "page")], check=True, timeout=120)
    return sorted(out.glob("page-*.png"))


def share_of(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> float:
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    return float((np.abs(pixels - colour) <= tolerance).all(axis=-1).mean())


def chart_region(page: Image.Image, slide, slide_width: int) -> Image.Image:
    """The part of the page image where the slide's first chart sits (the master's navy strip and
    the red 示例数据 badge lie outside it)."""
    frame = next(shape for shape in slide.shapes if shape.has_chart)
    scale = page.width / slide_width
    return page.crop((int(frame.left * scale), int(frame.top * scale),
                      int((frame.left + frame.width) * scale), int((frame.top + frame.height) * scale)))


def is_blank(image: Image.Image) -> bool:
    low, high = image.convert("L").getextrema()
    return high - low < 30


@pytest.fixture(scope="module")
def rendered(shared_demo_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    deck = out / "汇报.pptx"
    plan, _ = export_deck(shared_demo_store, PERIOD, deck, codes=["land_cleared", "tax_per_mu"])
    return plan, deck, render(deck, out)


def test_libreoffice_renders_one_nonblank_page_per_slide(rendered):
    plan, deck, pages = rendered
    assert len(pages) == len(Presentation(deck).slides) == len(plan.slides)
    blank = [p.name for p in pages if is_blank(Image.open(p))]
    assert blank == []


def test_indicator_page_draws_the_bars_and_the_target_line_inside_the_chart(rendered):
    plan, deck, pages = rendered
    prs = Presentation(deck)
    checked = 0
    for planned, slide, page in zip(plan.slides, prs.slides, pages):
        if planned.kind == "indicator":
            chart = chart_region(Image.open(page), slide, prs.slide_width)
            assert share_of(chart, NAVY) > 0.02, f"no bars drawn on {page.name}"
            assert share_of(chart, RED, 30) > 0.001, f"no target line drawn on {page.name}"
            checked += 1
    assert checked == 2
