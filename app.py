"""开发区指标跟踪 — `streamlit run app.py`. Pages live in metrics/ui/pages; logic in metrics/."""
import streamlit as st

st.set_page_config(page_title="开发区指标跟踪", page_icon="📊", layout="wide")

pages = [
    st.Page("metrics/ui/pages/overview.py", title="总览", icon="📊", url_path="overview", default=True),
]
st.navigation(pages).run()
