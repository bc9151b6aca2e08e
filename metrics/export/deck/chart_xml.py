"""Native, editable PowerPoint charts, with their data embedded so that 编辑数据 in PowerPoint or
WPS changes them.

python-pptx draws one chart type per chart; targets and 序时进度 become line series by moving their
`c:ser` elements into a `c:lineChart` in the same plot area (the combo bar and line chart), with a
secondary axis written as XML when the lines have their own unit.
"""
from __future__ import annotations

import math

from lxml import etree
from pptx.chart.axis import ValueAxis
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_THEME_COLOR
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Pt

from ...chartdata import REFERENCE_LINES, ChartData
from .palette import GRIDLINE, LIGHT_GREY, NAVY, ORANGE, RED, SERIES_COLORS, STACK_COLORS, WHITE
from .template import Box

LABELLED_CATEGORIES = 6   # up to this many months every bar carries its value
SECONDARY_AXIS_IDS = ("50020001", "50020002")


def number_format(decimals: int, unit: str = "") -> str:
    """Excel number format with thousands separators, the indicator's decimals and, when given,
    its unit as literal text: 1234.5 with (1, 亿元) shows 1,234.5亿元."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return f'{pattern}"{unit}"' if unit else pattern


def _axis_decimals(values: list[float | None], decimals: int) -> int:
    """Whole numbers on the axis unless the figures are so small that ticks would repeat."""
    largest = max((abs(v) for v in values if v is not None), default=0)
    return 0 if decimals == 0 or largest >= 5 else 1


def add_native_chart(slide, data: ChartData, box: Box):
    """Bars (clustered, or stacked) with every line series in the same chart: on the bars' axis,
    or on a secondary axis when the lines have their own unit. A rank is lines alone, on an
    inverted axis."""
    if data.ranks:
        return _add_rank_chart(slide, data, box)
    table = CategoryChartData(number_format=number_format(data.decimals, data.unit))
    table.categories = data.categories
    for name, values in data.bars.items():
        table.add_series(name, values)
    line_format = (number_format(data.line_decimals, data.line_unit) if data.line_unit
                   else number_format(data.decimals, data.unit))
    for name, values in data.lines.items():
        table.add_series(name, values, number_format=line_format)
    chart_type = XL_CHART_TYPE.COLUMN_STACKED if data.stacked else XL_CHART_TYPE.COLUMN_CLUSTERED
    frame = slide.shapes.add_chart(chart_type, box.left, box.top, box.width, box.height, table)
    chart = frame.chart
    if data.lines:
        _move_series_to_line_chart(chart, len(data.lines), secondary=_on_secondary_axis(data))
    _style_chart(chart, data)
    return frame


def _add_rank_chart(slide, data: ChartData, box: Box):
    """Ranks as lines with first place at the top: a worse rank must not stand taller."""
    table = CategoryChartData(number_format=number_format(0))
    table.categories = data.categories
    for name, values in data.lines.items():
        table.add_series(name, values)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, box.left, box.top, box.width, box.height, table)
    chart = frame.chart
    _style_titles_and_legend(chart, data)
    axis = _value_axes(chart)[0]
    _style_value_axis(axis, data.unit, 0)
    axis.reverse_order = True
    axis.minimum_scale = 1  # first place is the top of the axis
    for index, series in enumerate(chart.plots[0].series):
        series.smooth = False
        line = series.format.line
        line.width = Pt(2.25)
        color = RED if series.name in REFERENCE_LINES else (NAVY if index == 0 else LIGHT_GREY)
        line.color.rgb = color
        if series.name in REFERENCE_LINES:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
            series.marker.style = XL_MARKER_STYLE.NONE
        else:
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = color
            if index == 0:
                # Under the points: on an inverted axis the target (a better rank) lies above them.
                _label(series, number_format(0), XL_LABEL_POSITION.BELOW, NAVY)
    return frame


def _move_series_to_line_chart(chart, count: int, secondary: bool) -> None:
    plot_area = chart._chartSpace.chart.plotArea
    bar_chart = plot_area.find(qn("c:barChart"))
    bar_axis_ids = [a.get("val") for a in bar_chart.findall(qn("c:axId"))]
    line_chart = OxmlElement("c:lineChart")
    bar_chart.addnext(line_chart)
    etree.SubElement(line_chart, qn("c:grouping"), val="standard")
    etree.SubElement(line_chart, qn("c:varyColors"), val="0")
    for ser in bar_chart.findall(qn("c:ser"))[-count:]:
        for bar_only in ser.findall(qn("c:invertIfNegative")):
            ser.remove(bar_only)
        line_chart.append(ser)
    etree.SubElement(line_chart, qn("c:marker"), val="1")
    for axis_id in SECONDARY_AXIS_IDS if secondary else bar_axis_ids:
        etree.SubElement(line_chart, qn("c:axId"), val=axis_id)
    if secondary:
        _add_secondary_axes(plot_area)


def _add_secondary_axes(plot_area) -> None:
    """A hidden category axis and a value axis on the right, both for the line chart alone."""
    category_id, value_id = SECONDARY_AXIS_IDS
    axes = parse_xml(f"""
    <c:axes {nsdecls("c")}>
      <c:catAx><c:axId val="{category_id}"/><c:scaling><c:orientation val="minMax"/></c:scaling>
        <c:delete val="1"/><c:axPos val="b"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>
        <c:tickLblPos val="nextTo"/><c:crossAx val="{value_id}"/><c:crosses val="autoZero"/>
        <c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>
      <c:valAx><c:axId val="{value_id}"/><c:scaling><c:orientation val="minMax"/></c:scaling>
        <c:delete val="0"/><c:axPos val="r"/><c:numFmt formatCode="General" sourceLinked="0"/>
        <c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>
        <c:crossAx val="{category_id}"/><c:crosses val="max"/><c:crossBetween val="between"/></c:valAx>
    </c:axes>""")
    anchor = plot_area.findall(qn("c:valAx"))[-1]
    for axis in list(axes):
        anchor.addnext(axis)
        anchor = axis


def _on_secondary_axis(data: ChartData) -> bool:
    """Lines in another unit than the bars (a share beside balances) get their own axis."""
    return bool(data.line_unit) and data.line_unit != data.unit


def _style_titles_and_legend(chart, data: ChartData) -> None:
    chart.font.size = Pt(11)
    chart.has_title = True
    chart.chart_title.text_frame.text = data.title
    title_font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
    title_font.size = Pt(13)
    title_font.bold = True
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(10)
    category_axis = chart.category_axis
    category_axis.format.line.color.rgb = LIGHT_GREY
    category_axis.tick_labels.font.size = Pt(10)


def _style_chart(chart, data: ChartData) -> None:
    secondary = _on_secondary_axis(data)
    _style_titles_and_legend(chart, data)
    bar_values = [v for values in data.bars.values() for v in values]
    same_axis_lines = [] if secondary else [v for values in data.lines.values() for v in values]
    value_axes = _value_axes(chart)
    _style_value_axis(value_axes[0], data.unit, _axis_decimals(bar_values + same_axis_lines, data.decimals))
    if all(v >= 0 for v in bar_values + same_axis_lines if v is not None):
        # Bars measure from zero; an axis cut at 270 makes 296 look like a third of 304.
        value_axes[0].minimum_scale = 0

    bars = chart.plots[0]
    bars.gap_width = 60
    if not data.stacked:
        bars.overlap = -10
    for index, series in enumerate(bars.series):
        series.format.fill.solid()
        if series.name in SERIES_COLORS:
            series.format.fill.fore_color.rgb = SERIES_COLORS[series.name]
        elif index == 0:
            series.format.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
        elif data.stacked:
            series.format.fill.fore_color.rgb = STACK_COLORS[(index - 1) % len(STACK_COLORS)]
        else:
            series.format.fill.fore_color.rgb = LIGHT_GREY
        few = len(data.categories) <= LABELLED_CATEGORIES
        if data.stacked and few:
            _label(series, number_format(data.decimals), XL_LABEL_POSITION.CENTER, WHITE)
        elif not data.stacked and index == 0 and few:
            _label(series, number_format(data.decimals), XL_LABEL_POSITION.OUTSIDE_END, None)
            for i in _labels_under_a_line(data, list(series.values), secondary):
                _label_inside(series.points[i].data_label)
        elif not data.stacked and index == 0:
            # Twelve labels would run into the target line: label the latest month, unit included.
            latest = max((i for i, v in enumerate(series.values) if v is not None), default=None)
            if latest is not None:
                label = series.points[latest].data_label
                label.position = XL_LABEL_POSITION.OUTSIDE_END
                label.font.size = Pt(10)
                label.font.bold = True
                if latest in _labels_under_a_line(data, list(series.values), secondary):
                    _label_inside(label)
    if len(chart.plots) < 2:
        return
    for series in chart.plots[1].series:
        values = [v for v in series.values if v is not None]
        constant = len(set(values)) <= 1
        series.smooth = False
        line = series.format.line
        line.width = Pt(2.25)
        line.color.rgb = ORANGE if secondary else RED
        if not secondary:
            line.dash_style = MSO_LINE_DASH_STYLE.DASH
        series.marker.style = XL_MARKER_STYLE.NONE if constant else XL_MARKER_STYLE.CIRCLE
        if not constant:
            series.marker.size = 6
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = line.color.rgb
            series.marker.format.line.color.rgb = line.color.rgb
        if secondary:
            _label(series, number_format(data.line_decimals, data.line_unit), XL_LABEL_POSITION.ABOVE, ORANGE)
    if secondary:
        _style_value_axis(value_axes[1], data.line_unit, 0, gridlines=False)
        _keep_line_above_bars(value_axes[0], value_axes[1], data)


LABEL_CLEARANCE = 0.12  # of the axis' height: a label above a bar needs this much room below a line


def _labels_under_a_line(data: ChartData, values: list[float | None], secondary: bool) -> set[int]:
    """The bars whose label, placed above the bar, would sit on a line drawn on the same axis just
    above it (a target or pace line): those labels go inside the bar's top instead."""
    if secondary or not data.lines:
        return set()
    everything = [v for v in values if v is not None] + [v for line in data.lines.values() for v in line if v is not None]
    top = max(everything, default=0)
    if top <= 0:
        return set()
    hits = set()
    for i, value in enumerate(values):
        if value is None or value < top * 2 * LABEL_CLEARANCE:
            continue  # too short to hold its label inside
        if any(line[i] is not None and -LABEL_CLEARANCE / 3 <= (line[i] - value) / top <= LABEL_CLEARANCE
               for line in data.lines.values() if i < len(line)):
            hits.add(i)
    return hits


def _label_inside(label) -> None:
    label.position = XL_LABEL_POSITION.INSIDE_END
    label.font.color.rgb = WHITE


def _value_axes(chart) -> list[ValueAxis]:
    """Primary first. python-pptx's `chart.value_axis` returns the second `c:valAx` when there are
    two (it has XY charts in mind), which here is the secondary axis."""
    return [ValueAxis(axis) for axis in chart._chartSpace.chart.plotArea.findall(qn("c:valAx"))]


def _keep_line_above_bars(bar_axis, line_axis, data: ChartData) -> None:
    """With two axes the line would run through the bars and its labels over them: the bars get
    the lower part of the chart, the line the upper part."""
    tops = [sum(v or 0 for v in column) for column in zip(*data.bars.values())] if data.stacked \
        else [v for values in data.bars.values() for v in values if v is not None]
    line_values = [v for values in data.lines.values() for v in values if v is not None]
    if not tops or not line_values:
        return
    bar_axis.maximum_scale = _nice_ceiling(max(tops) * 1.8)
    bar_axis.minimum_scale = 0
    low, high = min(line_values), max(line_values)
    step = 10 ** math.floor(math.log10(high)) if high > 0 else 1
    floor = low - (high - low) * 1.3
    line_axis.minimum_scale = max(0, math.floor(floor / step) * step) if floor > 0 else 0
    line_axis.maximum_scale = math.ceil(high * 1.02 / step) * step


def _nice_ceiling(value: float) -> float:
    """The next round number at or above value, such as 60 for 57.6."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * power >= value)


def _style_value_axis(axis, unit: str, decimals: int, gridlines: bool = True) -> None:
    axis.has_major_gridlines = gridlines
    if gridlines:
        axis.major_gridlines.format.line.color.rgb = GRIDLINE
    axis.format.line.fill.background()
    axis.tick_labels.font.size = Pt(10)
    axis.tick_labels.number_format = number_format(decimals)
    axis.tick_labels.number_format_is_linked = False
    if unit:
        axis.has_title = True
        frame = axis.axis_title.text_frame
        frame.text = unit
        frame.paragraphs[0].runs[0].font.size = Pt(10)
        frame.paragraphs[0].runs[0].font.bold = False
        # Upright: a turned 个 or 亩 reads as another glyph.
        frame._bodyPr.set("rot", "0")
        frame._bodyPr.set("vert", "horz")


def _label(series, number_format_code: str, position, color: RGBColor | None) -> None:
    labels = series.data_labels
    labels.show_value = True
    labels.number_format = number_format_code
    labels.number_format_is_linked = False
    labels.position = position
    labels.font.size = Pt(10)
    if color is not None:
        labels.font.color.rgb = color
