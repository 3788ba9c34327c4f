"""Hook implementations of the query_views plugin."""
from __future__ import annotations

from datasette import hookimpl

from .views import CANNED_QUERY_ROUTE, QUERY_ROUTE, canned_query_view, query_view


@hookimpl
def register_routes(datasette):
    # Not trylast: /<db>/-/query must win over the catch-all table and row routes.
    return [(QUERY_ROUTE, query_view)]


@hookimpl(trylast=True, specname="register_routes")
def register_canned_query_routes(datasette):
    # After the table view, which passes on names that are not tables or views.
    return [(CANNED_QUERY_ROUTE, canned_query_view)]
