"""The debug links of the navigation menu, for actors with ``debug-menu``."""
from __future__ import annotations

from typing import Any

DEBUG_LINKS = [
    ("/-/databases", "Databases"),
    ("/-/plugins", "Installed plugins"),
    ("/-/versions", "Version info"),
    ("/-/settings", "Settings"),
    ("/-/permissions", "Debug permissions"),
    ("/-/messages", "Debug messages"),
    ("/-/allow-debug", "Debug allow rules"),
    ("/-/threads", "Debug threads"),
    ("/-/actor", "Debug actor"),
    ("/-/patterns", "Pattern portfolio"),  # served by the theme plugin
]


async def debug_menu_links(datasette: Any, actor: Any) -> list[dict]:
    """The debug links, or none when the actor lacks ``debug-menu``."""
    if not await datasette.permission_allowed(actor, "debug-menu"):
        return []
    return [{"href": datasette.urls.path(path), "label": label} for path, label in DEBUG_LINKS]
