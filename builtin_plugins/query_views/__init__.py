"""The SQL query page and canned queries (read-only)."""
__version__ = "0.1.1"

from datasette.settings import Setting  # noqa: E402

SETTINGS = [
    Setting("default_cache_ttl", 5, "Default HTTP cache TTL (used in Cache-Control: max-age= header)"),
    Setting("truncate_cells_html", 2048, "Truncate cells longer than this in HTML table view - set 0 to disable"),
]

from .hooks import register_canned_query_routes, register_routes  # noqa: E402,F401
