"""Hook implementations of the json_renderer plugin."""
from __future__ import annotations

from datasette import hookimpl

from .render import render_json


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "json", "render": render_json, "can_render": lambda: True}
