"""Exports for the office: the leaders' slide deck (native PowerPoint charts), the month's Word
汇报材料, charts as PNG or SVG pictures, the data behind any chart and the 整改台账 as xlsx."""
from .deck import (DeckPlan, TemplateError, build_deck, deck_indicator_choices, default_deck_indicators,
                   export_deck, indicator_charts, plan_deck)
from .images import ImageExportError, chart_image, chart_picture
from .report_docx import ReportPlan, export_report, plan_report
from .xlsx import chart_data_xlsx, ledger_xlsx

__all__ = [
    "DeckPlan", "ImageExportError", "ReportPlan", "TemplateError", "build_deck", "chart_data_xlsx",
    "chart_image", "chart_picture", "deck_indicator_choices", "default_deck_indicators", "export_deck",
    "export_report", "indicator_charts", "ledger_xlsx", "plan_deck", "plan_report",
]
