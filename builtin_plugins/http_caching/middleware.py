"""The ASGI middleware: ETags on data pages, 304s before any query runs, ``?_ttl=`` checked.

Data pages are the GET and HEAD requests whose path names a database: ``/db``, ``/db/-/query``,
``/db/table`` and ``/db/table/pks``, in any format (not ``/db.db`` downloads, which have their
own ETag, nor other ``/db/-/...`` pages that plugins add). The middleware runs outside the router,
so a matching ``If-None-Match`` is answered before the actor is resolved or any SQL runs.
"""
from __future__ import annotations

import re
import urllib.parse
from typing import Any

from datasette.utils import add_cors_headers, tilde_decode
from datasette.utils.asgi import BadRequest, Receive, Request, Response, Scope, Send

from .etags import entity_tag, if_none_match, instance_fingerprint
from .versions import content_version

TTL = re.compile(r"[0-9]+")
NO_VALIDATOR = re.compile(rb"no-store|no-cache")  # _ttl=0 gives no-cache: a page not to be kept at all
MAX_REMEMBERED = 10_000
TTL_ERROR = "_ttl must be a whole number of seconds, for example _ttl=60 (_ttl=0 turns caching off)"


def page_path(datasette: Any, scope: Scope) -> str:
    """The path as the router matches it: undecoded, without query string or ``base_url``."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1").partition("?")[0] if raw else scope["path"]
    base_url = datasette.setting("base_url")
    if base_url != "/" and path.startswith(base_url):
        path = "/" + path[len(base_url):]
    return path


def data_database(datasette: Any, path: str) -> Any | None:
    """The `Database` whose data page this path is, or None."""
    segments = path.split("/")[1:]
    if not segments[0] or segments[0] == "-" or len(segments) > 3:
        return None
    name, _, extension = segments[0].partition(".")
    if extension == "db" or "-" in segments[2:]:
        return None
    if len(segments) > 1 and segments[1] == "-" and (len(segments) != 3 or segments[2].partition(".")[0] != "query"):
        return None
    route = tilde_decode(name)
    for db in datasette.databases.values():
        if db.route == route:
            return db
    return None


class HttpCachingMiddleware:
    """Adds weak ETags to data pages and answers ``If-None-Match`` with 304 Not Modified."""

    def __init__(self, app: Any, datasette: Any) -> None:
        self.app = app
        self.ds = datasette
        self._fingerprint: bytes | None = None
        self._settings: dict = {}
        self._cache_control: dict[bytes, bytes] = {}  # ETag -> the Cache-Control its 200 had, for 304s

    def fingerprint(self) -> bytes:
        settings = self.ds.settings_dict()  # tests change settings at run time
        if self._fingerprint is None or settings != self._settings:
            self._settings = settings
            self._fingerprint = instance_fingerprint(self.ds) + repr(sorted(settings.items())).encode()
        return self._fingerprint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        db = data_database(self.ds, page_path(self.ds, scope))
        if db is None:
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if b"_ttl=" in query:
            ttl = urllib.parse.parse_qs(query.decode("latin-1")).get("_ttl")
            if ttl and not TTL.fullmatch(ttl[0]):
                await self.reject(scope, receive, send, TTL_ERROR)
                return
            if ttl and int(ttl[0]) == 0:
                await self.app(scope, receive, send)
                return
        headers = dict(scope.get("headers") or [])
        version = content_version(db) if self.ds.cache_headers else None
        if version is None or b"ds_messages=" in headers.get(b"cookie", b""):  # messages are shown once
            await self.app(scope, receive, send)
            return
        tag = entity_tag(self.fingerprint(), version, scope, headers)
        match = headers.get(b"if-none-match")
        if match and if_none_match(match, tag):
            await self.not_modified(tag, send)
            return
        await self.app(scope, receive, self.tagging(tag, send))

    def tagging(self, tag: bytes, send: Send) -> Send:
        async def wrapped(message: dict) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                raw = message.get("headers") or []
                cache_control = vary = b""
                for name, value in raw:
                    name = name.lower()
                    if name == b"cache-control":
                        cache_control = value
                    elif name == b"vary":
                        vary = value
                    elif name in (b"etag", b"set-cookie"):
                        break
                else:
                    if not NO_VALIDATOR.search(cache_control):
                        if b"accept-encoding" not in vary.lower():  # the tag depends on it
                            vary = vary + b", Accept-Encoding" if vary else b"Accept-Encoding"
                        kept = [(n, v) for n, v in raw if n.lower() != b"vary"]
                        message = {**message, "headers": [*kept, (b"etag", tag), (b"vary", vary)]}
                        self.remember(tag, cache_control)
            await send(message)
        return wrapped

    def remember(self, tag: bytes, cache_control: bytes) -> None:
        if len(self._cache_control) >= MAX_REMEMBERED:
            self._cache_control.clear()
        self._cache_control[tag] = cache_control

    async def not_modified(self, tag: bytes, send: Send) -> None:
        headers = [(b"etag", tag), (b"vary", b"Accept-Encoding")]
        cache_control = self._cache_control.get(tag)
        if cache_control:
            headers.append((b"cache-control", cache_control))
        if self.ds.cors:  # the router adds these to every other response
            cors: dict[str, str] = {}
            add_cors_headers(cors)
            headers += [(key.lower().encode(), value.encode()) for key, value in cors.items()]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def reject(self, scope: Scope, receive: Receive, send: Send, message: str) -> None:
        """A 400 rendered like every other error (JSON for ``.json`` pages), by ``handle_exception``."""
        await self.ds.invoke_startup()  # error pages need the templates (a no-op once started)
        request = Request(scope, receive)
        error = BadRequest(message)
        response = await self.ds.hook.first("handle_exception", datasette=self.ds, request=request, exception=error)
        await (response or Response.text(f"400: {message}", status=400)).asgi_send(send)
