"""Fixtures: a real fixtures database served through stand-in views.

The harness (views calling ``datasette.render_output``) lives with the csv_renderer
tests; the three renderer plugins share it.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

_path = Path(__file__).resolve().parents[2] / "csv_renderer" / "tests" / "harness.py"
_spec = importlib.util.spec_from_file_location("renderer_test_harness", _path)
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

register, db_path, make_ds, ds = harness.register, harness.db_path, harness.make_ds, harness.ds
isolate_plugins, real_ds = harness.isolate_plugins, harness.real_ds
