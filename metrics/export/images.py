"""Charts as PNG or SVG pictures, rendered by kaleido 1.x driving the system's Chromium.

One renderer per process: kaleido's sync server keeps a single Chromium open, because starting
Chromium for every picture costs seconds each. MathJax is off since an intranet server cannot
reach its CDN. Every call has a deadline, so a stuck or missing browser is an error, never a hang.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import kaleido

from .. import charts
from ..chartdata import ChartData

BROWSER_NAMES = ("chromium", "chromium-browser")
RENDER_TIMEOUT_SECONDS = 30.0
STARTUP_TIMEOUT_SECONDS = 60.0
FORMATS = ("png", "svg")
# The screens' chart builder for each kind of chart in a deck: the same picture on screen and slide.
CHART_BUILDERS = {"monthly": charts.build_monthly_chart, "ytd": charts.build_ytd_chart,
                  "debt": charts.build_monthly_chart, "ledger": charts.build_monthly_chart}
INSTALL_HINT = ("请在服务器上安装 Chromium：sudo apt-get install chromium（Debian/Ubuntu）；"
                "如已安装在其他位置，请把环境变量 BROWSER_PATH 设为其可执行文件的路径。")


class ImageExportError(RuntimeError):
    """A picture cannot be made; the message is in Chinese and says what to do."""


_lock = threading.Lock()
_renderer_started = False
_renderer_broken: ImageExportError | None = None


def find_browser() -> str:
    """Chromium from BROWSER_PATH, or else from PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise ImageExportError(f"环境变量 BROWSER_PATH 指向的 {configured} 不存在或不可执行，无法导出图片。{INSTALL_HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ImageExportError(f"未找到 Chromium 浏览器，无法导出图片。{INSTALL_HINT}")


def chart_image(chart, fmt: str = "png", *, width: int = 1000, height: int = 560, scale: float = 2) -> bytes:
    """A plotly chart as PNG or SVG bytes; `scale` sharpens PNGs for projectors."""
    if fmt not in FORMATS:
        raise ImageExportError(f"不支持的图片格式“{fmt}”，可选：{'、'.join(FORMATS)}。")
    options = {"format": fmt, "width": width, "height": height, "scale": scale if fmt == "png" else 1}
    with _lock:
        first = _start_renderer()
        return _render_with_deadline(chart, options,
                                     RENDER_TIMEOUT_SECONDS + (STARTUP_TIMEOUT_SECONDS if first else 0))


def _start_renderer() -> bool:
    """Start the process's renderer unless it runs; True when this call started it."""
    global _renderer_started
    if _renderer_broken is not None:
        raise _renderer_broken
    if _renderer_started:
        return False
    browser = find_browser()
    kaleido.start_sync_server(mathjax=False, path=browser, timeout=RENDER_TIMEOUT_SECONDS,
                              silence_warnings=True)
    _renderer_started = True
    return True


def _render_with_deadline(chart, options: dict, seconds: float) -> bytes:
    outcome: dict = {}

    def render() -> None:
        try:
            outcome["image"] = kaleido.calc_fig_sync(chart, opts=options)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=render, name="chart-picture", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        # kaleido's queue would block every later call behind this one: fail those at once too.
        global _renderer_broken
        _renderer_broken = ImageExportError(
            f"Chromium 在 {seconds:.0f} 秒内没有完成图片渲染，已放弃。请确认 Chromium 能在本机启动"
            f"（运行 `{find_browser()} --headless --version`），然后重启本程序。{INSTALL_HINT}")
        raise _renderer_broken
    if "error" in outcome:
        raise ImageExportError(f"图片渲染失败：{outcome['error']}。{INSTALL_HINT}") from outcome["error"]
    return outcome["image"]


def build_chart(kind: str, data: ChartData):
    """The screens' plotly chart of this kind, drawn from the same ChartData."""
    if kind not in CHART_BUILDERS:
        raise ImageExportError(f"没有“{kind}”类图表的画法，可选：{'、'.join(CHART_BUILDERS)}。")
    return CHART_BUILDERS[kind](data)


def chart_picture(kind: str, data: ChartData, fmt: str = "png", *, width: int = 1000, height: int = 560) -> bytes:
    """A chart of the deck or the screens as a picture."""
    return chart_image(build_chart(kind, data), fmt, width=width, height=height)
