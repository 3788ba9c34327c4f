"""The HTML query page: its template context and response."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from datasette.utils import (
    call_with_supported_arguments,
    await_me_maybe,
    make_slot_function,
    path_with_added_args,
    path_with_format,
    path_with_removed_args,
    to_css_class,
)
from datasette.utils.asgi import Request, Response
from jinja2 import TemplateNotFound
from markupsafe import escape

from .cells import display_rows
from .execution import QueryResult
from .params import form_values
from .schema import table_columns

PLUGIN = "query_views"
RENDERER_VIEW_NAME = "query"


@dataclass
class QueryPage:
    """Everything one query request produced: what ran, with which parameters, and its result."""

    datasette: Any
    request: Request
    db: Any
    sql: str
    names: list[str]
    params: dict[str, Any]
    result: QueryResult | None
    canned: dict | None = None
    private: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def query_name(self) -> str | None:
        return self.canned["name"] if self.canned else None

    @property
    def is_write(self) -> bool:
        return bool(self.canned and self.canned.get("write"))


def _show_hide(request: Request, canned: dict | None) -> tuple[bool, str, str, tuple[str, str] | None]:
    """``(hide_sql, link, link_text, hidden_field)`` for the show/hide SQL toggle."""
    if canned and canned.get("hide_sql"):
        if not request.args.get("_show_sql"):
            return True, path_with_added_args(request, {"_show_sql": "1"}), "show", None
        return False, path_with_removed_args(request, {"_show_sql"}), "hide", ("_show_sql", "1")
    if request.args.get("_hide_sql"):
        return True, path_with_removed_args(request, {"_hide_sql"}), "show", ("_hide_sql", "1")
    return False, path_with_added_args(request, {"_hide_sql": "1"}), "hide", None


async def export_links(page: QueryPage) -> dict[str, str]:
    """``{label: url}``: json first, then other renderers whose ``can_render`` allows it, then CSV.

    The CSV renderer answers False to ``can_render`` by contract (CSV has its own
    place at the end of the links), so it is linked whenever it is installed.
    """
    ds, request, result = page.datasette, page.request, page.result
    links = {}
    for ext in sorted((ext for ext in ds.renderers if ext != "csv"), key=lambda ext: ext != "json"):
        can_render = ds.renderers[ext][1]
        allowed = await await_me_maybe(call_with_supported_arguments(
            can_render, datasette=ds, columns=result.columns, rows=result.rows, sql=page.sql,
            query_name=page.query_name, database=page.db.name, table=None, request=request,
            view_name=RENDERER_VIEW_NAME))
        if allowed:
            links[ext] = path_with_format(request=request, format=ext)
    if "csv" in ds.renderers:
        links["CSV"] = path_with_format(request=request, format="csv", extra_qs={"_size": "max"})
    return links


async def query_actions(page: QueryPage) -> list[dict]:
    """Links from every ``query_actions`` implementation."""
    ds, request = page.datasette, page.request
    links: list[dict] = []
    for result in await ds.hook.gather("query_actions", datasette=ds, actor=request.actor,
                                       database=page.db.name, query_name=page.query_name,
                                       request=request, sql=page.sql, params=page.params):
        links.extend(result or [])
    return links


async def page_metadata(page: QueryPage) -> dict[str, Any]:
    """A canned query's own title/description/licence keys; for arbitrary SQL the database's metadata."""
    if page.canned:
        return {key: value for key, value in page.canned.items() if key not in ("sql", "params")}
    return await page.datasette.get_database_metadata(page.db.name)


async def render_html(page: QueryPage) -> Response:
    """Render query.html (or a per-database / per-query override) for a query page."""
    ds, request, db, result = page.datasette, page.request, page.db, page.result
    canned = page.canned
    actor = request.actor
    hide_sql, show_hide_link, show_hide_text, show_hide_hidden = _show_hide(request, canned)
    allow_execute_sql = True
    if canned:
        allow_execute_sql = await ds.permission_allowed(actor, "execute-sql", db.name) is not False
    values = form_values(request, page.names)
    edit_sql_url = None
    if canned and allow_execute_sql and not page.is_write:
        edit_sql_url = ds.urls.database(db.name) + "/-/query?" + urllib.parse.urlencode({"sql": page.sql, **values})
    columns = result.columns if result else []
    rows, rows_html = [], ""
    if result and result.rows:
        rows, rows_html = await display_rows(ds, request, db.name, columns, result.rows)
    json_url = path_with_format(request=request, format="json") if "json" in ds.renderers else None
    alternate_url_json = ds.absolute_url(request, json_url) if json_url else None
    if alternate_url_json:
        page.headers["Link"] = f'<{alternate_url_json}>; rel="alternate"; type="application/json+datasette"'
    editable = not canned
    context = {
        "database": db.name,
        "database_color": db.color,
        "query": {"sql": page.sql, "params": page.params},
        "canned_query": page.query_name,
        "canned_query_write": page.is_write,
        "private": page.private,
        "metadata": await page_metadata(page),
        "error": result.error if result else None,
        "truncated": bool(result and result.truncated),
        "columns": columns,
        "display_rows": rows,
        "rows_html": rows_html,
        "ran_query": result is not None and not page.is_write,
        "named_parameter_values": values,
        "hide_sql": hide_sql,
        "show_hide_link": show_hide_link,
        "show_hide_text": show_hide_text,
        "show_hide_hidden": show_hide_hidden,
        "editable": editable,
        "allow_execute_sql": allow_execute_sql,
        "edit_sql_url": edit_sql_url,
        "sql_height": page.sql.count("\n") + 3,
        "form_action": ds.urls.query(db.name, page.query_name) if canned else ds.urls.database(db.name),
        "table_columns": await table_columns(db) if editable and not hide_sql else {},
        "renderers": await export_links(page) if rows else {},
        "query_actions": await query_actions(page),
        "top_query": make_slot_function("top_query", ds, request, database=db.name, sql=page.sql),
        "top_canned_query": make_slot_function("top_canned_query", ds, request, database=db.name,
                                               query_name=page.query_name),
        "alternate_url_json": alternate_url_json,
        "crumb_items": [{"href": ds.urls.instance(), "label": "home"},
                        {"href": ds.urls.database(db.name), "label": db.name}],
        "static_url": lambda path: ds.urls.static_plugins(PLUGIN, path),
    }
    templates = [f"query-{to_css_class(db.name)}.html", "query.html"]
    if canned:
        templates.insert(0, f"query-{to_css_class(db.name)}-{to_css_class(page.query_name)}.html")
    try:
        html = await ds.render_template(templates, context, request=request, view_name="database")
    except TemplateNotFound:  # the theme plugin (base.html) is disabled: plain HTML still works
        html = plain_html(context)
    status = 400 if result is not None and result.error else 200
    return Response.html(html, status=status, headers=page.headers)


def plain_html(context: dict) -> str:
    """A minimal page for when no base template is available."""
    parts = [f"<!DOCTYPE html><title>{escape(context['database'])}</title>",
             f"<h1>{escape(context['database'])}</h1>",
             f"<pre>{escape(context['query']['sql'])}</pre>"]
    if context["error"]:
        parts.append(f'<p class="message-error">{escape(context["error"])}</p>')
    if context["display_rows"]:
        parts.append("<table><tr>" + "".join(f"<th>{escape(c)}</th>" for c in context["columns"]) + "</tr>")
        parts.append(context["rows_html"])
        parts.append("</table>")
    return "\n".join(parts)
