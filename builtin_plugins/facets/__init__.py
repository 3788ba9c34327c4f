"""Facets: column, date and array facet counts and suggestions on table pages, cached and time-budgeted."""
__version__ = "0.1.0"

from datasette.settings import Setting  # noqa: E402

SETTINGS = [
    Setting("default_facet_size", 30, "Number of values to return for requested facets"),
    Setting("facet_time_limit_ms", 200, "Time limit for calculating a requested facet"),
    Setting("facet_suggest_time_limit_ms", 50, "Time limit for calculating a suggested facet"),
    Setting("facet_suggest_budget_ms", 200,
            "Time budget for all suggested-facet work on one table page (0 = no budget)"),
    Setting("allow_facet", True, "Allow users to specify columns to facet using ?_facet= parameter"),
    Setting("suggest_facets", True, "Calculate and display suggested facets"),
]

from . import hookspecs  # noqa: E402,F401  (register_facet_classes, offered to other plugins)
from .hooks import *  # noqa: E402,F401,F403
