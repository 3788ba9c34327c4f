"""``datasette.facets``: facet classes, re-exported lazily from the ``facets`` plugin."""
from __future__ import annotations

from datasette.lazy import reexport

__getattr__ = reexport(__name__, "datasette_builtins.facets.facets")
