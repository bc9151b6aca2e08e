"""Issue 3: `python -m metrics import|template|undo` as a user runs them, per docs/DESIGN.md's contract."""
import json

from conftest import add_account, run_cli
from import_fixtures import csv_bytes


def test_a_clean_file_is_imported_with_exit_0_and_shows_in_show_json(empty_store, import_corpus):
    result = run_cli("import", str(import_corpus["ytd_only_long.csv"]), db=empty_store.path)
    assert result.returncode == 0, result.stderr
    assert "已导入批次 1" in result.stdout and "undo 1" in result.stdout
    shown = json.loads(run_cli("show", "land_cleared", "--json", db=empty_store.path, check=True).stdout)
    assert [(r["period"], r["value"], r["ytd"]) for r in shown] == [
        ("2023-01", 100, 100), ("2023-02", 150, 250), ("2023-03", 50, 300)]


def test_json_output_gives_ok_errors_warnings_and_summary(empty_store, import_corpus):
    result = run_cli("import", str(import_corpus["warn_jump.csv"]), "--json", db=empty_store.path)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["ok"] is True
    assert report["errors"] == [] and report["summary"] == {"new": 2, "changed": 0, "unchanged": 0}
    assert set(report["warnings"][0]) == {"sheet", "row", "column", "value", "indicator", "entity", "message"}
    assert report["warnings"][0]["indicator"] == "低效用地清理面积" and report["infos"] == []


def test_a_rejected_file_exits_1_with_one_chinese_line_per_error_and_writes_nothing(empty_store, import_corpus):
    result = run_cli("import", str(import_corpus["err_many.xlsx"]), db=empty_store.path)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("错误：")]
    assert len(lines) == 6
    assert lines[0].startswith("错误：工作表“数据”第3行C（数值）列，值“约30”：不是数字")
    assert "没有写入任何数据" in result.stderr and "Traceback" not in result.stderr
    assert empty_store.batches().empty


def test_json_output_of_a_rejected_file_lists_each_error_with_its_place(empty_store, import_corpus):
    result = run_cli("import", str(import_corpus["err_duplicate.csv"]), "--json", db=empty_store.path)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["ok"] is False
    assert report["errors"][0] | {"message": ""} == {"sheet": "err_duplicate.csv", "row": 4, "column": "C（数值）",
                                                     "value": "130", "indicator": "低效用地清理面积",
                                                     "entity": "XX经济开发区", "message": ""}


def test_a_file_that_cannot_be_read_exits_2(empty_store, import_corpus, tmp_path):
    encrypted = run_cli("import", str(import_corpus["safety_encrypted.xlsx"]), db=empty_store.path)
    missing = run_cli("import", str(tmp_path / "没有这个文件.xlsx"), db=empty_store.path)
    assert encrypted.returncode == 2 and "加密" in encrypted.stderr
    assert missing.returncode == 2 and "找不到文件" in missing.stderr
    assert "Traceback" not in encrypted.stderr + missing.stderr


def test_a_dry_run_checks_and_previews_but_writes_nothing(empty_store, import_corpus):
    result = run_cli("import", str(import_corpus["long_codes.csv"]), "--dry-run", db=empty_store.path)
    assert result.returncode == 0 and "试导入通过" in result.stdout and "新增 3 个" in result.stdout
    assert empty_store.batches().empty


def test_the_sheet_and_user_options_choose_the_sheet_and_record_the_uploader(empty_store, import_corpus):
    add_account(empty_store, "王统计", "editor")
    result = run_cli("import", str(import_corpus["monthly_report_second_sheet.xlsx"]), "--sheet", "备用",
                     "--user", "王统计", db=empty_store.path)
    assert result.returncode == 0, result.stderr
    assert empty_store.observations().value.tolist() == [99]
    assert empty_store.batches().user_name.tolist() == ["王统计"]


def test_warnings_are_printed_and_the_import_is_accepted(empty_store, import_corpus):
    result = run_cli("import", str(import_corpus["warn_jump.csv"]), db=empty_store.path)
    assert result.returncode == 0 and "提醒：" in result.stdout and "10 倍" in result.stdout


def test_an_unknown_entity_is_refused_with_exit_1(empty_store, import_corpus):
    result = run_cli("import", str(import_corpus["err_unknown_entity.csv"]), db=empty_store.path)
    assert result.returncode == 1 and "XX经开区" in result.stderr + result.stdout


def test_the_template_command_writes_a_template_that_imports_back(empty_store, tmp_path):
    out = tmp_path / "模板.xlsx"
    result = run_cli("template", "--period", "2023-05", "--out", str(out), db=empty_store.path)
    assert result.returncode == 0 and out.exists()
    blank = run_cli("import", str(out), db=empty_store.path)
    assert blank.returncode == 1 and "没有找到任何数值" in blank.stderr


def test_the_template_command_refuses_a_bad_period_with_exit_2(empty_store, tmp_path):
    result = run_cli("template", "--period", "2023年5月", "--out", str(tmp_path / "t.xlsx"), db=empty_store.path)
    assert result.returncode == 2 and "YYYY-MM" in result.stderr


def test_undo_restores_the_old_figure_and_show_history_keeps_both(empty_store, tmp_path):
    first, second = tmp_path / "五月.csv", tmp_path / "五月更正.csv"
    first.write_bytes(csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 120]]))
    second.write_bytes(csv_bytes([["指标编码", "期间", "数值"], ["land_cleared", "2023-05", 125]]))
    run_cli("import", str(first), db=empty_store.path, check=True)
    run_cli("import", str(second), db=empty_store.path, check=True)
    undo = run_cli("undo", "2", db=empty_store.path)
    assert undo.returncode == 0 and "已撤销批次 2" in undo.stdout
    shown = json.loads(run_cli("show", "land_cleared", "--history", "--json", db=empty_store.path, check=True).stdout)
    assert shown[0]["value"] == 120 and [h["value"] for h in shown[0]["history"]] == [125]
    again = run_cli("undo", "2", db=empty_store.path)
    assert again.returncode == 1 and "撤销过" in again.stderr


def test_undo_of_a_batch_that_does_not_exist_or_is_not_a_number_is_refused(empty_store):
    assert run_cli("undo", "99", db=empty_store.path).returncode == 1
    assert run_cli("undo", "最后一个", db=empty_store.path).returncode == 2
