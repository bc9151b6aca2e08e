"""导出汇报: the leaders' deck in two clicks (生成, then 下载), plus the data behind its charts."""
import streamlit as st

from metrics import catalog
from metrics.export import (ImageExportError, TemplateError, chart_data_xlsx, deck_indicator_choices,
                            default_deck_indicators, export_deck, plan_deck)
from metrics.store import StoreError
from metrics.ui import common
from metrics.ui.common import get_store

# Words, not coloured emoji: an intranet server's browser often has no emoji font.
STATUS_WORD = {"green": "正常", "amber": "略滞后", "red": "滞后", "none": "无目标"}
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title("导出汇报")
store = get_store()
version = store.data_version()
period = common.period_picker(store, catalog.ZONE)
if period is None:
    common.no_data_stop()

inds = catalog.indicators()
_, assessments, _ = common.overview(version, catalog.ZONE, period)
common.illustrative_banner(any(a.illustrative for a in assessments))
status = {a.code: a.status for a in assessments}
choices = deck_indicator_choices(assessments)
chosen_elsewhere = [c for c in st.session_state.get("deck_indicators") or [] if c in inds]
codes = st.multiselect(
    "指标（滞后于序时进度的排在前面）", choices, default=chosen_elsewhere or default_deck_indicators(assessments),
    format_func=lambda c: f"{inds[c].name}（{STATUS_WORD[status[c]]}）")
template = st.file_uploader("办公室模板（可选，.pptx 或 .potx；不选则用默认模板）", type=["pptx", "potx"])
pictures = st.checkbox("图表以图片插入（供不能显示原生图表的软件使用；默认是可在 PowerPoint/WPS 中编辑数据的原生图表）")

try:
    plan = plan_deck(store, period, codes)
except StoreError as exc:
    st.error(str(exc))
    st.stop()
st.subheader(f"共 {len(plan.slides)} 页")
st.dataframe([{"页": n, "标题": s.title, "示例数据": "是" if s.illustrative else ""}
              for n, s in enumerate(plan.slides, start=1)], hide_index=True, width="stretch")

request = (version, period, tuple(codes), template.file_id if template else None, pictures)
if st.button("生成幻灯片", type="primary"):
    with st.spinner("正在生成……"):
        try:
            built, deck = export_deck(store, period, template=template.getvalue() if template else None,
                                      codes=codes, pictures=pictures)
            st.session_state["deck_export"] = (request, deck, chart_data_xlsx([c.data for c in built.charts]))
        except (StoreError, TemplateError, ImageExportError) as exc:
            st.error(str(exc))

ready = st.session_state.get("deck_export")
if ready and ready[0] == request:
    _, deck, workbook = ready
    left, right = st.columns(2)
    left.download_button("下载幻灯片（.pptx）", deck, file_name=f"{period}重点指标汇报.pptx", mime=PPTX_MIME,
                         type="primary")
    right.download_button("下载图表数据（.xlsx）", workbook, file_name=f"{period}汇报图表数据.xlsx", mime=XLSX_MIME)
