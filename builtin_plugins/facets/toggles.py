"""Toggle URLs of facet values and suggestions, built from one parse of the query string.

They equal ``datasette.absolute_url(request, path_with_added_args(...))`` and
``path_with_removed_args(...)`` but parse and encode the current arguments once per page
rather than once per value (a facet can list a thousand values).
"""
from __future__ import annotations

import urllib.parse
from typing import Any

from datasette.utils import path_with_removed_args


class Toggles:
    """URL helpers for one request."""

    def __init__(self, datasette: Any, request: Any) -> None:
        self.datasette, self.request = datasette, request
        self.path = request.path
        self.pairs = urllib.parse.parse_qsl(request.query_string)
        self.selected = set(urllib.parse.parse_qsl(request.query_string, keep_blank_values=True))
        self.base_query = urllib.parse.urlencode(self.pairs)
        self.origin: str | None = None
        if self.path.startswith("/") and not self.path.startswith("//"):
            self.origin = datasette.absolute_url(request, "/")[:-1]

    def _absolute(self, path: str) -> str:
        if self.origin is not None:
            return self.origin + path
        return self.datasette.absolute_url(self.request, path)

    def is_selected(self, key: str, value: Any) -> bool:
        """Whether ``key=value`` is one of the request's arguments."""
        return (key, str(value)) in self.selected

    def add(self, key: str, value: Any) -> str:
        """Absolute URL of this page with ``key=value`` appended."""
        added = urllib.parse.urlencode([(key, value)])
        query = f"{self.base_query}&{added}" if self.base_query else added
        return self._absolute(f"{self.path}?{query}")

    def remove(self, key: str, value: Any) -> str:
        """Absolute URL of this page without the argument ``key=value``."""
        value = str(value)
        kept = [(k, v) for k, v in self.pairs if not (k == key and v == value)]
        return self._absolute(f"{self.path}?{urllib.parse.urlencode(kept)}" if kept else self.path)

    def toggle(self, key: str, value: Any) -> tuple[bool, str]:
        """``(selected, url)``: the URL removes ``key=value`` if selected, else adds it."""
        if self.is_selected(key, value):
            return True, self.remove(key, value)
        return False, self.add(key, value)

    def without_facet(self, arg: str, column: str) -> str:
        """Relative URL of this page without ``arg=column`` (hides a facet)."""
        return path_with_removed_args(self.request, {arg: column})
