"""Browsing pages: index, database, table, view and row pages, as HTML and data for renderers."""
__version__ = "0.2.0"

from datasette.settings import Setting  # noqa: E402

SETTINGS = [
    Setting("default_page_size", 100, "Default page size for the table view"),
    Setting("default_cache_ttl", 5, "Default HTTP cache TTL (used in Cache-Control: max-age= header)"),
    Setting("truncate_cells_html", 2048, "Truncate cells longer than this in HTML table view - set 0 to disable"),
    Setting("allow_download", True, "Allow users to download the original SQLite database files"),
]

from . import hookspecs  # noqa: E402,F401  (register_table_extras, offered to other plugins)
from .expand import expand_foreign_keys  # noqa: E402

DATASETTE_METHODS = {"expand_foreign_keys": expand_foreign_keys}
from .hooks import *  # noqa: E402,F401,F403
