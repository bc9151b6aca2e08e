import streamlit as st

from metrics.ui import session
from metrics.ui.common import get_store

ACTIONS = {"": "全部", "upload": "上传", "undo": "撤销", "target": "目标修改", "lock": "锁定", "unlock": "解锁",
           "user_add": "新建账户", "user_change": "修改账户", "sign_in": "登录", "sign_in_failed": "登录失败"}

st.title("操作日志")
session.require_role("accounts")
store = get_store()
action = st.selectbox("操作类型", list(ACTIONS), format_func=ACTIONS.get)
user = st.text_input("操作人（留空为全部）")
log = store.audit_log(user=user.strip() or None, action=action or None)
log["action"] = log["action"].map(lambda a: ACTIONS.get(a, a))
table = log.rename(columns={"id": "序号", "occurred_at": "时间", "user_name": "操作人", "action": "操作",
                            "subject": "对象", "before": "修改前", "after": "修改后"})
st.dataframe(table, hide_index=True, width="stretch")
st.download_button("导出日志（CSV）", table.to_csv(index=False).encode("utf-8-sig"), file_name="操作日志.csv",
                   mime="text/csv")
