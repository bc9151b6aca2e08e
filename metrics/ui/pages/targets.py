import streamlit as st

from metrics import catalog
from metrics.store import StoreError
from metrics.ui import session
from metrics.ui.common import get_store

KIND_LABELS = {"annual": "年度累计目标", "year_end": "年末目标", "floor": "每月不低于（底线）", "ceiling": "每月不高于（上限）"}

st.title("目标管理")
store = get_store()
actor = session.require_role("targets")
inds = {c: i for c, i in catalog.indicators().items()}
targets = store.targets()

with st.form("set_target"):
    code = st.selectbox("指标", list(inds), format_func=lambda c: f"{inds[c].name}（{inds[c].unit}）")
    year = st.number_input("年度", min_value=2000, max_value=2100, value=int(targets["year"].max()), step=1)
    kind = st.selectbox("目标类型", list(KIND_LABELS), format_func=KIND_LABELS.get)
    value = st.number_input("目标值（按指标单位）", value=0.0, format="%f")
    source = st.text_input("目标来源（文件、会议纪要等）")
    if st.form_submit_button("保存目标"):
        try:
            store.set_target(code, int(year), kind, float(value), by=actor, source=source)
            st.success(f"已保存：{inds[code].name} {int(year)} 年{KIND_LABELS[kind]} {value:g}{inds[code].unit}。修改记录见下方。")
        except StoreError as exc:
            st.error(str(exc))

st.subheader("当前目标")
view = store.targets()
view["指标"] = view["indicator_code"].map(lambda c: inds[c].name)
view["示例目标"] = view["illustrative"].map({True: "是", False: ""})
st.dataframe(view[["指标", "entity", "year", "kind", "value", "value_max", "source", "示例目标", "set_by", "set_at"]]
             .rename(columns={"entity": "主体", "year": "年度", "kind": "类型", "value": "目标值", "value_max": "上限值",
                              "source": "来源", "set_by": "设定人", "set_at": "设定时间"}),
             hide_index=True, width="stretch")
st.subheader("修改记录")
st.dataframe(store.target_history(), hide_index=True, width="stretch")
