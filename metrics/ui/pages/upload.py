"""数据上传: choose a file, see what will change, confirm; errors as a table and an xlsx to download;
the month's template; the upload history with undo. All the work is in metrics.ingest.

The commit is one call that writes one transaction, so a rerun can never leave half a batch; the
preview shown is kept in session state and the commit refuses if the database moved since.
"""
import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from metrics import auth, calc
from metrics.ingest import errors_workbook, import_file, parse_period, preview_file, undo_upload, write_template
from metrics.store import StoreError
from metrics.ui import session
from metrics.ui.common import get_store

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGE_LABELS = {"new": "新增", "changed": "修改", "unchanged": "不变"}
LAYOUT_LABELS = {"long": "长表（每行一个数）", "wide": "宽表（每列一个月）", "template": "系统填报模板",
                 "monthly_report": "统计月报"}
HISTORY_ROWS = 30
WIDE_TEXT = {"说明": st.column_config.TextColumn(width="large")}

st.title("数据上传")
store = get_store()
actor = session.require_role("upload")
upload_tab, template_tab, history_tab = st.tabs(["上传文件", "下载模板", "上传历史"])


def problems_table(problems) -> pd.DataFrame:
    return pd.DataFrame({
        "工作表": [p.sheet for p in problems], "行号": [str(p.row or "") for p in problems],
        "列": [p.column for p in problems], "值": [p.value for p in problems],
        "说明": [p.message for p in problems]})


def preview_table(preview: pd.DataFrame) -> pd.DataFrame:
    old = [None if pd.isna(v) else v for v in preview["old_value"]]
    return pd.DataFrame({
        "变化": preview["change"].map(CHANGE_LABELS), "指标": preview["name"], "主体": preview["entity"],
        "期间": preview["label"], "单位": preview["unit"], "原值": old, "新值": preview["value"],
        "文件行号": preview["row"]})


def commit(result, data: bytes, file_name: str, sheet: str | None, lock_reason: str) -> None:
    try:
        final = import_file(store, data, file_name, actor=actor, sheet=sheet,
                            expected_fingerprint=result.fingerprint, lock_reason=lock_reason)
    except (StoreError, auth.PermissionDenied) as exc:
        st.session_state.pop("upload_preview", None)
        st.error(str(exc))
        return
    if not final.ok:
        st.session_state["upload_preview"]["result"] = final
        st.error("重新校验时发现了错误，没有写入任何数据。请查看下方的错误。")
        return
    counts = final.summary
    st.session_state["upload_done"] = (
        f"已导入“{file_name}”（批次 {final.batch_id}）：新增 {counts['new']} 个、修改 {counts['changed']} 个、"
        f"未变 {counts['unchanged']} 个数据。各页面已显示新数据；如需撤销，请到“上传历史”。")
    # A new uploader key empties the file box, so the same file is not previewed again by accident.
    st.session_state["upload_generation"] = st.session_state.get("upload_generation", 0) + 1
    st.session_state.pop("upload_preview", None)
    st.rerun()


def show_result(result, data: bytes, file_name: str, sheet: str | None, generation: int) -> None:
    if not result.readable:
        st.error(result.errors[0].message)
        return
    if result.errors:
        st.error(f"发现 {len(result.errors)} 个错误，整个文件未导入（没有写入任何数据）。请按下表逐条修改后重新上传。")
        st.dataframe(problems_table(result.errors), hide_index=True, width="stretch", column_config=WIDE_TEXT)
        st.download_button("下载错误标注表（xlsx）", errors_workbook(result),
                           file_name=f"{Path(file_name).stem}_错误标注.xlsx", mime=XLSX_MIME, key="errors_download")
        if result.warnings:
            st.caption("另有以下提醒：")
            st.dataframe(problems_table(result.warnings), hide_index=True, width="stretch", column_config=WIDE_TEXT)
        return
    counts = result.summary
    st.caption(f"工作表“{result.sheet.name}”，识别为{LAYOUT_LABELS.get(result.layout, result.layout)}。")
    new_col, changed_col, same_col = st.columns(3)
    new_col.metric("新增", counts["new"])
    changed_col.metric("修改", counts["changed"])
    same_col.metric("不变", counts["unchanged"])
    st.dataframe(preview_table(result.preview), hide_index=True, width="stretch")
    if counts["new"] + counts["changed"] == 0:
        st.info("文件中的数据与库中完全相同，无需导入。")
        return
    confirmed = True
    if result.warnings:
        st.warning(f"有 {len(result.warnings)} 条提醒，请逐条核对后再确认导入。")
        st.dataframe(problems_table(result.warnings), hide_index=True, width="stretch", column_config=WIDE_TEXT)
        confirmed = st.checkbox("我已核对以上提醒，确认导入", key=f"upload_ack_{generation}")
    lock_reason = ""
    if set(result.preview["period"]) & store.locked_periods():
        lock_reason = st.text_input("更正已锁定月份的原因（必填，记入操作日志）", key=f"upload_lock_reason_{generation}")
        confirmed = confirmed and bool(lock_reason.strip())
    if st.button("确认导入", type="primary", disabled=not confirmed, key="upload_confirm"):
        commit(result, data, file_name, sheet, lock_reason)


with upload_tab:
    done = st.session_state.pop("upload_done", None)
    if done:
        st.success(done)
    generation = st.session_state.get("upload_generation", 0)
    uploaded = st.file_uploader("选择文件（.xlsx、.xls、.csv）", type=["xlsx", "xls", "csv", "ods"],
                                key=f"upload_file_{generation}")
    sheet = st.text_input("工作表名称（可不填：自动选取第一个有可识别表头的工作表）",
                          key=f"upload_sheet_{generation}").strip() or None
    if uploaded is not None:
        data = uploaded.getvalue()
        key = (hashlib.sha256(data).hexdigest(), uploaded.name, sheet)
        cached = st.session_state.get("upload_preview")
        if cached is None or cached["key"] != key:
            cached = {"key": key, "result": preview_file(store, data, uploaded.name, actor=actor, sheet=sheet)}
            st.session_state["upload_preview"] = cached
        show_result(cached["result"], data, uploaded.name, sheet, generation)

with template_tab:
    latest = store.latest_period()
    today = pd.Timestamp.today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    after_latest = calc.previous_period(latest, -1) if latest else this_month
    # From this month back to a year before the month after the latest figures, whichever is earlier.
    first = calc.previous_period(min(after_latest, this_month), 12)
    months = [this_month]
    while months[-1] > first:
        months.append(calc.previous_period(months[-1]))
    period_key = st.selectbox("填报月份", months, index=months.index(min(after_latest, this_month)),
                              format_func=calc.period_label, key="template_period")
    st.caption("模板列出全部可上传的指标及单位，并附上月数值作参考；填好后在“上传文件”中上传。")
    st.download_button("下载填报模板（xlsx）", write_template(store, parse_period(period_key)),
                       file_name=f"指标月度填报模板_{period_key}.xlsx", mime=XLSX_MIME, key="template_download")

with history_tab:
    batches = store.batches()
    if batches.empty:
        st.info("还没有任何上传。")
    pending = st.session_state.get("undo_pending")
    for batch in batches.head(HISTORY_ROWS).itertuples(index=False):
        undone = not pd.isna(batch.undone_at)
        info, action = st.columns([5, 1])
        label = "（示例数据）" if batch.illustrative else ""
        info.write(f"**批次 {batch.id}** {batch.file_name}{label} · {batch.user_name} · "
                   f"{batch.created_at:%Y-%m-%d %H:%M} · 新增 {batch.n_new}、修改 {batch.n_changed}、未变 {batch.n_unchanged}")
        if undone:
            action.caption(f"已撤销（{batch.undone_by}）")
        elif pending == batch.id:
            if action.button("确认撤销", key=f"undo_confirm_{batch.id}", type="primary"):
                st.session_state.pop("undo_pending", None)
                try:
                    result = undo_upload(store, int(batch.id), actor)
                    st.session_state["undo_done"] = ("success", f"已撤销批次 {result['batch_id']}"
                                                     f"（{result['file_name']}），被它替换的旧值已恢复。")
                except (StoreError, auth.PermissionDenied) as exc:
                    st.session_state["undo_done"] = ("error", f"未能撤销：{exc}")
                st.rerun()
        elif action.button("撤销", key=f"undo_{batch.id}"):
            st.session_state["undo_pending"] = int(batch.id)
            st.rerun()
    outcome = st.session_state.pop("undo_done", None)
    if outcome:
        kind, message = outcome
        getattr(st, kind)(message)
