"""Actors and sessions: the signed ds_actor cookie, /-/logout and the one-time --root login URL."""
from __future__ import annotations

__version__ = "0.1.0"

from .cookies import delete_actor_cookie, set_actor_cookie  # noqa: E402

DATASETTE_METHODS = {
    "set_actor_cookie": set_actor_cookie,
    "delete_actor_cookie": delete_actor_cookie,
}

from .hooks import actor_from_request, register_routes  # noqa: E402,F401
