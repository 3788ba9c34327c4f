"""Hook implementations of the blob_renderer plugin."""
from __future__ import annotations

from datasette import hookimpl

from .blob import can_render_blob, render_blob


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "blob", "render": render_blob, "can_render": can_render_blob}
