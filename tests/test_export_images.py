"""Charts as pictures through kaleido and the system Chromium: valid PNG and SVG in Chinese,
one renderer for the process, and a clear error instead of a hang when Chromium is missing."""
import os
import struct
import subprocess
import sys

import pytest

from conftest import REPO, requires_system_tool
from metrics.export import ImageExportError, chart_picture, images, indicator_charts

pytestmark = pytest.mark.slow  # Chromium or LibreOffice: not in the fast part

PERIOD = "2023-04"


def requires_chromium() -> None:
    requires_system_tool(os.environ.get("BROWSER_PATH") or "chromium",
                         "kaleido draws PNG and SVG pictures with the system Chromium")


@pytest.fixture(scope="module")
def land_charts(shared_demo_store):
    return indicator_charts(shared_demo_store, "land_cleared", PERIOD)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_of_a_chart_is_a_valid_picture_at_twice_the_asked_size(land_charts):
    requires_chromium()
    monthly = land_charts[0]
    data = chart_picture(monthly.kind, monthly.data, "png", width=800, height=450)
    assert png_size(data) == (1600, 900)
    assert len(data) > 10_000


def test_svg_of_a_chart_keeps_its_chinese_text(land_charts):
    requires_chromium()
    completion = land_charts[1]
    svg = chart_picture(completion.kind, completion.data, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "完成率与序时进度" in svg and "序时进度" in svg


def test_one_renderer_serves_every_picture_in_the_process(land_charts, monkeypatch):
    requires_chromium()
    import kaleido

    starts = []
    original = kaleido.start_sync_server
    monkeypatch.setattr(kaleido, "start_sync_server", lambda *a, **k: (starts.append(k), original(*a, **k)))
    for chart in land_charts * 2:
        chart_picture(chart.kind, chart.data, "png", width=400, height=300)
    assert len(starts) <= 1
    assert all(k.get("mathjax") is False for k in starts)


def test_missing_browser_path_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "没有这个浏览器"))
    with pytest.raises(ImageExportError, match="apt-get install chromium"):
        images.find_browser()


def test_no_chromium_on_path_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ImageExportError, match="未找到 Chromium.*apt-get install chromium"):
        images.find_browser()


def test_a_fresh_process_without_chromium_fails_at_once_instead_of_hanging(tmp_path):
    code = ("import plotly.graph_objects as go\n"
            "from metrics.export import ImageExportError, chart_image\n"
            "try:\n    chart_image(go.Figure())\n"
            "except ImageExportError as exc:\n    print(exc)\n")
    env = {**os.environ, "BROWSER_PATH": str(tmp_path / "chromium")}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=60)
    assert "apt-get install chromium" in result.stdout


def test_unknown_picture_format_is_refused(land_charts):
    with pytest.raises(ImageExportError, match="png、svg"):
        chart_picture(land_charts[0].kind, land_charts[0].data, "gif")


def test_screens_download_png_button_gets_a_png_of_any_figure(land_charts):
    requires_chromium()
    from metrics import charts

    assert images.chart_image(charts.build_monthly_chart(land_charts[0].data), "png")[:4] == b"\x89PNG"
