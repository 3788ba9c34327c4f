"""The /-/ pages that describe the running instance, as HTML or JSON."""
from __future__ import annotations

import asyncio
import html
import json
import threading
from typing import Any, Awaitable, Callable

from datasette.plugins import get_plugins
from datasette.utils import redact_keys
from datasette.utils.asgi import Request, Response
from jinja2 import TemplateNotFound

from .versions import versions

REDACT = ("secret", "key", "password", "token", "hash", "dsn")


async def plugins(datasette: Any, request: Request) -> list[dict]:
    show_all = bool(request.args.get("all"))
    return sorted(
        ({"name": p["name"], "static": bool(p["static_path"]), "templates": bool(p["templates_path"]),
          "version": p["version"], "hooks": p["hooks"], **({"enabled": p["enabled"]} if p["builtin"] else {})}
         for p in get_plugins(datasette.hook) if show_all or not p["builtin"]),
        key=lambda p: p["name"])


async def settings(datasette: Any, request: Request) -> dict:
    return datasette.settings_dict()


async def config(datasette: Any, request: Request) -> dict:
    return redact_keys(datasette.config or {}, REDACT)


async def threads(datasette: Any, request: Request) -> dict:
    if datasette.executor is None:
        return {"num_threads": 0, "threads": []}
    found = [{"name": t.name, "ident": t.ident, "daemon": t.daemon} for t in threading.enumerate()]
    tasks = asyncio.all_tasks()
    return {"num_threads": len(found), "threads": found, "num_tasks": len(tasks),
            "tasks": sorted(str(t) for t in tasks)}


async def databases(datasette: Any, request: Request) -> list[dict]:
    return [{"name": db.name, "route": db.route, "path": db.path, "size": db.size,
             "is_mutable": db.is_mutable, "is_memory": db.is_memory, "hash": db.hash}
            for db in datasette.databases.values()]


async def actor(datasette: Any, request: Request) -> dict:
    return {"actor": request.actor}


async def versions_page(datasette: Any, request: Request) -> dict:
    return versions(datasette)


def json_page(name: str, data: Callable[[Any, Request], Awaitable[Any]], needs_view_instance: bool = True):
    """A view that renders ``data`` as JSON (``.json``) or through show_json.html."""

    async def view(datasette: Any, request: Request) -> Response:
        if request.method == "OPTIONS":  # as upstream's class-based views answer it
            return Response.text("ok")
        if request.method not in ("GET", "HEAD"):
            if request.url_vars.get("format"):
                return Response.json({"ok": False, "error": "Method not allowed"}, status=405)
            return Response.text("Method not allowed", status=405)
        if needs_view_instance:
            await datasette.ensure_permissions(request.actor, ["view-instance"])
        result = await data(datasette, request)
        if request.url_vars.get("format"):
            return Response.json(result)
        json_url = datasette.urls.path(f"-/{name}.json")
        try:
            page = await datasette.render_template(
                "show_json.html", {"filename": f"{name}.json", "data": result, "json_url": json_url},
                request=request, view_name="json_data")
        except TemplateNotFound:  # the theme plugin is disabled: plain HTML still works
            page = (f"<!DOCTYPE html><title>{name}.json</title><h1>{name}.json</h1>"
                    f"<pre>{html.escape(json.dumps(result, indent=2, default=repr))}</pre>")
        return Response.html(page)

    return view


def json_page_routes() -> list[tuple[str, Any]]:
    pages = [("versions", versions_page, True), ("plugins", plugins, True), ("settings", settings, True),
             ("config", config, True), ("threads", threads, True), ("databases", databases, True),
             ("actor", actor, False)]
    return [(rf"/-/{name}(\.(?P<format>json))?$", json_page(name, fn, needs)) for name, fn, needs in pages]

