"""Fixtures: a real fixtures database served through stand-in views (see harness.py)."""
from __future__ import annotations

from .harness import db_path, ds, isolate_plugins, make_ds, real_ds, register  # noqa: F401
