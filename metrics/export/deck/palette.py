"""The deck's colours, shared by the drawing and the native charts."""
from pptx.dml.color import RGBColor

from ...status import Status

NAVY = RGBColor(0x1F, 0x4E, 0x79)
RED = RGBColor(0xC0, 0x00, 0x00)
ORANGE = RGBColor(0xED, 0x7D, 0x31)
GREY = RGBColor(0x7F, 0x7F, 0x7F)
LIGHT_GREY = RGBColor(0xBF, 0xBF, 0xBF)
GRIDLINE = RGBColor(0xD9, 0xD9, 0xD9)
BAND = RGBColor(0xF2, 0xF2, 0xF2)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
STATUS_FILL = {Status.GREEN: RGBColor(0x2E, 0x7D, 0x32), Status.AMBER: RGBColor(0xE0, 0x9B, 0x00),
               Status.RED: RED, Status.OPEN: NAVY, Status.NONE: LIGHT_GREY}
# Bars after the first: last year's months in grey; further stacks in light blue, then grey.
STACK_COLORS = (RGBColor(0x9D, 0xC3, 0xE6), LIGHT_GREY)
SERIES_COLORS = {"已完成": STATUS_FILL[Status.GREEN], "正在推进": STATUS_FILL[Status.AMBER]}
