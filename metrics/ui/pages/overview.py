import pandas as pd
import streamlit as st

from metrics import catalog, formatting as fmt, narrative
from metrics.ui import common

STATUS_ICON = {"green": "🟢", "amber": "🟡", "red": "🔴", "none": "⚪"}

store = common.get_store()
version = store.data_version()
period, assessments, _ = common.overview(version, catalog.ZONE, None)
inds = catalog.indicators()

st.title("总览")
if period is None:
    st.info("还没有任何数据。请在“数据上传”页面上传本月数据，或运行 `python -m metrics demo` 载入示例数据。")
    st.stop()
if any(a.illustrative for a in assessments):
    st.warning(f"【{common.ILLUSTRATIVE_LABEL}】当前显示的月度数字为系统生成的示例数据，不是真实统计。")
on_pace, behind = narrative.headline_counts(assessments)
st.subheader(f"{on_pace} 项达到序时进度，{behind} 项滞后")
st.caption(narrative.overview_sentence(inds, assessments))

rows = []
for a in assessments:
    ind = inds[a.code]
    rows.append({
        "状态": STATUS_ICON[a.status], "指标": ind.name, "单位": ind.unit,
        "本月值": fmt.number(a.value, ind.decimals), "累计值": fmt.number(a.ytd, ind.decimals),
        "目标": fmt.number(a.target, ind.decimals) + ("（示例）" if a.target_illustrative else ""),
        "完成率": fmt.percent(a.completion, is_fraction=True),
        "序时进度": fmt.percent(a.progress, is_fraction=True),
        "示例数据": "是" if a.illustrative else "",
    })
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

summary, problems, measures = common.ledger(version)
done = int((problems["status"] == "done").sum())
st.subheader("整改进展")
st.write(f"问题 {len(problems)} 个：已整改完成 {done} 个，正在推进 {len(problems) - done} 个；"
         f"整改措施 {len(measures)} 项，其中已完成 {int((measures['status'] == 'done').sum())} 项。")
for message in catalog.ledger_disagreements(catalog.ledger()):
    st.caption(message)
