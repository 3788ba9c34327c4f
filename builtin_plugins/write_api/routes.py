"""URL patterns of the write API (specific ``/-/`` suffixes, so they are tried before the catch-all pages)."""
from __future__ import annotations

from typing import Any

from .canned import CANNED_QUERY_ROUTE, canned_write_view
from .create import CreateView
from .drop import DropView
from .explorer import api_explorer_view
from .insert import InsertView, UpsertView
from .row import DeleteView, UpdateView

def as_function(view_class: type) -> Any:
    """A class view as a plain function: the kernel caches a function's signature once, where a
    class view's bound ``__call__`` is a new object, inspected again, on every request."""
    async def view(request: Any, datasette: Any) -> Any:
        return await view_class()(request, datasette)

    view.__name__ = view.__qualname__ = view_class.__name__
    view.__doc__ = view_class.__doc__
    return view


_DB = r"(?P<database>[^/.]+)"
_TABLE = r"(?P<table>[^/.]+)"
_ROW = r"(?P<table>[^/]+?)/(?P<pks>[^/]+?)"

ROUTES: list[tuple[str, Any]] = [
    (rf"^/{_DB}/-/create$", as_function(CreateView)),
    (rf"^/{_DB}/{_TABLE}/-/insert$", as_function(InsertView)),
    (rf"^/{_DB}/{_TABLE}/-/upsert$", as_function(UpsertView)),
    (rf"^/{_DB}/{_TABLE}/-/drop$", as_function(DropView)),
    (rf"^/{_DB}/{_ROW}/-/update$", as_function(UpdateView)),
    (rf"^/{_DB}/{_ROW}/-/delete$", as_function(DeleteView)),
    (r"^/-/api$", api_explorer_view),
    # Only POSTs to writable canned queries; everything else passes to the page routes.
    (CANNED_QUERY_ROUTE, canned_write_view),
]
