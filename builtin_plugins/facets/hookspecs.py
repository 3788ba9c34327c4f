"""Hooks the facets plugin offers to other plugins."""
from __future__ import annotations

from datasette import hookspec


@hookspec
def register_facet_classes() -> list[type]:
    """Offer facet types (subclasses of ``datasette.facets.Facet``).

    When: on every table or view request that computes facet results or suggestions.
    Returns: a list of classes. Every implementation's classes are used: each is
    instantiated as ``cls(datasette, request=, database=, sql=, table=, params=,
    table_config=, row_count=)``, its ``facet_results()`` (``(results, timed_out)``) feeds
    ``facet_results`` and its ``suggest()`` feeds ``suggested_facets``. Facets of type
    ``T`` are asked for with ``?_facet_T=column``. Suggestions from other plugins' classes
    share the page's ``facet_suggest_budget_ms``.
    """
