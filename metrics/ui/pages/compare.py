"""对比: the entities ranked on one indicator with the chosen one highlighted, and their trends."""
import streamlit as st

from metrics import catalog, chartdata, charts
from metrics.ui import blocks, reads, state
from metrics.ui.state import t

view = blocks.view_header(t("page_compare"), pick_indicator=True)
ind, a = catalog.indicator(view.indicator), view.assessments[view.indicator]
version = reads.get_store().data_version()
# Zones are ranked among zones and enterprises among enterprises: a zone's sales include its firms'.
entities = reads.entities(version)
kind = entities.loc[entities["name"] == view.entity, "kind"].iloc[0]
peers = set(entities.loc[entities["kind"] == kind, "name"])
series = {e: s for e, s in reads.indicator_by_entity(version, ind.code).items() if e in peers}
lang = state.language()
ranking = chartdata.ranking_chart_data(ind, series, view.period, reference=a, lang=lang)
kind_label = t("kind_zone" if kind == catalog.EntityKind.ZONE else "kind_enterprise")
if not ranking.categories:
    st.info(t("no_ranking", kind=kind_label))
    st.stop()
blocks.illustrative_banner(ranking.illustrative)
if view.entity in ranking.categories:
    st.markdown(t("rank_caption", entity=reads.inert(view.entity), count=len(ranking.categories),
                  kind=kind_label, rank=ranking.categories.index(view.entity) + 1))
else:
    st.caption(t("not_ranked", entity=reads.inert(view.entity)))
blocks.chart_block(charts.build_ranking_chart(ranking, highlight=view.entity),
                   blocks.reported_sentence(ind, a, view.entity, lang), [ind.code], key="ranking", data=ranking)

st.markdown(f"##### {t('small_multiples')}")
trends = chartdata.trend_chart_data(ind, series, view.period, lang=lang)
blocks.plotly_chart(charts.build_small_multiples(trends, highlight=view.entity), trends, key="small_multiples")
