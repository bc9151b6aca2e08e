"""The 示例数据 badge in three templates (16:9, 16:10, 4:3): placed from the slide's free area, it
never lies over a title, a table or a chart; each deck also renders through LibreOffice to PNGs
(issue 13). The renders go to screenshots/ for a person to look at."""
import io
import shutil

import pytest
from pptx import Presentation
from pptx.util import Inches

from conftest import REPO
from metrics.export import export_deck
from metrics.export.deck.plan import ILLUSTRATIVE_LABEL
from tools.make_template import build_template

PERIOD = "2023-04"
CODES = ["land_cleared", "provincial_rank", "bonds_outstanding"]


def template(ratio: str) -> bytes:
    """The office's template at 16:9; python-pptx's own 4:3 one; and a 16:10 one whose cover title
    sits at the top right, where a badge put in a fixed corner would cover it."""
    if ratio == "16:9":
        prs = build_template()
    else:
        prs = Presentation()
        if ratio == "16:10":
            prs.slide_width, prs.slide_height = Inches(10), Inches(6.25)
            cover = prs.slide_layouts[0].placeholders[0]
            cover.left, cover.top, cover.width, cover.height = Inches(4), Inches(0.2), Inches(5.8), Inches(1.2)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def boxes_overlap(a, b) -> bool:
    return a.left < b.left + b.width and b.left < a.left + a.width and a.top < b.top + b.height and b.top < a.top + a.height


@pytest.mark.parametrize("ratio", ["16:9", "16:10", "4:3"])
def test_the_illustrative_badge_overlaps_no_other_shape(shared_demo_store, ratio):
    _, data = export_deck(shared_demo_store, PERIOD, template=template(ratio), codes=CODES)
    prs = Presentation(io.BytesIO(data))
    badged = 0
    for number, slide in enumerate(prs.slides, start=1):
        badges = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text == ILLUSTRATIVE_LABEL]
        for badge in badges:
            badged += 1
            assert 0 <= badge.top and badge.top + badge.height <= prs.slide_height, number
            assert 0 <= badge.left and badge.left + badge.width <= prs.slide_width, number
            others = [s for s in slide.shapes if s.shape_id != badge.shape_id]
            assert not [s.name for s in others if boxes_overlap(badge, s)], (ratio, number)
    assert badged >= 3


@pytest.mark.slow
@pytest.mark.parametrize("ratio", ["16:9", "16:10", "4:3"])
def test_each_template_renders_through_libreoffice(shared_demo_store, tmp_path, ratio):
    from test_export_render import is_blank, render
    deck = tmp_path / "汇报.pptx"
    export_deck(shared_demo_store, PERIOD, deck, template=template(ratio), codes=CODES)
    pages = render(deck, tmp_path)
    assert len(pages) == len(Presentation(str(deck)).slides)
    from PIL import Image
    assert not [p.name for p in pages if is_blank(Image.open(p))]
    keep = REPO / "screenshots" / f"deck_{ratio.replace(':', 'x')}"
    keep.mkdir(parents=True, exist_ok=True)
    for page in pages:
        shutil.copyfile(page, keep / page.name)
