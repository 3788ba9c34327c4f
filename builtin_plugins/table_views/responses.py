"""Response helpers shared by the pages: formats, cache headers, alternate links, rendering."""
from __future__ import annotations

import json
from html import escape as html_escape
from typing import Any

from datasette.utils import await_me_maybe, call_with_supported_arguments, path_with_format, tilde_decode
from datasette.utils.asgi import DatabaseNotFound, NotFound, Request, Response


def resolve_database(datasette: Any, request: Request) -> Any:
    """The database named by the ``database`` URL part (tilde-decoded route)."""
    route = tilde_decode(request.url_vars["database"])
    for db in datasette.databases.values():
        if db.route == route:
            return db
    raise DatabaseNotFound(route)


def check_format(datasette: Any, format_: str | None) -> None:
    """404 "Invalid format: x" unless an output renderer handles the extension."""
    if format_ is not None and format_ not in datasette.renderers:
        raise NotFound(f"Invalid format: {format_}")


def add_cache_headers(datasette: Any, request: Request, response: Any) -> Any:
    """``Cache-Control: max-age=<default_cache_ttl>`` (``_ttl`` overrides, 0 means no-cache; ``private``
    for a signed-in actor) and ``Referrer-Policy: no-referrer``, as upstream sends them on table and row pages."""
    headers = getattr(response, "headers", None)
    if isinstance(headers, dict):
        headers.setdefault("Referrer-Policy", "no-referrer")
    if not datasette.cache_headers or getattr(response, "status", 200) != 200:
        return response
    ttl = datasette.setting("default_cache_ttl")
    given = request.args.get("_ttl")
    if given is not None:
        try:
            ttl = int(given)
        except ValueError:
            pass
    headers = getattr(response, "headers", None)
    if isinstance(headers, dict) and not any(key.lower() == "cache-control" for key in headers):
        # A signed-in actor's page may differ from everyone else's: no shared cache may keep it.
        headers["Cache-Control"] = ("private, " if request.actor else "") + f"max-age={ttl}" \
            if ttl and ttl > 0 else "no-cache"
    return response


def json_url(datasette: Any, request: Request, path: str | None = None) -> str:
    """Absolute URL of the JSON version of this page."""
    path = path_with_format(request=request, format="json") if path is None else path
    return datasette.absolute_url(request, path)


def alternate_header(url: str) -> str:
    return f'<{url}>; rel="alternate"; type="application/json+datasette"'


async def render_html(datasette: Any, request: Request, templates: list[str], context: dict, view_name: str,
                      alternate: str | None = None, headers: dict | None = None, cache: bool = True) -> Response:
    """Render an HTML page with the alternate JSON link (header and ``<link>``)."""
    headers = {"Link": alternate_header(alternate), **(headers or {})} if alternate else dict(headers or {})
    if alternate:
        context["alternate_url_json"] = alternate
    if datasette.setting("template_debug") and request.args.get("_context"):
        dumped = json.dumps(context, default=repr, indent=4, sort_keys=True)
        return Response.html("<pre>" + html_escape(dumped) + "</pre>", headers=headers)
    html = await datasette.render_template(templates, context, request=request, view_name=view_name)
    response = Response.html(html, headers=headers)
    return add_cache_headers(datasette, request, response) if cache else response


async def render_format(datasette: Any, request: Request, format_: str, **kwargs: Any) -> Any:
    """Render data with the output renderer of ``format_``; adds cache headers."""
    response = await datasette.render_output(format_, request=request, args=request.args, **kwargs)
    return add_cache_headers(datasette, request, response)


async def actions_from(results: list) -> list[dict]:
    links: list[dict] = []
    for result in results:
        links.extend(result or [])
    return links


async def available_renderers(datasette: Any, request: Request, **kwargs: Any) -> dict[str, str]:
    """``{extension: url}`` for every output renderer whose ``can_render`` accepts this page."""
    links = {}
    for key, (_, can_render) in datasette.renderers.items():
        allowed = await await_me_maybe(call_with_supported_arguments(
            can_render, datasette=datasette, request=request, **kwargs))
        if allowed:
            links[key] = path_with_format(request=request, format=key)
    return links
