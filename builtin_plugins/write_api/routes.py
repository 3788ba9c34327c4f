"""URL patterns of the write API (specific ``/-/`` suffixes, so they are tried before the catch-all pages)."""
from __future__ import annotations

from typing import Any

from .canned import CANNED_QUERY_ROUTE, canned_write_view
from .create import CreateView
from .drop import DropView
from .explorer import api_explorer_view
from .insert import InsertView, UpsertView
from .row import DeleteView, UpdateView

_DB = r"(?P<database>[^/.]+)"
_TABLE = r"(?P<table>[^/.]+)"
_ROW = r"(?P<table>[^/]+?)/(?P<pks>[^/]+?)"

ROUTES: list[tuple[str, Any]] = [
    (rf"^/{_DB}/-/create$", CreateView),
    (rf"^/{_DB}/{_TABLE}/-/insert$", InsertView),
    (rf"^/{_DB}/{_TABLE}/-/upsert$", UpsertView),
    (rf"^/{_DB}/{_TABLE}/-/drop$", DropView),
    (rf"^/{_DB}/{_ROW}/-/update$", UpdateView),
    (rf"^/{_DB}/{_ROW}/-/delete$", DeleteView),
    (r"^/-/api$", api_explorer_view),
    # Only POSTs to writable canned queries; everything else passes to the page routes.
    (CANNED_QUERY_ROUTE, canned_write_view),
]
