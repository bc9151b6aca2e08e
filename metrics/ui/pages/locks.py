import streamlit as st

from metrics.store import StoreError
from metrics.ui import session
from metrics.ui.common import get_store

st.title("月份锁定")
st.caption("已报送上级的月份可以锁定：锁定后普通填报人员不能再上传该月数据；管理员填写原因后仍可上传更正。")
store = get_store()
actor = session.require_role("locks")
locked = sorted(store.locked_periods())
st.write("当前已锁定：" + ("、".join(locked) if locked else "无"))
with st.form("lock"):
    period = st.text_input("月份（YYYY-MM）", value=store.latest_period() or "")
    reason = st.text_input("原因")
    lock_col, unlock_col = st.columns(2)
    lock = lock_col.form_submit_button("锁定该月")
    unlock = unlock_col.form_submit_button("解除锁定")
    if lock or unlock:
        try:
            store.set_period_lock(period.strip(), bool(lock), by=actor, reason=reason)
            st.success(f"已{'锁定' if lock else '解除锁定'} {period.strip()}。")
            st.rerun()
        except StoreError as exc:
            st.error(str(exc))
