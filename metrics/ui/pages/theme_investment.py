"""招商与外资: the project pipeline against 序时进度, effective investment and foreign capital."""
import streamlit as st

from metrics import catalog, chartdata, charts
from metrics.ui import blocks, state
from metrics.ui.state import t

PIPELINE = ("projects_signed_100m", "projects_introduced_100m", "projects_started_100m",
            "projects_completed_100m", "effective_investment", "foreign_capital")

view = blocks.view_header(t("page_investment"))
st.caption(t("investment_intro"))
blocks.illustrative_banner(view.illustrative(PIPELINE))
data = chartdata.completion_chart_data([catalog.indicator(c) for c in PIPELINE], view.assessments,
                                       t("investment_chart_title"), state.language())
blocks.chart_block(charts.build_completion_chart(data), view.sentences(PIPELINE), list(PIPELINE),
                   key="pipeline", data=data)
investment, foreign = st.columns(2)
with investment:
    ind, a = catalog.indicator("effective_investment"), view.assessments["effective_investment"]
    data = chartdata.ytd_chart_data(ind, view.series[ind.code], a, view.phasing(ind.code), view.entity,
                                    state.language())
    blocks.chart_block(charts.build_ytd_chart(data), view.sentences([ind.code]), [ind.code], key="investment", data=data)
with foreign:
    blocks.indicator_chart_block(catalog.indicator("foreign_capital"), view.assessments["foreign_capital"],
                                 view.series["foreign_capital"], view.entity, key="foreign")
