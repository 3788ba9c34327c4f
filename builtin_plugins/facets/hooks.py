"""Hook implementations of the facets plugin."""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils import path_with_replaced_args

from .extras import TABLE_EXTRAS
from .facets import ArrayFacet, ColumnFacet, DateFacet


@hookimpl
def register_facet_classes():
    return [ColumnFacet, DateFacet, ArrayFacet]


@hookimpl
def register_table_extras(datasette):
    return TABLE_EXTRAS


@hookimpl
def prepare_jinja2_environment(env):
    # _facet_results.html (ours or a site's copy of upstream's) links "_facet_size=max" with it.
    env.globals.setdefault("path_with_replaced_args", path_with_replaced_args)


@hookimpl
def extra_css_urls(view_name, datasette):
    if view_name == "table":
        return [datasette.urls.static_plugins("facets", "facets.css")]
    return None


@hookimpl
def extra_js_urls(view_name, datasette):
    if view_name == "table" and datasette.setting("allow_facet"):
        return [datasette.urls.static_plugins("facets", "facets.js")]
    return None
