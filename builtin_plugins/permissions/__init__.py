"""The built-in permissions and the default rules: allow blocks, permissions blocks, root, token restrictions."""
from __future__ import annotations

__version__ = "0.1.1"

from datasette.settings import Setting

SETTINGS = [
    Setting("default_allow_sql", True, "Allow anyone to run arbitrary SQL queries"),
]

from .hooks import (  # noqa: E402,F401
    menu_links,
    permission_allowed_actor_restrictions,
    permission_allowed_config,
    register_permissions,
    register_routes,
    startup,
)
