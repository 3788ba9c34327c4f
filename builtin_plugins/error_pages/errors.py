"""Turning exceptions into responses."""
from __future__ import annotations

import html
import sys
import traceback
from typing import Any

from jinja2 import TemplateNotFound

from datasette.utils import InvalidSql
from datasette.utils.asgi import Request, Response
from datasette.utils.sqlite import sqlite3


def describe(exception: Exception) -> tuple[int, str | None, str, bool, str | None]:
    """``(status, title, message, message_is_html, template)`` for an exception."""
    name = type(exception).__name__
    if name == "QueryInterrupted":
        return 400, "SQL Interrupted", (
            "<p>SQL query took too long. The time limit is controlled by the "
            '<a href="https://docs.datasette.io/en/stable/settings.html#setting-sql-time-limit-ms">'
            "sql_time_limit_ms</a> configuration option.</p>"), True, None
    if isinstance(exception, (InvalidSql, sqlite3.OperationalError)):
        return 400, "Invalid SQL", str(exception), False, None
    status = getattr(exception, "status", 500)
    if not isinstance(status, int):
        status = 500
    if hasattr(exception, "message_is_html"):  # DatasetteError
        return (status, exception.title, exception.message, exception.message_is_html,
                exception.template)
    if status >= 500:
        traceback.print_exception(exception, file=sys.stderr)
        return status, None, "Internal Server Error", False, None
    return status, None, str(exception.args[0]) if exception.args else str(exception), False, None


def wants_json(request: Request) -> bool:
    return request.path.split("?")[0].endswith(".json") or request.args.get("_format") == "json"


async def render_page(datasette: Any, request: Request, templates: list[str], context: dict,
                      status: int) -> Response:
    try:
        page = await datasette.render_template(templates, context, request=request, view_name="error")
    except TemplateNotFound:  # the theme plugin is disabled
        body = context["error"] if context.get("message_is_html") else html.escape(str(context["error"]))
        page = (f"<!DOCTYPE html><title>{html.escape(str(context.get('title') or status))}</title>"
                f"<h1>{html.escape(str(context.get('title') or f'Error {status}'))}</h1><p>{body}</p>")
    return Response.html(page, status=status)


async def render_error(datasette: Any, request: Request, exception: Exception) -> Response:
    status, title, message, message_is_html, template = describe(exception)
    if getattr(datasette, "pdb", False) and status >= 500:
        import pdb
        pdb.post_mortem(exception.__traceback__)
    if wants_json(request):
        info = {"ok": False, "error": message, "status": status, "title": title}
        info.update(getattr(exception, "error_dict", None) or {})
        return Response.json(info, status=status)
    templates = ([template] if template else []) + [f"{status}.html", "error.html"]
    context = {"ok": False, "error": message, "status": status, "title": title,
               "message_is_html": message_is_html}
    return await render_page(datasette, request, templates, context, status)


async def render_forbidden(datasette: Any, request: Request, message: str) -> Response:
    context = {"ok": False, "error": message, "status": 403, "title": "Forbidden",
               "message_is_html": False}
    return await render_page(datasette, request, ["error.html"], context, 403)
