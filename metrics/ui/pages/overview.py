"""总览: which indicators are behind 序时进度, and by how much, on one screen."""
import streamlit as st

from metrics import catalog, chartdata, i18n, narrative
from metrics.ui import blocks, reads, state
from metrics.ui.state import t

store = reads.get_store()
version = store.data_version()
inds = catalog.indicators()
lang = state.language()

# The month picker is the widest: at 1366 px its longest label (已报 N/M，待审核 K) needs 4 parts of 15.
headline, ledger, pick_entity, pick_period = st.columns([6, 3, 2, 4], vertical_alignment="bottom")
with pick_entity:
    entity = blocks.entity_picker(store)
with pick_period:
    period = blocks.period_picker(store, entity)
if period is None:
    blocks.no_data_stop()
period, assessments, series = reads.overview(version, entity, period)
view = blocks.View(entity, period, {a.code: a for a in assessments}, series)
with headline:
    on_pace, behind = narrative.headline_counts(assessments)
    label = f" :orange-badge[{t('illustrative')}]" if any(a.illustrative for a in assessments) else ""
    st.markdown(f"### {t('headline', on_pace=on_pace, behind=behind)}{label}")
    st.caption(t("headline_as_of", period=i18n.period_name(period, lang), entity=reads.inert(entity))
               + " · " + blocks.reported_line(store, entity, period))
    blocks.behind_strip(view)
with ledger:
    blocks.ledger_summary(version)

groups: dict[str, list[str]] = {}
# Indicators the entity never reports (an enterprise's land or debt) get no card; a month missing
# from one it does report shows as 暂无数据, since that is a late upload.
for code, ind in inds.items():
    if not series[code].empty:
        groups.setdefault(i18n.category_name(ind.category, lang), []).append(code)
sparks = {code: chartdata.trend_chart_data(inds[code], {entity: series[code]}, period, 12)
          for codes in groups.values() for code in codes}
blocks.overview_cards(groups, view, sparks)
blocks.copyable(narrative.overview_sentence(inds, assessments, entity, lang))
