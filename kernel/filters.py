"""``datasette.filters``: the column-filter engine, re-exported lazily from the ``table_views`` plugin."""
from __future__ import annotations

from datasette.lazy import reexport

__getattr__ = reexport(__name__, "datasette_builtins.table_views.filters")
