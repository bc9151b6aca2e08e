"""`export-deck` and `export-chart` as the office runs them: a subprocess against METRICS_DB."""
import os
import subprocess
import sys

import pytest
from pptx import Presentation

from conftest import REPO, requires_system_tool, run_cli

PERIOD = "2023-04"


@pytest.fixture(scope="module")
def db(shared_demo_store):
    return shared_demo_store.path


def test_export_deck_writes_a_deck_with_the_chosen_indicators(db, tmp_path):
    out = tmp_path / "汇报.pptx"
    result = run_cli("export-deck", "--period", PERIOD, "--out", str(out),
                     "--indicators", "land_cleared,invoice_sales", db=db, check=True)
    slides = Presentation(out).slides
    assert f"共 {len(slides)} 页" in result.stdout and "示例数据" in result.stdout
    titles = [s.shapes.title.text_frame.text for s in slides if s.shapes.title is not None]
    assert any(t.startswith("低效用地清理面积：") for t in titles)
    assert any(t.startswith("规上工业开票销售：") for t in titles)


def test_export_deck_without_indicators_takes_every_indicator_with_a_target(db, tmp_path):
    out = tmp_path / "全部.pptx"
    run_cli("export-deck", "--period", PERIOD, "--out", str(out), db=db, check=True)
    assert len(Presentation(out).slides) > 20


def test_export_deck_uses_the_given_template(db, tmp_path):
    template = tmp_path / "办公室.pptx"
    Presentation().save(template)
    out = tmp_path / "汇报.pptx"
    run_cli("export-deck", "--period", PERIOD, "--out", str(out), "--template", str(template),
            "--indicators", "land_cleared", db=db, check=True)
    assert Presentation(out).slide_width == Presentation(template).slide_width


@pytest.mark.parametrize("args, code, message", [
    (["--period", "2023-4"], 2, "YYYY-MM"),
    (["--period", PERIOD, "--template", "没有这个模板.pptx"], 2, "找不到模板文件"),
    (["--period", PERIOD, "--indicators", "land_cleard"], 1, "land_cleared"),
    (["--period", "2030-01"], 1, "2030-01 没有全区的月度数据"),
])
def test_export_deck_refuses_bad_requests_in_chinese_with_the_contracts_exit_codes(db, tmp_path, args, code, message):
    out = tmp_path / "汇报.pptx"
    result = run_cli("export-deck", "--out", str(out), *args, db=db)
    assert result.returncode == code
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_unreadable_template_file_exits_2(db, tmp_path):
    broken = tmp_path / "坏.pptx"
    broken.write_bytes(b"PK\x03\x04 broken")
    result = run_cli("export-deck", "--period", PERIOD, "--out", str(tmp_path / "x.pptx"),
                     "--template", str(broken), db=db)
    assert result.returncode == 2 and "已损坏" in result.stderr


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<svg")])
def test_export_chart_writes_a_picture(db, tmp_path, fmt, magic):
    requires_system_tool(os.environ.get("BROWSER_PATH") or "chromium", "export-chart draws with the system Chromium")
    out = tmp_path / f"land.{fmt}"
    result = run_cli("export-chart", "land_cleared", "--period", PERIOD, "--format", fmt, "--out", str(out),
                     db=db, check=True)
    assert out.read_bytes().lstrip()[:len(magic)] == magic
    assert "低效用地清理面积" in result.stdout


def test_export_chart_without_chromium_says_how_to_install_it_and_exits_1(db, tmp_path):
    env = {**os.environ, "METRICS_DB": str(db), "BROWSER_PATH": str(tmp_path / "chromium")}
    result = subprocess.run([sys.executable, "-m", "metrics", "export-chart", "land_cleared", "--period", PERIOD,
                             "--format", "png", "--out", str(tmp_path / "x.png")],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "apt-get install chromium" in result.stderr


@pytest.mark.parametrize("args, code", [
    (["export-chart", "land_cleard", "--period", PERIOD, "--format", "png"], 1),
    (["export-chart", "land_cleared", "--period", PERIOD, "--format", "gif"], 2),
])
def test_export_chart_refuses_unknown_indicators_and_formats(db, tmp_path, args, code):
    result = run_cli(*args, "--out", str(tmp_path / "x"), db=db)
    assert result.returncode == code and "Traceback" not in result.stderr
