"""URL patterns of the browsing pages (tried after every other plugin's routes)."""
from __future__ import annotations

from typing import Any

from .database_view import database_download, database_view
from .index_view import index_view, index_view_default
from .row_view import row_view
from .table_view import table_view

ROUTES: list[tuple[str, Any]] = [
    (r"^/(\.(?P<format>jsono?))?$", index_view),
    (r"^/-/(\.(?P<format>jsono?))?$", index_view_default),
    (r"^/(?P<database>[^/.]+)\.db$", database_download),
    (r"^/(?P<database>[^/.]+)(\.(?P<format>\w+))?$", database_view),
    (r"^/(?P<database>[^/.]+)/(?P<table>[^/.]+)(\.(?P<format>\w+))?$", table_view),
    (r"^/(?P<database>[^/.]+)/(?P<table>[^/]+?)/(?P<pks>[^/]+?)(\.(?P<format>\w+))?$", row_view),
]
