"""Plotly charts from ChartData: pure functions shared by the screens and the picture export.

Conventions every chart keeps: a font family that renders Chinese, month axes as categories
(never dates, so no day numbers appear), thousands separators and never SI suffixes (k, M, G),
a calm palette with red/amber/green kept for status, a dashed reference line (target pace,
floor, ceiling, 序时进度) named as in the ChartData so it can be found in the chart's JSON,
and a 示例数据 stamp in the title whenever the data is illustrative.
"""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import formatting as fmt
from .chartdata import REFERENCE_LINES, ChartData, word
from .status import Status

FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
STATUS_COLORS = {Status.GREEN: "#2e7d32", Status.AMBER: "#e69f00", Status.RED: "#c62828", Status.OPEN: "#1f4e79",
                 Status.NONE: "#8a96a3"}
# Blues and greys: nothing here can be mistaken for a status colour.
PALETTE = ("#2f5d8a", "#9fb6cd", "#5b7fa6", "#c9d4de", "#41566b", "#7f93a8")
LINE_COLOR = "#37474f"
REFERENCE_COLOR = "#6d5d4b"
MUTED = "#c5d1dc"


def _number_format(decimals: int) -> str:
    return f",.{max(decimals, 0)}f"


def _hover(unit: str, decimals: int, lang: str = "zh", label: str = "%{fullData.name}<br>%{x}",
           value_axis: str = "y") -> str:
    value = f"%{{{value_axis}:{_number_format(decimals)}}}"
    if lang != "en":
        return f"{label}：{value}{unit}<extra></extra>"
    if unit == "位":  # as fmt.amount writes a rank: No. 33
        return f"{label}: No. {value}<extra></extra>"
    shown = unit if unit == "%" else f" {fmt.UNITS_EN.get(unit, unit)}".rstrip()
    return f"{label}: {value}{shown}<extra></extra>"


def _value_axis(unit: str, decimals: int) -> dict:
    # At most one decimal on an axis (a balance of 12.50 reads 12.5 there); exponentformat="none"
    # keeps plotly from ever writing 1.2k or 3M.
    return dict(tickformat=_number_format(min(decimals, 1)), exponentformat="none",
                ticksuffix="%" if unit == "%" else "", gridcolor="#e6ebf0", zeroline=False,
                rangemode="tozero", automargin=True)


def titled(data: ChartData) -> str:
    """The chart's title with its 示例数据 stamp when the data is illustrative: in the title's own
    line, so no legend row or stamp box can ever be drawn over it."""
    if not data.illustrative:
        return data.title
    return f'{data.title}　<span style="color:{REFERENCE_COLOR}">［{word("illustrative_stamp", data.lang)}］</span>'


def _base_layout(fig: go.Figure, data: ChartData, height: int) -> go.Figure:
    fig.update_layout(
        # automargin: the title takes the top line and the legend, however many rows it wraps
        # to, is stacked under it rather than drawn across it.
        title=dict(text=titled(data), x=0, xanchor="left", font=dict(size=15), automargin=True),
        font=dict(family=FONT_FAMILY, size=12, color="#263238"),
        separators=".,",
        height=height,
        margin=dict(l=10, r=10, t=16, b=40),
        paper_bgcolor="white", plot_bgcolor="white",
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", font=dict(size=11)),
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
    )
    if data.source:
        fig.add_annotation(name="source", text=data.source, xref="paper", yref="paper", x=0, y=0,
                           xanchor="left", yanchor="top", yshift=-24, showarrow=False,
                           font=dict(size=10, color="#78909c"))
    return fig


def plot_only(fig: go.Figure) -> go.Figure:
    """The chart without its title and source lines, for a screen that writes them around it as
    text: text wraps to any column's width, where plotly's run off a laptop's half-width chart or
    over a phone's slanted month labels."""
    plain = go.Figure(fig).update_layout(title_text=None)
    plain.layout.annotations = [a for a in plain.layout.annotations if a.name != "source"]
    return plain


def _line_trace(name: str, values, categories, unit: str, decimals: int, color: str | None = None,
                lang: str = "zh") -> go.Scatter:
    """A data line (solid, with markers) or a reference line (dashed)."""
    is_reference = name in REFERENCE_LINES
    return go.Scatter(
        name=name, x=categories, y=values, connectgaps=False,
        mode="lines" if is_reference else "lines+markers",
        line=dict(color=color or (REFERENCE_COLOR if is_reference else LINE_COLOR), width=2,
                  dash="dash" if is_reference else "solid"),
        hovertemplate=_hover(unit, decimals, lang))


def build_monthly_chart(data: ChartData, height: int = 380) -> go.Figure:
    """Bars per category (grouped, or stacked when data.stacked) with the ChartData's lines.

    Serves every bars-and-lines ChartData: an indicator's months against last year and the
    target pace or floor, the debt structure with its short-term share on a second axis
    (data.line_unit), hazards found and fixed with the fix rate.
    """
    second_axis = bool(data.line_unit) and data.line_unit != data.unit
    fig = make_subplots(specs=[[{"secondary_y": second_axis}]])
    for i, (name, values) in enumerate(data.bars.items()):
        fig.add_trace(go.Bar(name=name, x=data.categories, y=values,
                             marker_color=PALETTE[i % len(PALETTE)],
                             hovertemplate=_hover(data.unit, data.decimals, data.lang)),
                      secondary_y=False)
    line_unit = data.line_unit or data.unit
    line_decimals = data.line_decimals if data.line_unit else data.decimals
    for i, (name, values) in enumerate(data.lines.items()):
        # A rank's years are its data lines: this year strong, last year muted.
        color = (PALETTE[0], PALETTE[1])[i] if data.ranks and i < 2 and name not in REFERENCE_LINES else None
        fig.add_trace(_line_trace(name, values, data.categories, line_unit, line_decimals, color=color,
                                  lang=data.lang),
                      secondary_y=second_axis)
    fig.update_layout(barmode="stack" if data.stacked else "group", bargap=0.25)
    fig.update_xaxes(type="category", automargin=True)
    # Units are in the title; an axis title would only crowd the tick labels.
    fig.update_yaxes(**_value_axis(data.unit, data.decimals), secondary_y=False)
    if data.ranks:
        # First place at the top: a better rank must never look smaller.
        fig.update_yaxes(autorange="reversed", rangemode="normal", dtick=1 if _span(data) <= 10 else None,
                         secondary_y=False)
    if second_axis:
        # This plotly.js syncs an overlaying axis to the primary's grid (63.5%, 52.9%, …): round ticks instead.
        fig.update_yaxes(**_value_axis(data.line_unit, data.line_decimals), showgrid=False, tickmode="auto",
                         secondary_y=True)
    return _base_layout(fig, data, height)


def _span(data: ChartData) -> float:
    values = [v for values in data.lines.values() for v in values if v is not None]
    return max(values) - min(values) if values else 0


def build_ytd_chart(data: ChartData, height: int = 340) -> go.Figure:
    """累计完成率 month by month as a line, against the dashed 序时进度 line (both in %)."""
    fig = go.Figure()
    for name, values in data.bars.items():
        fig.add_trace(_line_trace(name, values, data.categories, data.unit, data.decimals,
                                  color=PALETTE[0], lang=data.lang))
    for name, values in data.lines.items():
        fig.add_trace(_line_trace(name, values, data.categories, data.unit, data.decimals, lang=data.lang))
    fig.update_xaxes(type="category", automargin=True)
    fig.update_yaxes(**_value_axis(data.unit, data.decimals))
    return _base_layout(fig, data, height)


def build_completion_chart(data: ChartData, height: int = 340) -> go.Figure:
    """Several indicators' 完成率 as bars, each with its own 序时进度 as a dash across its bar:
    the indicators are separate things, so their paces are marks, not a connected line."""
    fig = go.Figure()
    for name, values in data.bars.items():
        fig.add_trace(go.Bar(name=name, x=data.categories, y=values, marker_color=PALETTE[0],
                             hovertemplate=_hover(data.unit, data.decimals, data.lang)))
    for name, values in data.lines.items():
        fig.add_trace(go.Scatter(name=name, x=data.categories, y=values, mode="markers",
                                 marker=dict(symbol="line-ew-open", size=60, color=REFERENCE_COLOR,
                                             line=dict(color=REFERENCE_COLOR, width=3)),
                                 hovertemplate=_hover(data.unit, data.decimals, data.lang)))
    fig.update_layout(bargap=0.45)
    fig.update_xaxes(type="category", automargin=True)
    fig.update_yaxes(**_value_axis(data.unit, data.decimals))
    return _base_layout(fig, data, height)


def build_ranking_chart(data: ChartData, highlight: str | None = None, height: int | None = None) -> go.Figure:
    """Entities as sorted horizontal bars, best on top, the highlighted one in the strong colour;
    any reference (the highlighted entity's floor, target or pace) as a dashed vertical line."""
    fig = go.Figure()
    colors = [PALETTE[0] if c == highlight else MUTED for c in data.categories]
    for name, values in data.bars.items():
        fig.add_trace(go.Bar(
            name=name, y=data.categories, x=values, orientation="h", marker_color=colors,
            text=[None if v is None else f"{v:{_number_format(data.decimals)}}" for v in values],
            textposition="outside", cliponaxis=False,
            hovertemplate=_hover(data.unit, data.decimals, data.lang, label="%{y}", value_axis="x")))
    for name, values in data.lines.items():
        # One entity leaves a line of one point, which draws nothing while its legend shows: a
        # tall dash marks the reference instead.
        alone = len(data.categories) < 2
        fig.add_trace(go.Scatter(
            name=name, x=values, y=data.categories, mode="markers" if alone else "lines",
            marker=dict(symbol="line-ns-open", size=40, color=REFERENCE_COLOR, line=dict(width=3, color=REFERENCE_COLOR)),
            line=dict(color=REFERENCE_COLOR, width=2, dash="dash"),
            hovertemplate=_hover(data.unit, data.decimals, data.lang, label=name, value_axis="x")))
    fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    fig.update_xaxes(**_value_axis(data.unit, data.decimals))
    fig.update_layout(showlegend=bool(data.lines))
    return _base_layout(fig, data, height or max(260, 80 + 36 * len(data.categories)))


def _panel_title(name: str) -> str:
    # A phone's panel is a quarter of 350 px: a name's bracketed part (（示例）) goes on a second line.
    head, bracket, rest = name.partition("（")
    return f"{head}<br>{bracket}{rest}" if bracket and head else name


def build_small_multiples(data: ChartData, highlight: str | None = None, columns: int = 4,
                          height_per_row: int = 170) -> go.Figure:
    """One small panel per entity (each ChartData line), on a shared scale, with every other
    entity drawn faintly behind it for context."""
    names = list(data.lines)
    rows = max(1, -(-len(names) // columns))
    fig = make_subplots(rows=rows, cols=columns, shared_yaxes=True, subplot_titles=[_panel_title(n) for n in names],
                        # Room between rows for a row's month labels and the next row's two-line names.
                        horizontal_spacing=0.03, vertical_spacing=min(0.3, 70 / (height_per_row * rows)))
    for i, name in enumerate(names):
        row, col = i // columns + 1, i % columns + 1
        for other in names:
            if other != name:
                fig.add_trace(go.Scatter(x=data.categories, y=data.lines[other], mode="lines",
                                         line=dict(color="#e3e8ee", width=1), hoverinfo="skip",
                                         showlegend=False), row=row, col=col)
        fig.add_trace(go.Scatter(
            name=name, x=data.categories, y=data.lines[name], mode="lines", showlegend=False,
            line=dict(color=PALETTE[0] if name == highlight else PALETTE[4], width=2.5 if name == highlight else 1.5),
            hovertemplate=_hover(data.unit, data.decimals, data.lang)), row=row, col=col)
    # The panels share their months, so only each row's first panel names them, and only the first
    # and last: on a phone a panel is some 70 px wide, where a third label, or a neighbour's, collides.
    # Half a category of room at each end keeps the labels clear of the y axis's lowest tick.
    ticks = sorted({0, len(data.categories) - 1}) if data.categories else []
    fig.update_xaxes(type="category", tickangle=0, tickfont=dict(size=10), showticklabels=False,
                     tickvals=[data.categories[i] for i in ticks], range=[-0.5, len(data.categories) - 0.5])
    fig.update_xaxes(showticklabels=True, col=1)
    # A trend needs no zero baseline, and without one the lowest tick clears the month labels.
    fig.update_yaxes(**{**_value_axis(data.unit, data.decimals), "rangemode": "normal"})
    fig.update_annotations(font=dict(size=12, family=FONT_FAMILY))
    # The first row's names sit above the plot, where only a margin keeps them in the picture.
    return _base_layout(fig, data, 90 + height_per_row * rows).update_layout(margin_t=50)


def sparkline_svg(data: ChartData, status: Status = Status.NONE, width: int = 72, height: int = 24) -> str:
    """A card's trend as an inline SVG path (its ChartData's first line), the last month marked in
    the status colour: a page of two dozen cards needs no plotly instance per card."""
    values = next(iter(data.lines.values()), [])
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return ""
    low, high = min(v for _, v in points), max(v for _, v in points)
    span_x, span_y = max(len(values) - 1, 1), (high - low) or 1.0
    pad = 3

    def xy(i: int, v: float) -> tuple[float, float]:
        # A rank is better when smaller: its axis is inverted, as on the full chart.
        rise = (high - v) if data.ranks else (v - low)
        return (pad + (width - 2 * pad) * i / span_x, height - pad - (height - 2 * pad) * rise / span_y)

    segments, previous = [], None
    for i, v in points:
        x, y = xy(i, v)
        segments.append(f"{'L' if previous == i - 1 else 'M'}{x:.1f},{y:.1f}")
        previous = i
    last_x, last_y = xy(*points[-1])
    color = STATUS_COLORS.get(status, STATUS_COLORS[Status.NONE])
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-hidden="true"><path d="{" ".join(segments)}" fill="none" '
            f'stroke="{PALETTE[4]}" stroke-width="1.5"/><circle cx="{last_x:.1f}" cy="{last_y:.1f}" '
            f'r="3" fill="{color}"/></svg>')
