"""Every screen under AppTest, each test with its own database (the `app_db` fixture): no
exception in either language, the key numbers on the page, and the target traces in the
figures' JSON. Expected numbers come from the same database through the core, so the tests
hold whatever the illustrative series are."""
import html
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO, copyable_texts, sign_in_app
from metrics import catalog, formatting as fmt, narrative, tracker
from metrics.store import Store
from metrics.auth import Actor

ZONE = catalog.ZONE
PAGES = ("overview", "detail", "compare", "theme_debt", "theme_investment", "theme_land",
         "theme_safety", "rectification")


def url(at: AppTest) -> dict[str, str]:
    """The app's URL parameters; AppTest before Streamlit 1.65 gives each as a list of one."""
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in dict(at.query_params).items()}


def open_page(name: str, lang: str = "zh", **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(lang=lang, **params)
    at.run()
    if name != "overview":
        at.switch_page(f"metrics/ui/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace_names(at: AppTest) -> set[str]:
    return {trace.get("name") for fig in figures(at) for trace in fig["data"]}


def page_text(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "code", "warning", "info", "text")
             for e in getattr(at, kind)] + copyable_texts(at)
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def cards_html(at: AppTest) -> str:
    """The overview's cards: one st.html block (issue 13), its markup unescaped for reading."""
    import html
    return html.unescape("\n".join(e.proto.body for e in at.get("html")))


def card_names(at: AppTest) -> list[str]:
    import re
    return re.findall(r'<span class="mc-name">([^<]+)</span>', cards_html(at))


def table_text(at: AppTest) -> str:
    frames = [frame.value for frame in at.dataframe] + [table.value for table in at.table]
    return "\n".join(frame.to_csv(index=False) for frame in frames)


def open_tab(at: AppTest, label: str) -> AppTest:
    """Select one of the indicator page's tabs, which compute their content only when open."""
    at.session_state["detail_tab"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def zone_overview(db) -> tuple[str, dict]:
    period, assessments, _ = tracker.assessed_overview(Store(db), ZONE)
    return period, {a.code: a for a in assessments}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_without_an_exception(app_db, name, lang):
    at = open_page(name, lang)
    assert url(at)["lang"] == lang


def test_overview_headline_counts_indicators_on_pace_and_behind(app_db):
    _, by_code = zone_overview(app_db)
    on_pace, behind = narrative.headline_counts(list(by_code.values()))
    at = open_page("overview")
    assert f"### {on_pace} 项达到序时进度，{behind} 项滞后" in page_text(at)
    assert narrative.overview_sentence(catalog.indicators(), list(by_code.values())) in copyable_texts(at)


def test_overview_has_a_card_per_indicator_with_its_total_and_its_gap_to_time_progress(app_db):
    _, by_code = zone_overview(app_db)
    text = cards_html(open_page("overview"))
    for code, ind in catalog.indicators().items():
        a = by_code[code]
        assert f'<span class="mc-name">{ind.name}</span>' in text
        assert f'<b class="mc-value">{fmt.amount(a.ytd, ind.unit, ind.decimals)}</b>' in text
        if a.gap_pp is not None and a.progress is not None:
            sign = "+" if a.gap_pp >= 0 else "−"
            assert f"{sign}{abs(a.gap_pp):,.1f}个百分点" in text, code


def test_overview_cards_are_grouped_by_category_and_ordered_by_status_within_it(app_db):
    import re
    from metrics import status
    _, by_code = zone_overview(app_db)
    text = cards_html(open_page("overview"))
    groups = re.findall(r'<h5>([^<]+)</h5><div class="mc-cards">(.*?)</div></section>', text)
    assert {title for title, _ in groups} == {c.name for c in catalog.categories()}
    for title, cards in groups:
        codes = re.findall(r'data-code="([a-z0-9_]+)"', cards)
        assert {catalog.indicator(c).category for c in codes} == {title}
        order = [status.STATUS_ORDER[by_code[c].status] for c in codes]
        assert order == sorted(order), title


def test_every_card_and_the_behind_strip_link_to_the_indicator_page(app_db):
    import re
    from metrics import status
    _, by_code = zone_overview(app_db)
    text = cards_html(open_page("overview"))
    for code in by_code:
        assert re.search(rf'<a class="mc-card [^"]+" href="detail\?indicator={code}&', text), code
    strip = re.search(r'data-testid="behind-strip">(.*?)</div>', text).group(1)
    behind = sorted((a for a in by_code.values() if a.status in status.BEHIND),
                    key=lambda a: (status.STATUS_ORDER[a.status], a.gap_pp if a.gap_pp is not None else 0.0))
    assert re.findall(r"indicator=([a-z0-9_]+)", strip) == [a.code for a in behind]


def test_an_enterprises_overview_has_cards_only_for_the_indicators_it_reports(app_db):
    reported = set(Store(app_db).observations(entity="理士电池")["indicator_code"])
    names = card_names(open_page("overview", entity="理士电池"))
    shown = {code for code, ind in catalog.indicators().items() if ind.name in names}
    assert shown == reported == {"invoice_sales", "tax_per_mu", "output_per_mu"}


def test_compare_says_so_when_no_peer_reported_the_indicator(app_db):
    at = open_page("compare", indicator="land_cleared", entity="理士电池")
    assert "该月没有企业报送这项指标" in at.info[0].value and not at.get("plotly_chart")


def test_overview_shows_the_ledger_by_status_beside_the_reports_own_summary(app_db):
    text = page_text(open_page("overview"))
    assert "问题 24 个：已完成 18，推进中 6" in text
    assert "报告汇总称已完成 17 个、推进中 7 个" in text


def test_illustrative_data_is_labelled_on_every_data_page(app_db):
    for name in PAGES[:-1]:
        assert "示例数据" in page_text(open_page(name)), name


def test_pickers_default_to_the_latest_month_with_data_and_are_written_to_the_url(app_db):
    at = open_page("detail")
    assert url(at) == {"lang": "zh", "entity": ZONE, "period": Store(app_db).latest_period(),
                                     "indicator": next(iter(catalog.indicators()))}


def test_a_bookmarked_view_opens_on_its_indicator_entity_and_month(app_db):
    peer = "甲开发区（示例）"
    at = open_page("detail", indicator="land_cleared", entity=peer, period="2023-03")
    series = tracker.indicator_table(Store(app_db), "land_cleared", peer)
    ytd = series.loc[series.period == "2023-03", "ytd"].iloc[0]
    assert {m.label: m.value for m in at.metric}["累计值"] == fmt.amount(ytd, "亩")
    assert chart_titles(at)[0].startswith(peer)
    assert url(at)["period"] == "2023-03"


def test_an_unknown_month_in_the_url_falls_back_to_the_latest(app_db):
    at = open_page("overview", period="1999-01")
    assert url(at)["period"] == Store(app_db).latest_period()


def test_detail_figures_carry_the_target_pace_and_the_time_progress_lines(app_db):
    at = open_page("detail", indicator="land_cleared")
    monthly, pace = figures(at)
    assert "目标月均进度" in {t["name"] for t in monthly["data"]}
    assert {"累计完成率", "序时进度"} <= {t["name"] for t in pace["data"]}
    assert monthly["layout"]["xaxis"]["type"] == "category"


def test_detail_shows_same_period_last_year_yoy_and_mom(app_db):
    _, by_code = zone_overview(app_db)
    a = by_code["land_cleared"]
    at = open_page("detail", indicator="land_cleared")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["同比"] == "+" + fmt.percent(a.yoy_pct)
    assert metrics["环比"] == ("+" if a.mom_pct > 0 else "") + fmt.percent(a.mom_pct)
    months = at.table[0].value
    assert list(months.columns) == ["月份", "本月值", "累计值", "上年同月", "上年同期累计", "同比", "环比"]
    assert months["累计值"].iloc[-1] == fmt.number(a.ytd) and months["上年同期累计"].iloc[-1] == fmt.number(a.ytd_last_year)


def test_detail_shows_report_figures_revisions_definition_and_problems(app_db):
    ind = catalog.indicator("land_cleared")
    at = open_page("detail", indicator=ind.code)
    tables = table_text(at)
    assert "2,577亩" in tables and "报告二(一)3" in tables
    assert ind.definition not in page_text(at)  # a closed tab is not computed
    assert "示例数据（系统生成）" in table_text(open_tab(at, "修订记录"))  # the batch each figure came from
    assert ind.definition in page_text(open_tab(at, "口径"))
    tables = table_text(open_tab(at, "对应的巡察问题"))
    for problem in ("P03", "P19"):
        assert problem in tables


def test_a_corrected_figure_shows_at_once_with_its_revision(app_db):
    store = Store(app_db)
    store.commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": "2023-04",
                                      "value": 999.0}]), actor=Actor("张三", "editor"), file_name="4月更正.xlsx",
                       sha256="x")
    at = open_page("detail", indicator="land_cleared")
    assert {m.label: m.value for m in at.metric}["本月值"] == "999亩"
    history = open_tab(at, "修订记录").dataframe[0].value
    corrected = history[(history["月份"] == "2023-04") & (history["当前值"] == "✓")].iloc[0]
    assert (corrected["本月值"], corrected["版本"], corrected["上传人"], corrected["文件"]) == ("999", 2, "张三", "4月更正.xlsx")


def test_compare_ranks_zones_among_zones_with_the_chosen_one_highlighted(app_db):
    at = open_page("compare", indicator="invoice_sales")
    ranking = figures(at)[0]
    bars = ranking["data"][0]
    zones = set(Store(app_db).entities().query("kind == 'zone'")["name"])
    assert set(bars["y"]) == zones
    assert bars["x"] == sorted(bars["x"], reverse=True)
    colours = dict(zip(bars["y"], bars["marker"]["color"]))
    assert len({colours[ZONE]} | {c for name, c in colours.items() if name != ZONE}) == 2
    rank = bars["y"].index(ZONE) + 1
    assert f"在 {len(zones)} 个开发区中列第 {rank} 位" in page_text(at)
    assert "序时目标" in {t["name"] for t in ranking["data"]}
    panel_names = [shown_text(a["text"]) for a in figures(at)[1]["layout"]["annotations"]]
    assert len([name for name in panel_names if name in zones]) == len(zones)


def test_compare_ranks_an_enterprise_among_enterprises(app_db):
    at = open_page("compare", indicator="tax_per_mu", entity="理士电池")
    ranking = figures(at)[0]
    assert set(ranking["data"][0]["y"]) == {"理士电池", "南高齿"}
    assert len(ranking["data"]) == 1  # targets are the zone's: an enterprise gets no reference line


@pytest.mark.parametrize("name, lines, codes", [
    ("theme_debt", {"年末目标", "上限要求", "短期债务占比"},
     ["debt_short_term", "debt_long_term", "bonds_outstanding", "debt_short_share"]),
    ("theme_investment", {"序时进度", "目标月均进度"},
     ["projects_signed_100m", "effective_investment", "foreign_capital"]),
    ("theme_land", {"目标月均进度", "底线要求"}, ["land_cleared", "land_approved", "tax_per_mu", "output_per_mu"]),
    ("theme_safety", {"底线要求", "序时进度"}, ["hazards_found", "hazards_fixed", "hazard_fix_rate"]),
])
def test_theme_pages_draw_their_targets_and_write_each_indicators_sentence(app_db, name, lines, codes):
    _, by_code = zone_overview(app_db)
    at = open_page(name)
    assert lines <= trace_names(at)
    sentences = "\n".join(copyable_texts(at))
    for code in codes:
        assert narrative.indicator_sentence(catalog.indicator(code), by_code[code]) in sentences


def test_debt_page_stacks_balances_by_maturity_and_shows_direct_against_indirect_financing(app_db):
    structure, mix, *_ = figures(open_page("theme_debt"))
    assert structure["layout"]["barmode"] == "stack"
    assert {t["name"] for t in mix["data"]} == {"间接融资（银行贷款）", "直接融资（债券）", "直接融资占比"}


def test_rectification_lists_the_24_problems_and_shows_both_of_the_reports_counts(app_db):
    at = open_page("rectification")
    problems = at.dataframe[0].value
    assert len(problems) == 24 and problems["编号"].tolist()[:2] == ["P01", "P02"]
    assert (problems["状态"] == "已完成").sum() == 18 and (problems["状态"] == "推进中").sum() == 6
    warning = at.warning[0].value
    assert "已完成 17 个，正在推进 7 个" in warning and "已整改完成 18 个，正在推进 6 个" in warning
    assert {m.label: m.value for m in at.metric}["已整改完成（逐项清单）"] == "18"
    assert "新签约亿元以上项目" in problems.loc[problems["编号"] == "P01", "关联指标"].iloc[0]


def test_rectification_filters_problems_by_status(app_db):
    at = open_page("rectification")
    at.segmented_control(key="ledger_status").set_value(["in_progress"]).run()
    assert at.dataframe[0].value["编号"].tolist() == ["P19", "P20", "P21", "P22", "P23", "P24"]


def test_add_to_deck_appends_the_charts_indicator_codes_once(app_db):
    at = open_page("detail", indicator="land_cleared")
    at.button(key="deck_monthly").click().run()
    assert at.session_state["deck_indicators"] == ["land_cleared"]
    at.switch_page("metrics/ui/pages/theme_debt.py").run()
    at.button(key="deck_debt").click().run()
    assert at.session_state["deck_indicators"] == [
        "land_cleared", "debt_short_term", "debt_long_term", "bonds_outstanding", "debt_short_share"]


def test_each_chart_offers_png_svg_and_its_data_or_says_plainly_why_not(app_db, monkeypatch):
    at = open_page("detail", indicator="land_cleared")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载PNG", "下载SVG", "下载数据（xlsx）"] * 2
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    at = open_page("detail", indicator="land_cleared")
    assert [b.label for b in at.get("download_button")] == ["下载数据（xlsx）"] * 2
    assert "BROWSER_PATH 指向的 /nonexistent/chromium 不存在" in page_text(at)


CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def kept_chinese(app_db) -> re.Pattern:
    """Chinese that English pages keep on purpose: the entities' own names, and the 示例数据 and
    示例目标 labels the report itself uses."""
    names = sorted(Store(app_db).entities()["name"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, [*names, "示例数据", "示例目标"])))


def shown_text(plotly_text: str) -> str:
    """What a reader sees of a plotly text: its <br> line breaks are layout, not words."""
    return re.sub(r"<br\s*/?>", "", plotly_text)


def chart_titles(at: AppTest) -> list[str]:
    """The titles written above the charts (a plotly title would run off a narrow chart)."""
    heads = [re.search(r'data-testid="chart-title"><span>(.*?)</span>', e.proto.body) for e in at.get("html")]
    return [html.unescape(m.group(1)) for m in heads if m]


def english_texts(at: AppTest) -> list[str]:
    """Every word an English page shows outside the data: headings, captions, metrics, the 汇报
    sentences, and each chart's title, legend, axis labels and hover text."""
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + copyable_texts(at)
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    texts += chart_titles(at)
    for fig in figures(at):
        texts += [shown_text(a.get("text", "")) for a in fig["layout"].get("annotations", [])]
        for trace in fig["data"]:
            texts += [trace.get("name") or "", trace.get("hovertemplate") or ""]
            texts += [str(x) for x in trace.get("x", []) if isinstance(x, str)]
    return texts


@pytest.mark.parametrize("page, params", [
    ("overview", {}), ("detail", {"indicator": "land_cleared"}), ("detail", {"indicator": "provincial_rank"}),
    ("detail", {"indicator": "debt_short_term"}), ("compare", {"indicator": "invoice_sales"}),
    ("theme_debt", {}), ("theme_investment", {}), ("theme_land", {}), ("theme_safety", {}),
])
def test_english_pages_speak_english_in_sentences_charts_units_and_legends(app_db, page, params):
    at = open_page(page, "en", **params)
    kept = kept_chinese(app_db)
    leftovers = {text: CJK.findall(kept.sub("", text)) for text in english_texts(at)}
    assert not {text: chars for text, chars in leftovers.items() if chars}


def test_english_sentences_say_what_the_chinese_ones_say(app_db):
    at = open_page("detail", "en", indicator="land_cleared")
    assert {"Year to date", "Year on year", "Month on month"} <= {m.label for m in at.metric}
    sentence = copyable_texts(at)[0]
    assert " in Jan–" in sentence and " of the annual target" in sentence and "pace" in sentence
    zh = copyable_texts(open_page("detail", indicator="land_cleared"))[0]
    # The same figures in both: every number of the Chinese sentence is in the English one.
    assert re.findall(r"[\d,.]+\d", zh) == re.findall(r"[\d,.]+\d", sentence.replace(" 2023", "", 1))


def test_names_from_uploads_render_as_plain_text(app_db):
    name = "<img src=x onerror=alert(1)>**粗体**[链接](javascript:alert(1))"
    Store(app_db).add_entity(name, "zone", by=Actor("管理员", "admin"))
    Store(app_db).commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": name,
                                              "period": "2023-04", "value": 1.0}]),
                               actor=Actor("t", "editor"), file_name="t.xlsx", sha256="y")
    at = open_page("overview", entity=name)
    caption = next(c.value for c in at.caption if "onerror" in c.value)
    assert r"\<img" in caption and r"\*\*粗体\*\*" in caption and r"\[链接\]\(javascript" in caption
    for path in (REPO / "metrics" / "ui").rglob("*.py"):
        assert "unsafe_allow_html=True" not in path.read_text(encoding="utf-8"), path


def test_a_database_without_figures_says_how_to_load_some(tmp_path, monkeypatch):
    import streamlit as st

    path = tmp_path / "empty.duckdb"
    tracker.init_database(Store(path))
    monkeypatch.setenv("METRICS_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = open_page("overview")
        assert "python -m metrics demo" in at.info[0].value
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


# ---- the data and admin pages in English: every label from metrics.i18n ------------------------

import re  # noqa: E402

from import_fixtures import csv_bytes  # noqa: E402
from metrics import auth, i18n  # noqa: E402

# Han characters and the CJK and full-width punctuation that comes with them (（）：、“”).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”]")
LABELLED = ("tabs", "expander", "button", "download_button", "checkbox", "text_input", "number_input",
            "selectbox", "multiselect", "segmented_control", "radio", "toggle", "file_uploader", "metric")


def open_signed_in(name: str, role: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(lang=lang)
    sign_in_app(at, Actor("张三", role))
    at.run()
    at.switch_page(f"metrics/ui/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ui_labels(at: AppTest) -> list[str]:
    """The page's titles, headers, widget labels and table headings, not the data in them. The
    language switch is labelled in both languages on purpose."""
    labels = [e.value for kind in ("title", "header", "subheader") for e in at.get(kind)]
    labels += [e.label for kind in LABELLED for e in at.get(kind) if getattr(e, "key", None) != "picker_lang"]
    labels += [str(column) for frame in at.dataframe for column in frame.value.columns]
    return labels


def assert_english(labels: list[str]) -> None:
    assert labels
    assert not [label for label in labels if CJK.search(label)]


@pytest.mark.parametrize("name, role", [("upload", "editor"), ("export", "admin"), ("targets", "admin"),
                                        ("locks", "admin"), ("audit", "admin")])
def test_data_and_admin_pages_have_english_labels_in_english(app_db, name, role):
    at = open_signed_in(name, role)
    assert url(at)["lang"] == "en"
    assert at.title[0].value == i18n.t(f"page_{name}", "en")  # the page itself, not a refusal
    assert_english(ui_labels(at))


@pytest.mark.parametrize("rows", [[["land_cleared", "2023-05", 99999]],
                                  [["land_cleared", "2023-05", 99999], ["land_cleared", "2023-04", "很多"]]])
def test_an_upload_previewed_in_english_has_english_labels_around_the_chinese_messages(app_db, rows):
    at = open_signed_in("upload", "editor")
    at.file_uploader[0].set_value(("五月.csv", csv_bytes([["指标编码", "期间", "数值"], *rows]), "text/csv")).run()
    assert not at.exception
    assert_english(ui_labels(at))
    if len(rows) == 1:  # a jump to check, then the confirmation
        assert {"New", "Changed", "Unchanged"} <= {m.label for m in at.metric}
        assert [b.label for b in at.button if b.key.startswith("upload_confirm")] == ["Confirm the import"]
    else:  # the error table in English headings, the problem itself in metrics.ingest's Chinese
        assert at.error[0].value.startswith("Errors found: 1.")
        assert CJK.search(at.table[0].value["Note"].iloc[0])


def test_the_sign_in_role_names_are_those_of_metrics_auth_in_chinese():
    assert {role: i18n.t(f"signin_role_{role}") for role in auth.ROLE_LABELS} == auth.ROLE_LABELS


def test_the_indicator_page_shows_upload_notes_and_the_projection(app_db):
    Store(app_db).commit_batch(pd.DataFrame([{"indicator_code": "land_cleared", "entity": ZONE, "period": "2023-04",
                                              "value": 300.0, "note": "含一次性收回闲置地块"}]),
                               actor=Actor("统计员", "admin"), file_name="四月.xlsx", sha256="m" * 64)
    at = open_page("detail", indicator="land_cleared", period="2023-04")
    text = page_text(at)
    assert "上报备注" in text and "含一次性收回闲置地块" in text
    assert "预计全年" in {m.label for m in at.metric}
    assert "预计全年按上年同期累计" in "\n".join(str(e.value) for e in open_tab(at, "口径").text)


def test_a_published_yoy_shows_as_the_bureaus_figure_beside_the_computed_one(app_db):
    from import_fixtures import EDITOR, xlsx_bytes
    from metrics.ingest import import_file

    data = xlsx_bytes({"2023年4月": [["指标名称", "本月", "累计", "累计同比(%)"], ["新获批土地面积", 200, 900, 12.3]]})
    assert import_file(Store(app_db), data, "四月.xlsx", actor=EDITOR).committed
    at = open_page("detail", indicator="land_approved", period="2023-04")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["同比（统计局口径）"] == "+12.3%" and metrics["同比"] != metrics["同比（统计局口径）"]
    assert "（统计局口径增长12.3%）" in page_text(at)
