"""安全生产: hazards found and fixed by month, the fix rate against its floor, and the pace."""
import streamlit as st

from metrics import catalog, chartdata, charts, i18n
from metrics.ui import blocks, state
from metrics.ui.state import t

SAFETY = (*chartdata.HAZARD_COUNTS, chartdata.HAZARD_RATE)

view = blocks.view_header(t("page_safety"))
st.caption(t("safety_intro"))
blocks.illustrative_banner(view.illustrative(SAFETY))
rate = view.assessments[chartdata.HAZARD_RATE]
lang = state.language()
names = {c: i18n.indicator_name(catalog.indicator(c), lang, short=True) for c in SAFETY}
hazards, fixed = st.columns(2)
with hazards:
    data = chartdata.safety_chart_data(view.series, view.period, names,
                                       rate.target if rate.target_kind == catalog.TargetKind.FLOOR else None, lang)
    blocks.chart_block(charts.build_monthly_chart(data), view.sentences(SAFETY), list(SAFETY), key="hazards", data=data)
with fixed:
    ind, a = catalog.indicator("hazards_fixed"), view.assessments["hazards_fixed"]
    if a.progress is not None:
        data = chartdata.ytd_chart_data(ind, view.series[ind.code], a, view.phasing(ind.code), view.entity, lang)
        blocks.chart_block(charts.build_ytd_chart(data), view.sentences([ind.code]), [ind.code], key="fixed", data=data)
