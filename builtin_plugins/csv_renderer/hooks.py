"""Hook implementations of the csv_renderer plugin."""
from __future__ import annotations

from datasette import hookimpl

from .render import can_render_csv, render_csv


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "csv", "render": render_csv, "can_render": can_render_csv}
