"""``datasette.publish.common``: publishing helpers, re-exported lazily from the ``publish`` plugin."""
from __future__ import annotations

from datasette.lazy import reexport

__getattr__ = reexport(__name__, "datasette_builtins.publish.common")
