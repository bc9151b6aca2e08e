"""债务结构: balances by maturity with the short-term share, and direct against indirect financing."""
import streamlit as st

from metrics import catalog, chartdata, charts, i18n
from metrics.ui import blocks, state
from metrics.ui.state import t

DEBT_CODES = (*chartdata.DEBT_PARTS, chartdata.DEBT_SHARE)

view = blocks.view_header(t("page_debt"))
st.caption(t("debt_intro"))
blocks.illustrative_banner(view.illustrative(DEBT_CODES))
lang = state.language()
names = {c: i18n.indicator_name(catalog.indicator(c), lang, short=True) for c in DEBT_CODES}
structure, mix = st.columns(2)
with structure:
    data = chartdata.debt_structure_chart_data(view.series, view.period, names, lang=lang)
    blocks.chart_block(charts.build_monthly_chart(data), view.sentences(DEBT_CODES), list(DEBT_CODES), key="debt",
                       data=data)
with mix:
    data = chartdata.financing_mix_chart_data(view.series, view.period, lang=lang)
    blocks.chart_block(charts.build_monthly_chart(data), view.sentences(["bonds_outstanding"]),
                       ["bonds_outstanding"], key="mix", data=data)
short_term, share = st.columns(2)
for column, code in ((short_term, "debt_short_term"), (share, chartdata.DEBT_SHARE)):
    with column:
        blocks.indicator_chart_block(catalog.indicator(code), view.assessments[code], view.series[code],
                                     view.entity, key=code)
