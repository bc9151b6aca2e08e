"""`python -m metrics …`: a thin command line over the library. Messages are in Chinese.

Exit codes: 0 done, 1 rejected (nothing written), 2 bad arguments or an unreadable file.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

from . import auth, backup, catalog, ledger, periods, tracker
from .catalog import EntityKind, IndicatorKind
from .narrative import explanation_sentence
from .periods import is_period
from .store import Store, StoreError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
LOW_DISK_BYTES = 200 * 2**20


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"参数错误：{_translate_argparse(message)}。用 `python -m metrics -h` 查看用法。", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _translate_argparse(message: str) -> str:
    replacements = {
        "the following arguments are required": "缺少必需的参数",
        "unrecognized arguments": "无法识别的参数",
        "invalid choice": "无效的选项",
        "expected one argument": "需要一个值",
        "argument": "参数",
        "choose from": "可选",
    }
    for en, zh in replacements.items():
        message = message.replace(en, zh)
    return message


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(type(value).__name__)


def _clean(value):
    """NaN and numpy scalars to plain JSON values."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def cmd_init(args, store: Store) -> int:
    applied = tracker.init_database(store)
    schema = f"已升级数据库结构到第 {applied[-1]} 版" if applied else "数据库结构已是最新"
    print(f"{schema}；已载入指标目录 {len(catalog.indicators())} 项、目标 {len(catalog.targets())} 条、"
          f"报告数据 {len(catalog.report_figures())} 条、整改问题 {len(catalog.ledger().problems)} 个。数据库：{store.location}")
    return EXIT_OK


def cmd_demo(args, store: Store) -> int:
    result = tracker.load_demo(store)
    if result["kept_reported"]:
        print(f"有 {result['kept_reported']} 个月份已有正式上传的数据，保留正式数据，不以示例数据覆盖。")
    if result["batch_id"] is None:
        print(f"示例数据已在库中，没有变化（{result['unchanged']} 个数据相同），未新建批次。")
        return EXIT_OK
    print(f"已载入示例数据（批次 {result['batch_id']}）：新增 {result['new']} 个、修改 {result['changed']} 个、"
          f"未变 {result['unchanged']} 个数据。示例数据在各页面均标注“示例数据”，可用 "
          f"`python -m metrics undo {result['batch_id']}` 撤销。")
    return EXIT_OK


def cmd_catalog(args, store: Store) -> int:
    inds = list(catalog.indicators().values())
    if args.json:
        _print_json([i.as_dict() for i in inds])
        return EXIT_OK
    kinds = {IndicatorKind.FLOW: "流量", IndicatorKind.LEVEL: "存量", IndicatorKind.DERIVED: "派生"}
    for i in inds:
        print(f"{i.code:<26}{i.name}（{i.unit}，{kinds[i.kind]}，{i.category}）")
    return EXIT_OK


def cmd_show(args, store: Store) -> int:
    _require_initialised(store)
    ind = catalog.indicators().get(args.code)
    if ind is None:
        raise StoreError(tracker.unknown_indicator_message(args.code))
    series = tracker.indicator_table(store, args.code, args.entity)
    rows = []
    for r in series.to_dict("records"):
        row = {"period": r["period"], "months": int(r["months"]), "value": _clean(r["value"]),
               "illustrative": bool(r.get("illustrative", False))}
        if ind.kind == IndicatorKind.FLOW:
            row["ytd"] = _clean(r["ytd"])
        rows.append(row)
    history = []
    if args.history:
        if ind.kind == IndicatorKind.DERIVED:
            raise StoreError(f"“{ind.name}”是派生指标，由公式计算，没有上传修订历史。请查看其组成指标：{'、'.join(ind.inputs)}。")
        h = store.history(args.code, args.entity)
        history = [{"period": r["period"], "months": int(r["months"]), "value": _clean(r["value"]),
                    "revision": int(r["revision"]), "batch": int(r["batch_id"]), "file": r["file_name"],
                    "user": r["user_name"], "at": r["created_at"], "current": bool(r["is_current"]),
                    "undone": not pd.isna(r["undone_at"]), "restated": bool(r["restated"]),
                    "published_yoy": _clean(r["published_yoy"]), "review": r["review"]}
                   for r in h.to_dict("records")]
    if args.json:
        if args.history:
            superseded = [h for h in history if not h["current"]]
            shown = {row["period"] for row in rows}
            # A month whose every revision is undone has no figure now, but its history is still there.
            for period in sorted({h["period"] for h in superseded} - shown):
                first = next(h for h in superseded if h["period"] == period)
                rows.append({"period": period, "months": first["months"], "value": None, "illustrative": False,
                             **({"ytd": None} if ind.kind == IndicatorKind.FLOW else {})})
            rows.sort(key=lambda row: row["period"])
            for row in rows:
                row["history"] = [h for h in superseded if h["period"] == row["period"]]
        _print_json(rows)
        return EXIT_OK
    print(f"{ind.name}（{ind.code}，单位：{ind.unit}） 主体：{args.entity}")
    if any(r["illustrative"] for r in rows):
        print("【示例数据】以下数字为系统生成的示例数据，不是真实统计。")
    for r in rows:
        label = periods.period_label(r["period"], r["months"])
        line = f"{label:<12}{_fmt(r['value'], ind.decimals):>14}"
        if ind.kind == IndicatorKind.FLOW:
            line += f"   累计 {_fmt(r['ytd'], ind.decimals)}"
        print(line)
    if args.history:
        print("修订历史：")
        for h in history:
            state = ("当前" if h["current"] else "已撤销" if h["undone"] else
                     {"pending": "待审核", "rejected": "已退回"}.get(h["review"], "已被替换"))
            if h["restated"]:
                state += "（重报未变）"
            print(f"  {h['period']} 第{h['revision']}版 {_fmt(h['value'], ind.decimals)}  批次{h['batch']} "
                  f"{h['file']} {h['user']} {h['at']:%Y-%m-%d %H:%M} {state}")
    return EXIT_OK


def _fmt(value, decimals: int) -> str:
    return "—" if value is None else f"{value:,.{decimals}f}"


def cmd_ledger(args, store: Store) -> int:
    import datetime as dt
    _require_initialised(store)
    summary, problems, measures = store.ledger()
    progress = ledger.progress(summary, problems, measures)
    disagreement = progress.disagreement()
    today = args.today or dt.date.today()
    late = ledger.overdue(measures, today)
    if args.xlsx:
        from .export import ledger_xlsx
        if not args.xlsx.lower().endswith(".xlsx"):
            print("参数错误：--xlsx 应为 .xlsx 文件，例如 整改台账.xlsx。", file=sys.stderr)
            return EXIT_USAGE
        try:
            Path(args.xlsx).write_bytes(ledger_xlsx(problems, measures, progress, today))
        except OSError as exc:
            return _cannot_write(args.xlsx, exc)
        print(f"已导出整改台账：{args.xlsx}（问题 {progress.total} 个、措施 {progress.measures} 项，逾期 {int(late.sum())} 项）。")
        return EXIT_OK
    items = []
    for p in problems.to_dict("records"):
        ms = measures[measures["problem_id"] == p["id"]]
        items.append({
            "id": p["id"], "section": p["section"], "title": p["title"], "status": p["status"],
            "lead_unit": p["lead_unit"], "leader": p["leader"], "deadline": p["deadline"], "indicators": p["indicators"],
            "measures": [{"no": int(m["measure_no"]), "ordinal": m["ordinal"], "text": m["text"], "status": m["status"],
                          "lead_unit": m["lead_unit"], "leader": m["leader"], "deadline": m["deadline"],
                          "indicators": m["indicators"], "evidence": int(m["evidence"]), "overdue": bool(late[index])}
                         for index, m in zip(ms.index, ms.to_dict("records"))],
        })
    if args.json:
        _print_json(items)
        if disagreement:
            print(f"注意：{disagreement}", file=sys.stderr)
        return EXIT_OK
    print(f"整改台账：问题 {progress.total} 个（已整改完成 {progress.done} 个，正在推进 {progress.in_progress} 个），"
          f"整改措施 {progress.measures} 项。")
    if disagreement:
        print(f"注意：{disagreement}")
    for i in items:
        extra = "".join(f"，{k}：{v}" for k, v in (("牵头单位", i["lead_unit"]), ("责任领导", i["leader"]),
                                                  ("时限", i["deadline"])) if v)
        print(f"{i['id']} [{ledger.STATUS_LABELS[i['status']]}] {i['title']}（报告{i['section']}，措施{len(i['measures'])}项{extra}）")
        for m in i["measures"]:
            if m["overdue"]:
                print(f"  [逾期] 第{m['no']}项措施（{m['ordinal']}）时限 {m['deadline']}，尚未完成")
    return EXIT_OK


def cmd_ledger_set(args, store: Store) -> int:
    _require_initialised(store)
    by = tracker.command_line_actor(store, _acting_user(args))
    indicators = None if args.indicators is None else args.indicators.replace("，", ",").split(",")
    after = store.set_ledger(args.problem, args.measure, by=by, status=args.status, lead_unit=args.lead_unit,
                             leader=args.leader, deadline=args.deadline, indicators=indicators)
    labels = {"status": "状态", "lead_unit": "牵头单位", "leader": "责任领导", "deadline": "完成时限", "indicators": "关联指标"}
    shown = {"status": lambda v: ledger.STATUS_LABELS[v], "indicators": lambda v: "、".join(v) or "无"}
    changed = "，".join(f"{labels[k]}：{shown.get(k, lambda v: v or '（清空）')(v)}" for k, v in after.items())
    print(f"已修改整改台账 {ledger.item_name(args.problem, args.measure)}：{changed}（已记入操作日志）。")
    return EXIT_OK


def cmd_ledger_evidence(args, store: Store) -> int:
    from .ingest.evidence import attach_evidence
    _require_initialised(store)
    by = tracker.command_line_actor(store, _acting_user(args))
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"错误：无法读取 {args.file}（{exc.strerror or exc}）。请检查文件路径。", file=sys.stderr)
        return EXIT_USAGE
    evidence_id = attach_evidence(store, args.problem, args.measure, data, path.name, actor=by)
    print(f"已把“{path.name}”作为 {ledger.item_name(args.problem, args.measure)} 的佐证材料存档（编号 {evidence_id}），"
          "已记入操作日志。")
    return EXIT_OK


def cmd_users(args, store: Store) -> int:
    _require_initialised(store)
    if args.action == "list":
        users = store.users()
        if args.json:
            _print_json(users.to_dict("records"))
        elif users.empty:
            print("还没有任何账户。创建第一个管理员：python -m metrics users add 用户名 --role admin")
        else:
            for u in users.to_dict("records"):
                state = "（已停用）" if u["disabled"] else ""
                print(f"{u['name']}\t{auth.ROLE_LABELS[u['role']]}{state}")
        return EXIT_OK
    if not args.name:
        raise StoreError(f"`users {args.action}` 需要用户名，例如：python -m metrics users {args.action} 张三")
    problem = auth.name_problem(args.name)
    if problem:
        raise StoreError(problem)
    by = _account_manager(args, store)
    if args.action == "disable":
        store.save_user(args.name, by=by, disabled=True)
        print(f"已停用账户“{args.name}”。")
        return EXIT_OK
    password = _read_password(args.name)
    if args.action == "add":
        store.save_user(args.name, by=by, password_hash=auth.hash_password(password, args.name), role=args.role,
                        create=True)
        print(f"已创建账户“{args.name}”，角色：{auth.ROLE_LABELS[args.role]}。")
    else:
        store.save_user(args.name, by=by, password_hash=auth.hash_password(password, args.name))
        print(f"已修改账户“{args.name}”的密码。")
    return EXIT_OK


def _account_manager(args, store: Store) -> auth.Actor:
    """An administrator's account; before any exists, whoever runs the server creates the first one."""
    users = store.users()
    no_administrator = not ((users["role"] == "admin") & ~users["disabled"].astype(bool)).any()
    if no_administrator and args.action == "add" and args.role == "admin":
        return auth.Actor(f"命令行:{auth.command_line_origin().split()[-1]}", "admin",
                          origin=auth.command_line_origin())
    return tracker.command_line_actor(store, _acting_user(args))


def _acting_user(args) -> str | None:
    return args.user or os.environ.get("METRICS_USER")


def _read_password(name: str) -> str:
    """From a prompt, or the first line of standard input when a script pipes it in."""
    import getpass
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != first:
            raise StoreError("两次输入的密码不一致，未做修改。")
    else:
        first = sys.stdin.readline().rstrip("\n")
    problem = auth.password_problem(first, name)
    if problem:
        raise StoreError(problem)
    return first


def cmd_backup(args, store: Store) -> int:
    _require_initialised(store)
    manifest = backup.backup(store, args.dir)
    print(f"已备份到 {args.dir}：数据库及上传存档共 {len(manifest['files'])} 个文件。恢复：python -m metrics restore {args.dir}")
    return EXIT_OK


def cmd_restore(args, store: Store) -> int:
    result = backup.restore(store, args.dir)
    kept = f"原数据库已保留为 {result['kept']}。" if result["kept"] else ""
    print(f"已从 {args.dir}（{result['created_at']} 的备份）恢复数据库，补回上传存档 {result['uploads']} 个文件。{kept}")
    return EXIT_OK


def cmd_health(args, store: Store) -> int:
    _require_initialised(store)
    result = store.health()
    problems = store.verify()
    for problem in problems:
        print(f"数据不一致：{problem}", file=sys.stderr)
    if problems:
        print("请用 `python -m metrics restore 备份目录` 从最近的备份恢复，或联系维护人员。", file=sys.stderr)
        return EXIT_REJECTED
    if args.archive:
        with tempfile.TemporaryDirectory(prefix="metrics-rebuild-") as workdir:
            _, differences = backup.rebuild_from_archive(store, Path(workdir))
        for difference in differences:
            print(f"存档核对：{difference}", file=sys.stderr)
        if differences:
            return EXIT_REJECTED
        print("存档核对：由上传存档重建的数据库与现有数据库完全一致。")
    # Beside a database server, whose own disk its administrator watches, the disk that fills is this
    # server's: its parse worker's and the archive's local copies.
    free = shutil.disk_usage(store.backend.work_folder).free
    print(f"数据库可读可写（{store.backend.dialect}，结构第 {result['schema_version']} 版，数据 {result['figures']} 条），"
          f"磁盘剩余 {free / 2**30:.1f} GB。")
    if free < LOW_DISK_BYTES:
        print(f"警告：磁盘剩余空间不足 {LOW_DISK_BYTES // 2**20} MB，上传可能失败。请清理磁盘或扩容。", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def cmd_export_deck(args, store: Store) -> int:
    # python-pptx and openpyxl load only when something is exported.
    from .export import ImageExportError, TemplateError, export_deck
    _require_initialised(store)
    codes = [c.strip() for c in args.indicators.split(",") if c.strip()] if args.indicators else None
    try:
        plan, _ = export_deck(store, args.period, args.out, template=args.template, codes=codes,
                              pictures=args.pictures)
    except TemplateError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImageExportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
    except OSError as exc:
        return _cannot_write(args.out, exc)
    kind = "图片" if args.pictures else "可编辑（原生）"
    print(f"已生成汇报幻灯片 {args.out}：共 {len(plan.slides)} 页，{kind}图表 {len(plan.charts)} 个。")
    if any(s.illustrative for s in plan.slides):
        print("注意：其中含示例数据，相关页面已标注“示例数据”。")
    return EXIT_OK


def cmd_export_report(args, store: Store) -> int:
    # python-docx loads only when a report is exported.
    from .export import ImageExportError, export_report
    _require_initialised(store)
    if Path(args.out).suffix.lower() != ".docx":
        print(f"错误：输出文件 {args.out} 应以 .docx 结尾（Word 文档），例如 --out 2023-04汇报材料.docx。", file=sys.stderr)
        return EXIT_USAGE
    try:
        plan, _ = export_report(store, args.period, args.out, entity=args.entity, pictures=not args.no_pictures)
    except ImageExportError as exc:
        print(f"错误：{exc}如不需要图表图片，可加 --no-pictures 生成不含图片的汇报材料。", file=sys.stderr)
        return EXIT_REJECTED
    except OSError as exc:
        return _cannot_write(args.out, exc)
    items = sum(len(s.items) for s in plan.sections)
    pictures = "未插入图表图片（--no-pictures）" if args.no_pictures else f"滞后指标图表 {len(plan.charts)} 幅"
    print(f"已生成汇报材料 {args.out}：{len(plan.sections)} 个类别、{items} 项指标，{pictures}。")
    if plan.illustrative_note:
        print("注意：其中含示例数据，文中已标注“示例数据”。")
    return EXIT_OK


def cmd_export_chart(args, store: Store) -> int:
    from .export import ImageExportError, chart_picture, indicator_charts
    _require_initialised(store)
    chart = indicator_charts(store, args.code, args.period)[0]
    try:
        image = chart_picture(chart.kind, chart.data, args.format)
    except ImageExportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
    try:
        with open(args.out, "wb") as f:
            f.write(image)
    except OSError as exc:
        return _cannot_write(args.out, exc)
    print(f"已导出“{chart.data.title}”为 {args.format.upper()}：{args.out}")
    return EXIT_OK


def cmd_import(args, store: Store) -> int:
    # The readers (calamine, openpyxl) load only when a file is imported.
    from .ingest import import_file
    if not os.path.isfile(args.file):
        print(f"错误：找不到文件“{args.file}”。请检查路径和文件名。", file=sys.stderr)
        return EXIT_USAGE
    _require_initialised(store)
    actor = tracker.command_line_actor(store, _acting_user(args))
    result = import_file(store, Path(args.file), actor=actor, sheet=args.sheet, dry_run=args.dry_run,
                         lock_reason=args.reason or "")
    if args.json:
        _print_json(result.as_json())
        return result.exit_code
    for problem in result.errors:
        print(problem.line(), file=sys.stderr)
    for problem in [*result.warnings, *result.infos]:
        print(problem.line())
    counts = result.summary
    changes = f"新增 {counts['new']} 个、修改 {counts['changed']} 个、未变 {counts['unchanged']} 个数据"
    if result.writes_only_notes:
        changes = (f"只写入 {result.new_notes} 个数据新填写或修改过的备注（备注即该月情况说明的原因分析），"
                   f"数值没有变化（{counts['unchanged']} 个数据与库中相同）")
    if not result.readable:
        print(f"未导入：无法读取文件“{result.file_name}”。", file=sys.stderr)
    elif result.errors:
        print(f"未导入：文件“{result.file_name}”有 {len(result.errors)} 个错误，没有写入任何数据。"
              "请按上面的说明逐条修改后重新导入。", file=sys.stderr)
    elif result.changes_nothing:
        print(f"文件中的 {counts['unchanged']} 个数据与库中完全相同，备注也没有新内容，没有变化，"
              f"{'不会' if args.dry_run else '未'}新建批次。")
    elif args.dry_run:
        print(f"试导入通过（未写入）：将{changes}。去掉 --dry-run 即可正式导入。")
    elif result.pending_review:
        print(f"已提交批次 {result.batch_id}（{result.file_name}），待审核：{changes}。审核通过后才计入各页面和汇报材料；"
              f"如需撤回：python -m metrics undo {result.batch_id}")
    else:
        print(f"已导入批次 {result.batch_id}（{result.file_name}）：{changes}。"
              f"如需撤销：python -m metrics undo {result.batch_id}")
    return result.exit_code


def cmd_template(args, store: Store) -> int:
    from .ingest import parse_period, write_template
    if not args.out.lower().endswith(".xlsx"):
        print(f"参数错误：--out 应为 .xlsx 文件，例如 模板{args.period}.xlsx。", file=sys.stderr)
        return EXIT_USAGE
    _require_initialised(store)
    period = parse_period(args.period)
    try:
        write_template(store, period, Path(args.out))
    except OSError as exc:
        return _cannot_write(args.out, exc)
    print(f"已生成 {period.label} 的填报模板：{args.out}。填好后用 `python -m metrics import {args.out}` 导入，或在上传页面上传。")
    return EXIT_OK


def cmd_undo(args, store: Store) -> int:
    from .ingest import undo_upload
    _require_initialised(store)
    actor = tracker.command_line_actor(store, _acting_user(args))
    effects = store.undo_effects(args.batch)
    undone = undo_upload(store, args.batch, actor)
    print(f"已撤销批次 {undone['batch_id']}（{undone['file_name']}）：{undone['figures']} 个数据恢复为此前的值，"
          "批次及其数据仍保留在修订历史中。")
    for line in tracker.undo_lines(effects):
        print(f"  {line}")
    if undone["removed_entities"]:
        print(f"随批次新建、已不再使用的主体已移除：{'、'.join(undone['removed_entities'])}。")
    return EXIT_OK


def cmd_approve(args, store: Store) -> int:
    _require_initialised(store)
    by = tracker.command_line_actor(store, _acting_user(args))
    approved = store.approve_batch(args.batch, by=by)
    print(f"已审核通过批次 {approved['batch_id']}（{approved['file_name']}，{approved['user_name']}上传）："
          f"{approved['figures']} 个数据已生效，各页面和汇报材料随即显示。")
    return EXIT_OK


def cmd_reject(args, store: Store) -> int:
    _require_initialised(store)
    by = tracker.command_line_actor(store, _acting_user(args))
    rejected = store.reject_batch(args.batch, args.reason, by=by)
    print(f"已退回批次 {rejected['batch_id']}（{rejected['file_name']}，{rejected['user_name']}上传），其数据不会生效。"
          f"退回原因已在上传页面告知上传人，修改后可重新上传。")
    return EXIT_OK


def cmd_review(args, store: Store) -> int:
    _require_initialised(store)
    if args.action != "status":
        store.set_review_required(args.action == "on", by=tracker.command_line_actor(store, _acting_user(args)))
    waiting = store.pending_figures()["batch_id"].nunique()
    state = ("已开启：上传的数据须经审核（审核人或管理员）通过后才生效" if store.review_required()
             else "已关闭：上传的数据确认后立即生效")
    print(f"上传审核{state}。当前待审核批次 {waiting} 个。")
    return EXIT_OK


def cmd_copy_store(args, store: Store) -> int:
    from .store.copying import copy_store, differences
    _require_initialised(store)
    destination = Store(args.to)
    if destination.location == store.location:
        raise StoreError("源数据库和目标相同，无需复制。")
    counts = copy_store(store, destination)
    problems = differences(store, destination)
    for problem in problems:
        print(f"核对不一致：{problem}", file=sys.stderr)
    if problems:
        print(f"复制后核对发现 {len(problems)} 处不一致，请勿切换到目标库，并把以上信息发给维护人员。", file=sys.stderr)
        return EXIT_REJECTED
    print(f"已把 {store.location} 复制到 {destination.location}：数据 {counts['observation']} 条修订、"
          f"批次 {counts['batch']} 个、操作日志 {counts['audit_event']} 条、上传文件 {counts['uploads']} 个；"
          "逐表逐行核对一致，操作日志校验链完整。")
    return EXIT_OK


def cmd_entities(args, store: Store) -> int:
    _require_initialised(store)
    if args.action == "list":
        entities = store.entities()
        if args.json:
            _print_json([{"name": e["name"], "kind": e["kind"], "illustrative": bool(e["illustrative"]),
                          "aliases": list(e["aliases"])} for e in entities.to_dict("records")])
            return EXIT_OK
        kinds = {EntityKind.ZONE: "园区", EntityKind.ENTERPRISE: "企业"}
        for e in entities.to_dict("records"):
            aliases = f"（别名：{'、'.join(e['aliases'])}）" if e["aliases"] else ""
            print(f"{e['name']}\t{kinds.get(e['kind'], e['kind'])}{'，示例' if e['illustrative'] else ''}{aliases}")
        return EXIT_OK
    needed = {"add": 1, "rename": 2, "merge": 2, "alias": 2, "unalias": 1, "delete": 1}[args.action]
    if len(args.names) != needed:
        usage = {"add": "add 名称 [--kind zone|enterprise]", "rename": "rename 原名 新名", "merge": "merge 被合并的 保留的",
                 "alias": "alias 别名 主体", "unalias": "unalias 别名", "delete": "delete 名称"}[args.action]
        raise StoreError(f"`entities {args.action}` 需要 {needed} 个名称，例如：python -m metrics entities {usage}")
    by = tracker.command_line_actor(store, _acting_user(args))
    names = args.names
    if args.action == "add":
        store.add_entity(names[0], args.kind, by=by)
        print(f"已新建主体“{names[0]}”。")
    elif args.action == "rename":
        store.rename_entity(names[0], names[1], by=by)
        print(f"已将“{names[0]}”改名为“{names[1]}”；原名保留为别名，使用原名的文件仍能识别。")
    elif args.action == "merge":
        summary = store.merge_entities(names[0], names[1], by=by)
        moved = f"（批次 {summary.batch_id}，{summary.new + summary.changed} 个数据）" if summary.batch_id else "（没有需要移动的数据）"
        print(f"已将“{names[0]}”合并到“{names[1]}”{moved}；“{names[0]}”已设为别名。")
    elif args.action == "alias":
        store.set_alias(names[0], names[1], by=by)
        print(f"已设置别名：“{names[0]}”即“{names[1]}”。")
    elif args.action == "unalias":
        store.remove_alias(names[0], by=by)
        print(f"已删除别名“{names[0]}”。")
    else:
        store.delete_entity(names[0], by=by)
        print(f"已删除主体“{names[0]}”（其修订历史仍保留）。")
    return EXIT_OK


def cmd_tasks(args, store: Store) -> int:
    from .tasks import SENT_STATES, UNEXPLAINED_LABEL, TaskState, progress
    _require_initialised(store)
    statuses = progress(store, args.period, args.today)
    if args.json:
        _print_json([s.as_json() for s in statuses])
        return EXIT_OK
    reported = sum(s.state in SENT_STATES for s in statuses)
    waiting = sum(s.state == TaskState.PENDING_REVIEW for s in statuses)
    unexplained = sum(s.unexplained for s in statuses)
    print(f"{args.period} 填报进度：已报 {reported}/{len(statuses)}" + (f"，其中待审核 {waiting}" if waiting else "")
          + "（逾期在前）"
          + (f"；{unexplained} 项滞后且尚无情况说明，用 `python -m metrics note` 填写。" if unexplained else "。"))
    for s in statuses:
        editors = "、".join(s.editors) or "未指定填报人"
        flag = f"  [{UNEXPLAINED_LABEL}]" if s.unexplained else ""
        print(f"[{s.label}] {s.indicator}（{s.code}） {s.entity}  {s.department}：{editors}  截止 {s.due:%Y-%m-%d}{flag}")
    return EXIT_OK


def cmd_note(args, store: Store) -> int:
    _require_initialised(store)
    if args.text is None and args.next is None:
        raise StoreError("请用 --text 填写原因分析，或用 --next 填写下步措施，例如："
                         "python -m metrics note land_cleared --period 2023-05 --text \"征收进度滞后\"")
    if args.code not in catalog.indicators():
        raise StoreError(tracker.unknown_indicator_message(args.code))
    entity = tracker.resolve_entity(store, args.entity)
    by = tracker.command_line_actor(store, _acting_user(args))
    revision = store.write_explanation(args.code, entity, args.period, reason=args.text, next_steps=args.next, by=by)
    explained = store.explanations(args.period, entity=entity, code=args.code).iloc[0]
    print(f"已保存{catalog.indicators()[args.code].name}（{entity}，{args.period}）的情况说明，第 {revision} 版：")
    print(explanation_sentence(explained["reason"], explained["next_steps"]))
    return EXIT_OK


def cmd_remind(args, store: Store) -> int:
    from .channels import CHANNEL_KINDS
    from .remind import send_reminders
    _require_initialised(store)
    by = tracker.command_line_actor(store, _acting_user(args))
    auth.require(by, "reminders")
    run = send_reminders(store, args.period, by=by, today=args.today, dry_run=args.dry_run)
    if not run.due:
        print(f"{args.period} 的数据已全部报送，无需催报。")
        return EXIT_OK
    for o in run.outcomes:
        where = f"{CHANNEL_KINDS[o.channel_kind]}（渠道{o.channel_id}）→ {o.recipient}"
        if o.ok is None:
            print(f"将发送 {where}：\n{o.text}\n")
        elif o.ok:
            print(f"已发送 {where}" + (f"（第 {o.attempts} 次尝试成功）" if o.attempts > 1 else ""))
        else:
            print(f"发送失败 {where}：已尝试 {o.attempts} 次，{o.error}", file=sys.stderr)
    for owner in run.unreachable:
        print(f"未发送：{owner}。请管理员在“填报任务”页面填写联系方式。")
    if args.dry_run:
        print(f"试运行：共 {len(run.outcomes)} 条消息（{len(run.due)} 位责任人），没有发送，也没有记录。")
        return EXIT_OK
    sent = len(run.outcomes) - len(run.failed)
    print(f"催报完成：{len(run.due)} 位责任人，发送成功 {sent} 条、失败 {len(run.failed)} 条，均已记录。")
    return EXIT_REJECTED if run.failed else EXIT_OK


def cmd_channels(args, store: Store) -> int:
    from .channels import CHANNEL_KINDS, shown_settings
    _require_initialised(store)
    if args.action == "list":
        channels = [{**c, "settings": shown_settings(c["settings"])} for c in store.channels()]
        if args.json:
            _print_json(channels)
            return EXIT_OK
        if not channels:
            print("还没有催报渠道。添加：python -m metrics channels add wecom --url 机器人地址")
        for c in channels:
            settings = "，".join(f"{k}={v}" for k, v in c["settings"].items())
            print(f"{c['id']}\t{CHANNEL_KINDS[c['kind']]}\t{settings}")
        return EXIT_OK
    by = tracker.command_line_actor(store, _acting_user(args))
    if args.action == "remove":
        if not (args.target or "").isdigit():
            raise StoreError("`channels remove` 需要渠道编号，例如：python -m metrics channels remove 1（编号见 channels list）")
        store.remove_channel(int(args.target), by=by)
        print(f"已停用催报渠道 {args.target}。")
        return EXIT_OK
    if args.target not in CHANNEL_KINDS:
        raise StoreError(f"`channels add` 需要渠道类型：{'、'.join(f'{k}（{v}）' for k, v in CHANNEL_KINDS.items())}，"
                         "例如：python -m metrics channels add wecom --url 机器人地址")
    if args.target == "smtp":
        settings = {"host": args.host or "", "port": args.port, "sender": args.sender or "", "starttls": args.starttls}
        if args.login:
            settings.update(login=args.login, password=_read_secret("SMTP 密码："))
    else:
        settings = {"url": args.url or ""}
        if args.sign:  # read like a password, so the secret stays out of the shell's history
            settings["secret"] = _read_secret("钉钉加签密钥（SEC 开头）：").strip()
    channel_id = store.add_channel(args.target, settings, by=by)
    print(f"已添加催报渠道 {channel_id}：{CHANNEL_KINDS[args.target]}。试发：python -m metrics remind --period YYYY-MM --dry-run")
    return EXIT_OK


def _read_secret(prompt: str) -> str:
    """From a prompt, or the first line of standard input when a script pipes it in."""
    import getpass
    return getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")


def _date_argument(text: str):
    import datetime as dt
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应为 YYYY-MM-DD，例如 2023-06-05") from None


def _batch_argument(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"批次编号“{text}”应为正整数，见上传页面的“上传历史”")
    return int(text)


def _period_argument(text: str) -> str:
    """YYYY-MM, as every period in the store is written."""
    if not is_period(text):
        raise argparse.ArgumentTypeError(f"月份“{text}”格式不对，应为 YYYY-MM，例如 2023-04")
    return text


def _cannot_write(path: str, exc: OSError) -> int:
    print(f"错误：无法写入 {path}（{exc.strerror or exc}）。请检查目录是否存在、是否有写权限。", file=sys.stderr)
    return EXIT_USAGE


def _require_initialised(store: Store) -> None:
    if not store.is_initialised():
        raise StoreError(f"数据库 {store.location} 尚未初始化。请先运行 `python -m metrics init`（需要示例数据再运行 `python -m metrics demo`）。")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="python -m metrics",
        description="开发区指标跟踪：命令行。数据库：环境变量 METRICS_DATABASE_URL（postgresql://…），"
                    "否则 METRICS_DB 指定的 DuckDB 文件（默认 data/metrics.duckdb）。")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", parser_class=ChineseArgumentParser)

    sub.add_parser("init", help="创建或升级数据库，载入指标目录、目标、报告数据和整改台账（可重复运行，不含示例数据）")
    sub.add_parser("demo", help="载入示例月度数据（作为一个标注为示例的批次）")

    p = sub.add_parser("catalog", help="列出指标目录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    p = sub.add_parser("show", help="显示一个指标的月度数据")
    p.add_argument("code", help="指标编码，例如 land_cleared")
    p.add_argument("--entity", default=catalog.ZONE, help=f"主体名称（默认：{catalog.ZONE}）")
    p.add_argument("--history", action="store_true", help="同时列出被替换或撤销的历史版本")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    p = sub.add_parser("ledger", help="显示整改台账（逾期的措施标出），或导出为 .xlsx")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--xlsx", help="导出为 .xlsx 文件（序号、问题、整改措施、责任领导、牵头单位、完成时限、整改进展、状态）")
    p.add_argument("--today", type=_date_argument, help="按这一天判断是否逾期，YYYY-MM-DD（默认今天）")

    p = sub.add_parser("ledger-set", help="修改整改台账中一个问题或措施的状态、牵头单位、责任领导、完成时限或关联指标"
                                          "（管理员，或该问题牵头单位的账户）")
    p.add_argument("problem", help="问题编号，例如 P01")
    p.add_argument("--measure", type=int, default=0, help="第几项整改措施（1、2、3…）；不给时修改问题本身")
    p.add_argument("--status", choices=list(ledger.LedgerStatus), help="done 已整改完成（问题销号须各项措施已完成并有佐证材料）、"
                                                                    "in_progress 正在推进")
    p.add_argument("--lead-unit", help="牵头单位（只有管理员可以指定或调整），多个用顿号分隔")
    p.add_argument("--leader", help="责任领导")
    p.add_argument("--deadline", help="完成时限，YYYY-MM-DD，或 YYYY-MM 表示当月底前；空字符串清除")
    p.add_argument("--indicators", help="措施应带动的指标编码，用逗号分隔；空字符串清除")
    p.add_argument("--user", help="执行修改的账户（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("ledger-evidence", help="为一项整改措施上传佐证材料（按 SHA-256 存档，大小和类型限制同数据上传）")
    p.add_argument("problem", help="问题编号，例如 P01")
    p.add_argument("--measure", type=int, required=True, help="第几项整改措施（1、2、3…）")
    p.add_argument("file", help="佐证材料文件：.pdf、.jpg、.png、.docx、.xlsx、.xls、.ods 或 .csv")
    p.add_argument("--user", help="上传人的账户（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("users", help="管理账户：add 新建、passwd 改密码、disable 停用、list 列出")
    p.add_argument("action", choices=["add", "passwd", "disable", "list"], help="操作")
    p.add_argument("name", nargs="?", help="用户名")
    p.add_argument("--role", choices=list(auth.ROLES), default="editor",
                   help="角色：viewer 查看、editor 填报、reviewer 审核、admin 管理员")
    p.add_argument("--user", help="执行操作的管理员账户（默认取环境变量 METRICS_USER；创建第一个管理员时不需要）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（list）")

    p = sub.add_parser("backup", help="把数据库和上传存档一致地复制到一个新目录")
    p.add_argument("dir", help="备份目录（须为新目录或空目录）")
    p = sub.add_parser("restore", help="从备份目录恢复数据库和上传存档（原数据库另存保留）")
    p.add_argument("dir", help="`backup` 生成的备份目录")
    p = sub.add_parser("health", help="检查数据库能否读写、数据是否一致、磁盘剩余空间")
    p.add_argument("--archive", action="store_true", help="另由上传存档重建一个数据库，与现有数据逐项核对")

    p = sub.add_parser("export-deck", help="生成领导汇报幻灯片（PowerPoint 原生可编辑图表）")
    p.add_argument("--period", required=True, type=_period_argument, help="月份，YYYY-MM，例如 2023-04")
    p.add_argument("--out", required=True, help="输出的 .pptx 文件")
    p.add_argument("--template", help="办公室的 PowerPoint 模板（.pptx 或 .potx），默认 data/deck_template.pptx")
    p.add_argument("--indicators", help="指标编码，用逗号分隔；默认为全部有目标的指标，滞后的在前")
    p.add_argument("--pictures", action="store_true", help="图表以图片插入（需要 Chromium），而非可编辑图表")

    p = sub.add_parser("export-report", help="生成本月 Word 汇报材料（公文格式 .docx，滞后指标附图表，需要 Chromium）")
    p.add_argument("--period", required=True, type=_period_argument, help="月份，YYYY-MM，例如 2023-04")
    p.add_argument("--out", required=True, help="输出的 .docx 文件")
    p.add_argument("--entity", default=catalog.ZONE, help=f"主体名称（默认：{catalog.ZONE}）")
    p.add_argument("--no-pictures", action="store_true", help="不插入图表图片（服务器没有 Chromium 时使用）")

    p = sub.add_parser("export-chart", help="把一个指标的月度图表导出为 PNG 或 SVG 图片（需要 Chromium）")
    p.add_argument("code", help="指标编码，例如 land_cleared")
    p.add_argument("--period", required=True, type=_period_argument, help="月份，YYYY-MM，例如 2023-04")
    p.add_argument("--format", required=True, choices=["png", "svg"], help="图片格式")
    p.add_argument("--out", required=True, help="输出文件")

    p = sub.add_parser("import", help="校验并导入一个数据文件（.xlsx、.xls、.csv）；有错误时整个文件不导入")
    p.add_argument("file", help="要导入的文件")
    p.add_argument("--dry-run", action="store_true", help="只校验和预览，不写入")
    p.add_argument("--sheet", help="只读取这个工作表（默认：读取所有可见且有可识别表格的工作表）")
    p.add_argument("--user", help="上传人的账户，须有填报权限（默认取环境变量 METRICS_USER）")
    p.add_argument("--reason", help="更正已锁定月份时的原因（记入批次和操作日志）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    p = sub.add_parser("template", help="生成某月的填报模板（.xlsx）")
    p.add_argument("--period", required=True, type=_period_argument, help="月份，YYYY-MM，例如 2023-05")
    p.add_argument("--out", required=True, help="输出的 .xlsx 文件")

    p = sub.add_parser("copy-store", help="把整个数据库复制到另一个引擎或文件（例如 postgresql://…），再逐表核对两者一致")
    p.add_argument("--to", required=True, help="目标：postgresql:// 开头的连接地址，或 DuckDB 文件路径")

    p = sub.add_parser("entities", help="主体（园区、企业）及其别名：list 列出、add 新建、rename 改名、merge 合并、"
                                        "alias/unalias 设置或删除别名、delete 删除未使用的（管理员）")
    p.add_argument("action", choices=["list", "add", "rename", "merge", "alias", "unalias", "delete"], help="操作")
    p.add_argument("names", nargs="*", help="主体名称（rename 为原名和新名，merge 为被合并的和保留的，alias 为别名和主体）")
    p.add_argument("--kind", choices=list(EntityKind), default=EntityKind.ZONE, help="add：zone 园区（默认）或 enterprise 企业")
    p.add_argument("--user", help="执行操作的管理员账户（默认取环境变量 METRICS_USER）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（list）")

    p = sub.add_parser("undo", help="撤销一次上传（按批次编号），恢复它替换的旧值")
    p.add_argument("batch", type=_batch_argument, help="批次编号，见上传页面的“上传历史”或导入时的提示")
    p.add_argument("--user", help="撤销人的账户：本人的上传或管理员（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("approve", help="审核通过一个待审核的上传批次，其数据即生效（审核人或管理员）")
    p.add_argument("batch", type=_batch_argument, help="批次编号，见“数据审核”页面或导入时的提示")
    p.add_argument("--user", help="审核人的账户（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("reject", help="退回一个待审核的上传批次，并说明原因（审核人或管理员）；其数据不会生效")
    p.add_argument("batch", type=_batch_argument, help="批次编号，见“数据审核”页面或导入时的提示")
    p.add_argument("--reason", required=True, help="退回原因，上传人在上传页面可以看到")
    p.add_argument("--user", help="审核人的账户（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("review", help="上传审核：on 开启、off 关闭（管理员）、status 查看；开启后上传须经审核通过才生效")
    p.add_argument("action", choices=["on", "off", "status"], help="操作")
    p.add_argument("--user", help="执行操作的管理员账户（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("tasks", help="填报进度：每个指标和主体的责任部门、填报人、截止日期和状态（未报、已报、逾期；"
                                     "开启审核时另有待审核、已通过）")
    p.add_argument("--period", required=True, type=_period_argument, help="月份，YYYY-MM，例如 2023-05")
    p.add_argument("--today", type=_date_argument, help="按这一天判断是否逾期，YYYY-MM-DD（默认今天）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    p = sub.add_parser("note", help="情况说明：为一个指标某月填写原因分析（--text）和下步措施（--next），保存为新的一版")
    p.add_argument("code", help="指标编码，例如 land_cleared")
    p.add_argument("--period", required=True, type=_period_argument, help="月份，YYYY-MM，例如 2023-05")
    p.add_argument("--text", help="原因分析（不给则保留现有的）")
    p.add_argument("--next", help="下步措施（不给则保留现有的）")
    p.add_argument("--entity", default=catalog.ZONE, help=f"主体名称（默认：{catalog.ZONE}）")
    p.add_argument("--user", help="填写人的账户：负责该指标的统计员或管理员（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("remind", help="催报：通过已配置的企业微信、钉钉机器人和邮件，提醒尚未报送的责任人（可由 cron 定时运行）")
    p.add_argument("--period", required=True, type=_period_argument, help="月份，YYYY-MM，例如 2023-05")
    p.add_argument("--dry-run", action="store_true", help="只列出将发送的消息，不发送、不记录")
    p.add_argument("--today", type=_date_argument, help="按这一天判断是否逾期，YYYY-MM-DD（默认今天）")
    p.add_argument("--user", help="执行催报的管理员账户（默认取环境变量 METRICS_USER）")

    p = sub.add_parser("channels", help="催报渠道（管理员）：list 列出、add 添加 wecom/dingtalk/smtp、remove 停用")
    p.add_argument("action", choices=["list", "add", "remove"], help="操作")
    p.add_argument("target", nargs="?", help="add：渠道类型 wecom、dingtalk 或 smtp；remove：渠道编号")
    p.add_argument("--url", help="wecom/dingtalk：群机器人的 Webhook 地址")
    p.add_argument("--sign", action="store_true",
                   help="dingtalk：机器人启用了“加签”安全设置；密钥（SEC 开头）从提示或标准输入的第一行读取")
    p.add_argument("--host", help="smtp：邮件服务器地址")
    p.add_argument("--port", type=int, default=25, help="smtp：端口（默认 25）")
    p.add_argument("--sender", help="smtp：发件人地址")
    p.add_argument("--starttls", action="store_true", help="smtp：连接后启用 STARTTLS 加密")
    p.add_argument("--login", help="smtp：登录用户名；密码从提示或标准输入的第一行读取")
    p.add_argument("--user", help="执行操作的管理员账户（默认取环境变量 METRICS_USER）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（list）")
    return parser


COMMANDS = {"init": cmd_init, "demo": cmd_demo, "catalog": cmd_catalog, "show": cmd_show, "ledger": cmd_ledger,
            "ledger-set": cmd_ledger_set, "ledger-evidence": cmd_ledger_evidence,
            "users": cmd_users, "backup": cmd_backup, "restore": cmd_restore, "health": cmd_health,
            "export-deck": cmd_export_deck, "export-report": cmd_export_report, "export-chart": cmd_export_chart,
            "import": cmd_import, "template": cmd_template, "undo": cmd_undo, "entities": cmd_entities,
            "copy-store": cmd_copy_store, "tasks": cmd_tasks, "note": cmd_note, "remind": cmd_remind,
            "channels": cmd_channels, "approve": cmd_approve, "reject": cmd_reject, "review": cmd_review}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        store = Store()
        return COMMANDS[args.command](args, store)
    except (StoreError, auth.PermissionDenied) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
