"""The signed ``ds_actor`` cookie: ``sign({"a": actor, "e"?: base62(expiry)}, "actor")``.

Anything wrong with the cookie (bad signature, not JSON, no actor, a malformed or
past expiry) means the request is anonymous: it is never an error page.
"""
from __future__ import annotations

import time
from typing import Any

from datasette.utils import baseconv

COOKIE_NAME = "ds_actor"


def set_actor_cookie(datasette: Any, response: Any, actor: dict, expire_after: int | None = None) -> None:
    """Sign ``actor`` into the ``ds_actor`` cookie, expiring ``expire_after`` seconds from now.

    (Upstream 1.0a19 used 24 hours whatever ``expire_after`` said; here the value counts.)
    """
    data: dict[str, Any] = {"a": actor}
    if expire_after:
        data["e"] = baseconv.base62.encode(int(time.time()) + int(expire_after))
    response.set_cookie(COOKIE_NAME, datasette.sign(data, "actor"), httponly=True)


def delete_actor_cookie(datasette: Any, response: Any) -> None:
    """Expire the ``ds_actor`` cookie."""
    response.set_cookie(COOKIE_NAME, "", expires=0, max_age=0)


def _expired(expires: Any) -> bool:
    if not isinstance(expires, str):
        return True
    try:
        return time.time() > baseconv.base62.decode(expires)
    except (ValueError, KeyError, IndexError, TypeError):
        return True


def actor_from_cookie(datasette: Any, request: Any) -> dict | None:
    """The actor signed into the request's ``ds_actor`` cookie, or None."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return None
    try:
        decoded = datasette.unsign(value, "actor")
    except Exception:  # bad signature or payload: anonymous, never a 500
        return None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("a"), dict):
        return None
    if "e" in decoded and decoded["e"] and _expired(decoded["e"]):
        return None
    return decoded["a"]
