"""Hook implementations of the theme plugin."""
from __future__ import annotations

from datasette import hookimpl

from .assets import app_css_hash, favicon, static_view
from .patterns import patterns_view


@hookimpl
def register_routes(datasette):
    return [
        (r"/-/static/(?P<path>.*)$", static_view),
        (r"/favicon\.ico$", favicon),
        (r"/-/patterns$", patterns_view),
    ]


@hookimpl
def extra_template_vars(request):
    return {
        "app_css_hash": app_css_hash(),
        "show_logout": bool(request is not None and request.actor and "ds_actor" in request.cookies),
    }
