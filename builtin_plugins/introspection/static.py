"""Static files: each plugin's static/ directory and the --static mounts."""
from __future__ import annotations

import re
from typing import Any

from datasette.plugins import get_plugins
from datasette.utils.asgi import NotFound, Request, asgi_static


def static_routes(datasette: Any) -> list[tuple[str, Any]]:
    routes: list[tuple[str, Any]] = []
    servers: dict[str, Any] = {}
    for plugin in get_plugins(datasette.hook):
        if plugin["static_path"] and plugin["enabled"]:
            server = asgi_static(plugin["static_path"])
            name = plugin["name"].removeprefix("datasette_builtins.")
            for alias in (plugin["name"], name, name.replace("_", "-")):
                servers[alias] = server

    async def plugin_static(request: Request, send: Any) -> Any:
        server = servers.get(request.url_vars["plugin"])
        if server is None:
            raise NotFound("Plugin not found")
        return await server(request, send)

    routes.append((r"/-/static-plugins/(?P<plugin>[^/]*)/(?P<path>.*)$", plugin_static))
    for mount, directory in datasette.static_mounts:
        routes.append((rf"/{re.escape(mount.strip('/'))}/(?P<path>.*)$", asgi_static(directory)))
    return routes
