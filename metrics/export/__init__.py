"""Exports for the office: the leaders' slide deck (native PowerPoint charts), charts as PNG or
SVG pictures, and the data behind any chart as xlsx."""
from .deck import (DeckPlan, TemplateError, build_deck, deck_indicator_choices, default_deck_indicators,
                   export_deck, indicator_charts, plan_deck)
from .images import ImageExportError, chart_picture, figure_image
from .xlsx import chart_data_xlsx

__all__ = [
    "DeckPlan", "ImageExportError", "TemplateError", "build_deck", "chart_data_xlsx", "chart_picture",
    "deck_indicator_choices", "default_deck_indicators", "export_deck", "figure_image",
    "indicator_charts", "plan_deck",
]
