"""The default magic parameters, as ``(prefix, fn(key, request))`` pairs.

A canned query parameter ``:_<prefix>_<key>`` is filled in by the function
registered for ``<prefix>``, called with ``<key>``. A function raises ``KeyError``
when it has no value to give (no actor, no such cookie, an unknown ``_now_`` kind);
the query page then reports the parameter as not supplied.
"""
from __future__ import annotations

import datetime
import secrets
import time
from typing import Any

from datasette.utils.asgi import Request


def header(key: str, request: Request) -> str:
    """``:_header_user_agent`` is the User-Agent header (underscores become hyphens); "" if absent."""
    return request.headers.get(key.replace("_", "-").lower(), "")


def actor(key: str, request: Request) -> Any:
    """``:_actor_id`` is ``actor["id"]``; KeyError if there is no actor or no such key."""
    if request.actor is None:
        raise KeyError(key)
    return request.actor[key]


def cookie(key: str, request: Request) -> str:
    """``:_cookie_name`` is the value of that cookie; KeyError if it was not sent."""
    return request.cookies[key]


def now(key: str, request: Request) -> Any:
    """``:_now_epoch`` (int seconds), ``:_now_date_utc`` (YYYY-MM-DD), ``:_now_datetime_utc`` (YYYY-MM-DDTHH:MM:SSZ)."""
    if key == "epoch":
        return int(time.time())
    utc = datetime.datetime.now(datetime.timezone.utc)
    if key == "date_utc":
        return utc.date().isoformat()
    if key == "datetime_utc":
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    raise KeyError(key)


def random(key: str, request: Request) -> str:
    """``:_random_chars_N`` is N random URL-safe characters."""
    kind, _, length = key.partition("_")
    if kind != "chars" or not length.isdigit():
        raise KeyError(key)
    count = int(length)
    return secrets.token_urlsafe(count)[:count]


DEFAULT_MAGIC_PARAMETERS = (
    ("header", header),
    ("actor", actor),
    ("cookie", cookie),
    ("now", now),
    ("random", random),
)
