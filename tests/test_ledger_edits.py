"""An editable 整改台账 (issue 16, item 5): edits laid over the report's rows survive `init`, the
lead unit's and the administrators' permissions, evidence archived by hash within the upload
limits, the 销号 rule, overdue measures, the xlsx in the usual columns, and the commands; on both
engines."""
import datetime as dt
import hashlib
import io
import json

import openpyxl
import pytest

from conftest import ADMIN, add_account, run_cli
from metrics import auth, ledger, tracker
from metrics.auth import PermissionDenied
from metrics.export import ledger_xlsx
from metrics.ingest.evidence import EVIDENCE_EXTENSIONS, attach_evidence
from metrics.ingest.read import MAX_FILE_BYTES
from metrics.store import StoreError

ADMIN_ACTOR = auth.Actor(ADMIN, "admin")
PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def measure(store, problem_id, no):
    _, _, measures = store.ledger()
    return measures[(measures["problem_id"] == problem_id) & (measures["measure_no"] == no)].iloc[0]


def problem(store, problem_id):
    _, problems, _ = store.ledger()
    return problems.set_index("id").loc[problem_id]


def lead_unit_editor(store, name="招商", department="招商局"):
    """An editor whose 填报任务 put them in `department`: how an account belongs to a lead unit."""
    actor = add_account(store, name, "editor")
    store.set_task("projects_signed_100m", "XX经济开发区", department=department, editors=[name], due_day=5,
                   by=ADMIN_ACTOR)
    return actor


def test_edits_survive_the_reference_data_being_loaded_again(store_on_each_engine):
    store = store_on_each_engine
    store.set_ledger("P20", by=ADMIN_ACTOR, lead_unit="招商局", leader="王副主任", deadline="2023-07-31")
    store.set_ledger("P20", 2, by=ADMIN_ACTOR, status="done", leader="李科长", indicators=["foreign_capital"])
    tracker.init_database(store)  # what every start of the app and `init` do
    store.load_reference()
    p20 = problem(store, "P20")
    assert (p20.lead_unit, p20.leader, p20.deadline, p20.status) == ("招商局", "王副主任", "2023-07-31", "in_progress")
    second, first = measure(store, "P20", 2), measure(store, "P20", 1)
    assert (second.status, second.leader, list(second.indicators)) == ("done", "李科长", ["foreign_capital"])
    # A measure with none of its own follows its problem's lead unit, leader and deadline.
    assert (first.status, first.lead_unit, first.leader, first.deadline) == ("in_progress", "招商局", "王副主任", "2023-07-31")
    # The rest is as the report gives it, and the report's own disagreement stays.
    progress = ledger.progress(*store.ledger())
    assert (progress.done, progress.in_progress, progress.measures_done) == (18, 6, 57)  # 56 as reported, 1 edited
    assert progress.disagreement().startswith("报告汇总称已整改完成17个、正在推进7个")


def test_every_edit_is_audited_with_before_and_after(store_on_each_engine):
    store = store_on_each_engine
    store.set_ledger("P21", 1, by=ADMIN_ACTOR, deadline="2023-06", indicators=["foreign_capital"])
    event = store.audit_log(action="ledger_edit").iloc[0]
    assert event["subject"] == "P21 第1项措施" and event["user_name"] == ADMIN
    assert json.loads(event["before"]) == {"deadline": "", "indicators": []}
    assert json.loads(event["after"]) == {"deadline": "2023-06", "indicators": ["foreign_capital"]}
    assert store.verify() == []


def test_an_account_of_the_lead_unit_edits_its_problem_but_not_its_lead_unit(store_on_each_engine):
    store = store_on_each_engine
    store.set_ledger("P19", by=ADMIN_ACTOR, lead_unit="招商局、经发局")
    actor = lead_unit_editor(store)
    store.set_ledger("P19", 1, by=actor, leader="张三", deadline="2023-08-31")
    assert measure(store, "P19", 1).leader == "张三"
    with pytest.raises(PermissionDenied, match="不是管理员，不能指定或调整P19的牵头单位"):
        store.set_ledger("P19", by=actor, lead_unit="招商局")
    store.set_ledger("P21", by=ADMIN_ACTOR, lead_unit="金鑫公司")
    with pytest.raises(PermissionDenied, match="所属部门为招商局（按填报任务），不是P21的牵头单位“金鑫公司”"):
        store.set_ledger("P21", by=actor, leader="张三")
    assert problem(store, "P21").leader == ""


def test_a_problem_without_a_lead_unit_is_the_administrators_and_signing_in_is_needed(store_on_each_engine):
    store = store_on_each_engine
    actor = lead_unit_editor(store)
    viewer = add_account(store, "领导", "viewer")
    with pytest.raises(PermissionDenied, match="P22 第1项措施尚未指定牵头单位，目前只有管理员可以修改"):
        store.set_ledger("P22", 1, by=actor, status="done")
    with pytest.raises(PermissionDenied, match="不属于任何部门"):
        store.set_ledger("P24", 1, by=viewer, status="done")  # 金鑫公司 leads P24
    with pytest.raises(PermissionDenied, match="需要先登录"):
        store.set_ledger("P24", 1, by=None, status="done")
    assert measure(store, "P22", 1).status == "in_progress" and measure(store, "P24", 1).status == "in_progress"
    assert store.audit_log(action="ledger_edit").empty


@pytest.mark.parametrize("kwargs, message", [
    ({"status": "closed"}, "状态“closed”无效"),
    ({"deadline": "2023-02-30"}, "完成时限“2023-02-30”无效"),
    ({"indicators": ["no_such"]}, "没有指标编码“no_such”"),
    ({}, "没有要修改的内容"),
])
def test_bad_edits_are_refused_in_chinese(store_on_each_engine, kwargs, message):
    with pytest.raises(StoreError, match=message):
        store_on_each_engine.set_ledger("P20", 1, by=ADMIN_ACTOR, **kwargs)


def test_unknown_problems_and_measures_are_named(store_on_each_engine):
    with pytest.raises(StoreError, match="整改台账中没有问题“P99”，编号应为 P01–P24"):
        store_on_each_engine.set_ledger("P99", by=ADMIN_ACTOR, leader="x")
    with pytest.raises(StoreError, match="问题 P23 只有 2 项整改措施，没有第 3 项"):
        store_on_each_engine.set_ledger("P23", 3, by=ADMIN_ACTOR, leader="x")


def test_evidence_is_archived_under_its_sha256_and_counted(store_on_each_engine):
    store = store_on_each_engine
    evidence_id = attach_evidence(store, "P21", 2, PDF, "招商合同.pdf", actor=ADMIN_ACTOR)
    sha256 = hashlib.sha256(PDF).hexdigest()
    held = store.evidence("P21").iloc[0]
    assert (held.id, held.measure_no, held.file_name, held.sha256, held.size_bytes) == (evidence_id, 2, "招商合同.pdf",
                                                                                        sha256, len(PDF))
    assert store.archived(sha256).read_bytes() == PDF
    assert f"{sha256}.pdf" in store.archive_names()
    assert measure(store, "P21", 2).evidence == 1
    assert json.loads(store.audit_log(action="ledger_evidence").iloc[0]["after"])["sha256"] == sha256
    with pytest.raises(StoreError, match="已是P21 第2项措施的佐证材料"):
        attach_evidence(store, "P21", 2, PDF, "again.pdf", actor=ADMIN_ACTOR)


def test_evidence_of_another_unit_is_refused_before_the_file_is_kept(store_on_each_engine):
    store = store_on_each_engine
    actor = lead_unit_editor(store)
    with pytest.raises(PermissionDenied, match="不是P24 第1项措施的牵头单位“金鑫公司”"):
        attach_evidence(store, "P24", 1, PDF, "x.pdf", actor=actor)
    assert store.archive_names() == [] and store.evidence().empty


@pytest.mark.parametrize("data, name, message", [
    (PDF, "证明.exe", "佐证材料不支持“.exe”类型"),
    (b"%PDF" + b"0" * MAX_FILE_BYTES, "大扫描件.pdf", "超过 20 MB 的上限"),
    (b"", "空.pdf", "是空的"),
    (b"GIF89a", "照片.png", "内容不是PNG 图片文件"),
    (PDF, "通知.docx", "已损坏，无法打开"),
    (PNG, "表.csv", "内容不是CSV 文本文件"),
])
def test_evidence_meets_the_upload_limits_and_its_content_matches_its_type(store_on_each_engine, data, name, message):
    with pytest.raises(StoreError, match=message):
        attach_evidence(store_on_each_engine, "P21", 1, data, name, actor=ADMIN_ACTOR)
    assert store_on_each_engine.archive_names() == []


def test_the_evidence_types_are_the_uploads_and_the_usual_documents_and_pictures():
    assert EVIDENCE_EXTENSIONS == (".xlsx", ".xls", ".ods", ".csv", ".pdf", ".jpg", ".jpeg", ".png", ".docx")


def test_a_docx_and_an_xlsx_are_accepted_after_their_container_checks(store_on_each_engine, tmp_path):
    from docx import Document
    book, doc = io.BytesIO(), io.BytesIO()
    openpyxl.Workbook().save(book)
    Document().save(doc)
    attach_evidence(store_on_each_engine, "P21", 1, book.getvalue(), "台账.xlsx", actor=ADMIN_ACTOR)
    attach_evidence(store_on_each_engine, "P21", 1, doc.getvalue(), "报告.docx", actor=ADMIN_ACTOR)
    assert measure(store_on_each_engine, "P21", 1).evidence == 2


def test_a_problem_closes_only_when_every_measure_is_done_with_evidence(store_on_each_engine):
    store = store_on_each_engine
    store.set_ledger("P23", 1, by=ADMIN_ACTOR, status="done")
    attach_evidence(store, "P23", 2, PNG, "现场.png", actor=ADMIN_ACTOR)
    with pytest.raises(StoreError) as refused:
        store.set_ledger("P23", by=ADMIN_ACTOR, status="done")
    assert str(refused.value) == ("P23 还不能销号：第1项措施（一是）没有佐证材料；第2项措施（二是）尚未完成。"
                                  "请先把这些措施标为已完成并上传佐证材料，本次没有做任何改动。")
    assert problem(store, "P23").status == "in_progress"
    attach_evidence(store, "P23", 1, PDF, "说明.pdf", actor=ADMIN_ACTOR)
    store.set_ledger("P23", 2, by=ADMIN_ACTOR, status="done")
    store.set_ledger("P23", by=ADMIN_ACTOR, status="done")
    assert problem(store, "P23").status == "done"
    assert ledger.progress(*store.ledger()).done == 19
    with pytest.raises(StoreError, match="P23 已销号（已整改完成），不能单独把其中的措施改回正在推进"):
        store.set_ledger("P23", 1, by=ADMIN_ACTOR, status="in_progress")


@pytest.mark.parametrize("status, deadline, today, late", [
    ("in_progress", "2023-06", dt.date(2023, 6, 30), False),   # a month's deadline runs to its last day
    ("in_progress", "2023-06", dt.date(2023, 7, 1), True),
    ("in_progress", "2023-06-15", dt.date(2023, 6, 15), False),
    ("in_progress", "2023-06-15", dt.date(2023, 6, 16), True),
    ("done", "2023-06-15", dt.date(2024, 1, 1), False),
    ("in_progress", "", dt.date(2099, 1, 1), False),
])
def test_a_measure_is_overdue_after_its_deadline_until_it_is_done(status, deadline, today, late):
    import pandas as pd
    assert ledger.overdue(pd.DataFrame({"status": [status], "deadline": [deadline]}), today).tolist() == [late]


def test_overdue_measures_follow_their_problems_deadline(store_on_each_engine):
    store = store_on_each_engine
    store.set_ledger("P20", 3, by=ADMIN_ACTOR, deadline="2023-12-31")
    _, _, measures = store.ledger()
    late = measures[ledger.overdue(measures, dt.date(2023, 7, 1))]
    assert list(zip(late["problem_id"], late["measure_no"])) == [("P20", 1), ("P20", 2)]  # P20's 2023-06


def test_the_ledger_exports_in_the_usual_columns(store_on_each_engine):
    store = store_on_each_engine
    store.set_ledger("P20", 1, by=ADMIN_ACTOR, leader="王副主任", lead_unit="招商局")
    attach_evidence(store, "P20", 1, PDF, "a.pdf", actor=ADMIN_ACTOR)
    summary, problems, measures = store.ledger()
    data = ledger_xlsx(problems, measures, ledger.progress(summary, problems, measures), dt.date(2023, 7, 1))
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["整改台账"].iter_rows(values_only=True))
    assert rows[0] == ("序号", "问题", "整改措施", "责任领导", "牵头单位", "完成时限", "整改进展", "状态")
    assert len(rows) == 1 + 70
    p20 = [r for r in rows if r[1] == "P20 招大引强力度不大"]
    assert p20[0][0] == 20 and p20[0][2].startswith("一是从全县各经济部门抽调40名年轻干部")
    assert p20[0][3:] == ("王副主任", "招商局", "2023-06", "推进中；佐证材料 1 份；已逾期", "正在推进")
    assert rows[1][6:] == ("已完成；佐证材料 0 份", "已整改完成")
    overdue_fill = book["整改台账"].cell(row=rows.index(p20[0]) + 1, column=1).fill.fgColor.rgb
    assert overdue_fill.endswith("F8CBAD") and not book["整改台账"].cell(row=2, column=1).fill.fgColor.rgb.endswith("F8CBAD")
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["口径"].startswith("报告汇总称已整改完成17个、正在推进7个，但报告逐项列出的为已整改完成18个")


def test_the_commands_edit_attach_and_export(store_on_each_engine, tmp_path):
    store = store_on_each_engine
    result = run_cli("ledger-set", "P23", "--measure", "2", "--status", "done", "--leader", "赵主任",
                     "--deadline", "2023-06-30", "--indicators", "foreign_capital,effective_investment", db=store)
    assert result.returncode == 0, result.stderr
    assert "已修改整改台账 P23 第2项措施：状态：已整改完成，责任领导：赵主任，完成时限：2023-06-30" in result.stdout
    (tmp_path / "现场.png").write_bytes(PNG)
    result = run_cli("ledger-evidence", "P23", "--measure", "2", str(tmp_path / "现场.png"), db=store)
    assert result.returncode == 0 and "已把“现场.png”作为 P23 第2项措施 的佐证材料存档" in result.stdout
    result = run_cli("ledger-set", "P23", "--status", "done", db=store)
    assert result.returncode == 1 and "错误：P23 还不能销号：第1项措施（一是）尚未完成、没有佐证材料。" in result.stderr
    result = run_cli("ledger-set", "P23", "--leader", "x", db=store, user="无此人")
    assert result.returncode == 1 and "没有账户“无此人”" in result.stderr
    listed = json.loads(run_cli("ledger", "--json", db=store, check=True).stdout)
    second = next(p for p in listed if p["id"] == "P23")["measures"][1]
    assert (second["status"], second["leader"], second["evidence"], second["indicators"]) == (
        "done", "赵主任", 1, ["effective_investment", "foreign_capital"])  # in catalogue order
    text = run_cli("ledger", "--today", "2023-07-01", db=store, check=True).stdout
    assert "[逾期] 第1项措施（一是）时限 2023-06，尚未完成" in text
    out = tmp_path / "台账.xlsx"
    result = run_cli("ledger", "--xlsx", str(out), "--today", "2023-07-01", db=store, check=True)
    assert "逾期 3 项" in result.stdout  # P20's first and third, P23's first (P20's second is its own 2023-06)
    assert openpyxl.load_workbook(out)["整改台账"].cell(row=1, column=8).value == "状态"
    assert run_cli("ledger", "--xlsx", str(tmp_path / "x.csv"), db=store).returncode == 2


def test_edits_and_evidence_move_with_copy_store(tmp_path, postgres_url):
    from conftest import initialised_store
    from metrics.store import Store
    from metrics.store.copying import copy_store, differences
    source = initialised_store(tmp_path / "metrics.duckdb")
    source.set_ledger("P21", 1, by=ADMIN_ACTOR, status="done", leader="钱副主任", indicators=["foreign_capital"])
    attach_evidence(source, "P21", 1, PDF, "合同.pdf", actor=ADMIN_ACTOR)
    destination = Store(postgres_url)
    counts = copy_store(source, destination)
    assert (counts["ledger_edit"], counts["measure_indicator"], counts["measure_evidence"]) == (1, 1, 1)
    assert differences(source, destination) == []
    moved = measure(destination, "P21", 1)
    assert (moved.status, moved.leader, moved.evidence, list(moved.indicators)) == ("done", "钱副主任", 1, ["foreign_capital"])
    assert destination.archived(hashlib.sha256(PDF).hexdigest()).read_bytes() == PDF
    assert attach_evidence(destination, "P21", 1, PNG, "现场.png", actor=ADMIN_ACTOR) == 2  # numbering continues
