"""``dstok_`` tokens: ``"dstok_" + sign(payload, "token")``.

The payload is ``{"a": actor_id, "t": created, "d"?: seconds, "_r"?: restrictions}``
with actions abbreviated where a registered permission has an abbreviation. A token
that is unsigned by this instance's secret, malformed or expired authenticates
nobody: the request is simply anonymous.
"""
from __future__ import annotations

import time
import weakref
from typing import Any, Iterable

PREFIX = "dstok_"
VERIFIED_TOKENS = 1024  # per instance: an API client sends the same token with every request
_verified: weakref.WeakKeyDictionary[Any, dict[str, dict]] = weakref.WeakKeyDictionary()


def _abbreviate(datasette: Any, action: str) -> str:
    permission = (getattr(datasette, "permissions", None) or {}).get(action)
    return (permission.abbr or action) if permission is not None else action


def _abbreviated(datasette: Any, actions: Iterable[str]) -> list[str]:
    return [_abbreviate(datasette, action) for action in actions]


def create_token(datasette: Any, actor_id: str, *, expires_after: int | None = None,
                 restrict_all: Iterable[str] | None = None,
                 restrict_database: dict[str, Iterable[str]] | None = None,
                 restrict_resource: dict[str, dict[str, Iterable[str]]] | None = None) -> str:
    """A signed API token for ``actor_id``, optionally expiring and restricted."""
    payload: dict[str, Any] = {"a": actor_id, "t": int(time.time())}
    if expires_after:
        payload["d"] = int(expires_after)
    restrictions: dict[str, Any] = {}
    if restrict_all:
        restrictions["a"] = _abbreviated(datasette, restrict_all)
    if restrict_database:
        restrictions["d"] = {db: _abbreviated(datasette, actions) for db, actions in restrict_database.items()}
    if restrict_resource:
        restrictions["r"] = {
            db: {resource: _abbreviated(datasette, actions) for resource, actions in resources.items()}
            for db, resources in restrict_resource.items()
        }
    if restrictions:
        payload["_r"] = restrictions
    return PREFIX + datasette.sign(payload, "token")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decode_token(datasette: Any, token: str) -> dict | None:
    """The payload of a ``dstok_`` token signed by this instance, or None.

    Payloads whose signature checked out are remembered by token (a signature does not
    stop being valid; expiry is checked by the caller every time), which saves an HMAC and
    a JSON decode per request. Only verified tokens are kept, so junk cannot fill it.
    """
    if not token.startswith(PREFIX):
        return None
    verified = _verified.get(datasette)
    if verified is None:
        verified = _verified[datasette] = {}
    payload = verified.get(token)
    if payload is not None:
        return payload
    try:
        payload = datasette.unsign(token[len(PREFIX):], "token")
    except Exception:  # bad signature or payload: not a token of ours
        return None
    if not isinstance(payload, dict):
        return None
    if len(verified) >= VERIFIED_TOKENS:
        verified.clear()
    verified[token] = payload
    return payload


def actor_from_token(datasette: Any, token: str, now: float | None = None) -> dict | None:
    """The actor a valid, unexpired token stands for, or None."""
    if not datasette.setting("allow_signed_tokens"):
        return None
    payload = decode_token(datasette, token)
    if payload is None:
        return None
    actor_id, created, duration = payload.get("a"), payload.get("t"), payload.get("d")
    if not isinstance(actor_id, (str, int)) or isinstance(actor_id, bool) or not _is_int(created):
        return None
    if duration is not None and not _is_int(duration):
        return None
    max_ttl = datasette.setting("max_signed_tokens_ttl") or 0
    if max_ttl and (duration is None or duration > max_ttl):
        duration = max_ttl
    if duration and (time.time() if now is None else now) - created > duration:
        return None
    actor: dict[str, Any] = {"id": actor_id, "token": "dstok"}
    if "_r" in payload:
        actor["_r"] = payload["_r"]
    if duration:
        actor["token_expires"] = created + duration
    return actor


def actor_from_authorization(datasette: Any, request: Any) -> dict | None:
    """The actor of an ``Authorization: Bearer dstok_...`` header, or None."""
    authorization = request.headers.get("authorization")
    if not authorization or not authorization.startswith("Bearer "):
        return None
    return actor_from_token(datasette, authorization[len("Bearer "):])
