"""The leaders' slide deck: native, editable PowerPoint charts in the office's own template.

Two steps, so the export page can list the slides before anything is built:
`plan_deck` (plan.py) reads the store and decides every slide's title, 汇报 sentence, charts and
tables; `build_deck` (drawing.py) draws that plan into a template (template.py) with python-pptx,
the charts as native chart XML (chart_xml.py) and every run in named Chinese typefaces (typefaces.py).
"""
from .drawing import build_deck, export_deck
from .plan import DeckPlan, deck_indicator_choices, default_deck_indicators, indicator_charts, plan_deck
from .template import DEFAULT_TEMPLATE, TemplateError, open_template

__all__ = ["DEFAULT_TEMPLATE", "DeckPlan", "TemplateError", "build_deck", "deck_indicator_choices",
           "default_deck_indicators", "export_deck", "indicator_charts", "open_template", "plan_deck"]
