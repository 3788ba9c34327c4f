"""Hooks the table_views plugin offers to other plugins."""
from __future__ import annotations

from typing import Any

from datasette import hookspec


@hookspec
def register_table_extras(datasette: Any) -> list[dict] | None:
    """Add blocks to table and view pages (``?_extra=NAME`` in JSON, template variables in HTML).

    When: on every table or view request.
    Returns: a list of ``{"name": str, "compute": async fn(table) -> value, "description"?: str,
    "auto"?: fn(request) -> bool, "html"?: bool}``. ``compute`` receives the page's
    ``TableContext``; its documented attributes are ``datasette, request, db, database_name,
    table_name, is_view, columns, primary_keys, config, html, rows, count`` and
    ``facet_args()`` (the keyword arguments of an upstream ``Facet``: ``request, database,
    sql, table, params, table_config, row_count``). An extra is added to the JSON when
    requested with ``?_extra=NAME`` or when ``auto(request)`` is true; with ``"html": True``
    it is also computed for the HTML page and passed to the template under its name (the
    ``table.html`` template includes ``_suggested_facets.html`` and ``_facet_results.html``
    when some plugin ships them). Every implementation's extras are used; a later name
    replaces an earlier one, including the built-in empty facet placeholders.
    """
