"""The HTML table page: template context (filter form, headers, cells, export links) and rendering."""
from __future__ import annotations

import urllib.parse
from typing import Any

from datasette.utils import make_slot_function, path_with_format, path_with_removed_args, \
    path_with_replaced_args, to_css_class

from .cells import CellRenderer
from .responses import json_url, render_html
from .table_extras import (action_links, extra_custom_table_templates, extra_display_columns, html_extras,
                           metadata, private, renderer_links)
from .table_options import form_hidden_args, sortable_columns

CSV_HIDDEN_SKIP = {"_labels", "_dl", "_stream", "_size", "_next", "_nl", "_shape"}


def sort_links(context: Any, display_columns: list[dict]) -> None:
    """Add ``sort_url`` and ``sort_arrow`` to each sortable header."""
    request, options, table = context.request, context.options, context.table
    default_key = table.row_keys[0] if not options.sort and len(table.row_keys) == 1 else None
    for column in display_columns:
        name = column["name"]
        column["css"] = to_css_class(name)
        if not column["sortable"]:
            continue
        if name == options.sort and not options.sort_desc or name == default_key:
            column["sort_arrow"] = "\u25bc"
            column["sort_url"] = path_with_replaced_args(request, {"_sort_desc": name, "_sort": None, "_next": None})
        elif name == options.sort:
            column["sort_arrow"] = "\u25b2"
            column["sort_url"] = path_with_replaced_args(request, {"_sort": name, "_sort_desc": None, "_next": None})
        else:
            column["sort_url"] = path_with_replaced_args(request, {"_sort": name, "_sort_desc": None, "_next": None})


def export_links(context: Any, renderers: dict[str, str]) -> dict[str, Any]:
    """The "This data as" links and the advanced export form (CSV has its own link)."""
    request = context.request
    has_csv = "csv" in context.ds.renderers
    labels = {"_labels": "on"} if context.expandable else {}
    formats = [(key, path_with_format(request=request, format=key, extra_qs=labels))
               for key in renderers if key != "csv"]
    csv_url = None
    if has_csv:
        csv_url = path_with_format(request=request, format="csv", extra_qs={**labels, "_size": "max"})
    shapes = []
    if "json" in context.ds.renderers:
        shapes = [("default", {}), ("array", {"_shape": "array"}), ("newline-delimited", {"_shape": "array", "_nl": "on"})]
        if context.table.pks:
            shapes.append(("object", {"_shape": "object"}))
        shapes = [(label, path_with_format(request=request, format="json", extra_qs={**labels, **qs}))
                  for label, qs in shapes]
    pairs = urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
    csv_hidden = [(k, v) for k, v in pairs if k not in CSV_HIDDEN_SKIP] + [("_size", "max")]
    return {"export_formats": formats, "csv_url": csv_url, "json_shapes": shapes,
            "csv_action": path_with_format(path=request.path, format="csv") if csv_url else None,
            "csv_hidden_args": csv_hidden,
            "allow_csv_stream": bool(context.ds.setting("allow_csv_stream")) and context.next_token is not None}


def filter_form(context: Any) -> dict[str, Any]:
    options, table = context.options, context.table
    lookups = list(options.filters.lookups())
    known = {key for key, _, _ in lookups}
    selections = [(column, lookup, value) for column, lookup, value in options.filters.selections()
                  if lookup in known]
    columns = list(table.columns)
    sortable = sortable_columns(table, context.config)
    return {"filter_columns": columns, "lookups": lookups, "filter_selections": selections,
            "sort_options": [c for c in context.columns if c in sortable],
            "form_hidden_args": form_hidden_args(context.request)}


async def query_link(context: Any) -> str | None:
    ds, request = context.ds, context.request
    allowed = await ds.permission_allowed(request.actor, "execute-sql", context.database_name)
    if allowed is False:
        return None
    sql = context.query.sql(context.options.page_size + 1)
    params = {k: v for k, v in context.query.params.items()}
    url = ds.urls.database_query(context.database_name, sql)
    if params:
        url += "&" + urllib.parse.urlencode({k: "" if v is None else v for k, v in params.items()})
    return url


def count_display(context: Any) -> dict[str, Any]:
    count = context.result.count
    truncated = count is not None and count > 10000
    count_url = None
    if count is None or truncated:
        url = context.ds.urls.database_query(context.database_name, context.query.count_sql)
        params = context.query.filter_params
        if params:
            url += "&" + urllib.parse.urlencode({k: "" if v is None else v for k, v in params.items()})
        count_url = url
    return {"count": count, "count_truncated": truncated, "count_url": count_url}


async def render_table_html(context: Any) -> Any:
    ds, request = context.ds, context.request
    db_name, table_name = context.database_name, context.table_name
    await context.load_expandable()
    found = await metadata(context)
    table_meta = found["table"]
    display_columns = await extra_display_columns(context)
    sort_links(context, display_columns)
    renderer = CellRenderer(ds, request, db_name, table_name)
    table = context.table
    link_column = table.use_rowid or len(table.pks) > 1
    pk_link = table.pks[0] if len(table.pks) == 1 else None
    fks = {fk["column"]: fk["other_table"] for fk in table.outgoing}
    display_rows = await renderer.render_rows(context.columns, context.rows, table.pks, table.use_rowid, fks,
                                              link_column, pk_link)
    renderers = await renderer_links(context)
    db_css, table_css = to_css_class(db_name), to_css_class(table_name)
    templates = [f"table-{db_css}-{table_css}.html", "table.html"]
    descriptions = [(c, found["columns"][c]) for c in context.columns if found["columns"].get(c)]
    context_dict = {
        "database": db_name, "table": table_name, "is_view": context.is_view,
        "database_color": context.db.color, "private": await private(context),
        "metadata": table_meta, "column_descriptions": descriptions,
        "title": table_meta.get("title") or table_name,
        "human_description_en": context.human_description_en(),
        **count_display(context),
        **filter_form(context),
        "sort": context.options.sort, "sort_desc": context.options.sort_desc,
        "extra_wheres_for_ui": [],
        "query_url": await query_link(context),
        "sql": context.query.sql(context.options.page_size + 1),
        **export_links(context, renderers),
        "display_columns": display_columns, "display_rows": display_rows,
        "columns": context.columns, "primary_keys": table.pks,
        "next": context.next_token, "next_url": context.next_url(), "query_ms": context.query_ms,
        "table_definition": None if context.is_view else table.definition,
        "view_definition": table.definition if context.is_view else None,
        "actions": await action_links(context),
        "top_table": make_slot_function("top_table", ds, request, database=db_name, table=table_name),
        "custom_table_templates": await extra_custom_table_templates(context),
        "table_js_url": ds.urls.static_plugins("table_views", "table.js"),
        "table_css_url": ds.urls.static_plugins("table_views", "table_views.css"),
        "crumb_items": [{"href": ds.urls.instance(), "label": "home"},
                        {"href": ds.urls.database(db_name), "label": db_name},
                        {"href": ds.urls.table(db_name, table_name), "label": table_name}],
        "body_class": f"table db-{db_css} table-{table_css}",
        "remove_search_url": path_with_removed_args(request, {"_search"}),
        "supports_search": False, "search": "", "expandable_columns_exist": bool(context.expandable),
        **context.extra_context,
        **await html_extras(context),
    }
    headers = {}
    if context.next_url():
        headers["link"] = f'<{context.next_url()}>; rel="next"'
    return await render_html(ds, request, templates, context_dict, "table", alternate=json_url(ds, request),
                             headers=headers)
