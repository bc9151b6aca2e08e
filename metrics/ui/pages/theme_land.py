"""用地: land cleared and approved against their pace, and the per-mu tax and output floors."""
import streamlit as st

from metrics import catalog
from metrics.ui import blocks
from metrics.ui.state import t

LAND = (("land_cleared", "land_approved"), ("tax_per_mu", "output_per_mu"))

view = blocks.view_header(t("page_land"))
st.caption(t("land_intro"))
blocks.illustrative_banner(view.illustrative([c for row in LAND for c in row]))
for row in LAND:
    for column, code in zip(st.columns(len(row)), row):
        with column:
            blocks.indicator_chart_block(catalog.indicator(code), view.assessments[code], view.series[code],
                                         view.entity, key=code)
