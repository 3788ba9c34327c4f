"""The ASGI middleware: redirects to hashed URLs, serves them with far-future cache headers.

* ``/<db>/...`` redirects (302) to ``/<db>-<hash>/...`` when ``hash_urls`` is on or the query
  string has ``_hash=1`` (which is dropped);
* ``/<db>-<hash>/...`` is served as ``/<db>/...`` (with ``hash_urls`` on it is the database's
  route already) with ``Cache-Control: max-age=<default_cache_ttl_hashed>, public``;
* ``/<db>-<old hash>/...`` redirects to the current hash.

Only immutable databases whose hash is known are hashed; until a large file's background hash
is done its plain URLs are served as usual. Other requests pass straight through.
"""
from __future__ import annotations

import re
import urllib.parse
from typing import Any

from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Receive, Response, Scope, Send

from .routes import adopt_hashes, find_hashed, hashed_route

PLAIN_MAX_AGE = re.compile(rb"\s*max-age=\d+\s*")  # what data pages send, unless private or no-cache


class HashedUrlsMiddleware:
    """Redirects to, and serves, hashed database URLs."""

    def __init__(self, app: Any, datasette: Any) -> None:
        self.app = app
        self.ds = datasette

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        ds = self.ds
        raw = scope.get("raw_path")
        path = raw.decode("latin-1").partition("?")[0] if raw else scope["path"]
        base_url = ds.setting("base_url")
        if base_url != "/" and path.startswith(base_url):
            path = "/" + path[len(base_url):]
        first, slash, rest = path[1:].partition("/")
        encoded, dot, extension = first.partition(".")
        if not encoded or encoded == "-":
            await self.app(scope, receive, send)
            return
        if ds.setting("hash_urls"):
            adopt_hashes(ds)  # a background hash may have finished
        route = tilde_decode(encoded)
        tail = (dot + extension) + (slash + rest)
        query = scope.get("query_string", b"").decode("latin-1")
        db = next((d for d in ds.databases.values() if d.route == route), None)
        if db is not None:
            hashed = hashed_route(db)
            if hashed is not None and db.route == db.name and self.wants_hash(query):
                await self.redirect(send, hashed, tail, query)
            else:  # with hash_urls on, a hashed route is the database's own route
                await self.app(scope, receive, self.far_future(scope, send) if db.route == hashed else send)
            return
        named = ds.databases.get(route)
        if named is not None and named.route == hashed_route(named):  # a plain URL, with hash_urls on
            await self.redirect(send, named.route, tail, query)
            return
        found = find_hashed(ds, route)
        if found is None:
            await self.app(scope, receive, send)
            return
        db, digest = found
        current = hashed_route(db)
        if current is None:  # its hash is still being computed: serve the plain URL meanwhile
            await self.redirect(send, db.route, tail, query)
        elif not current.endswith("-" + digest):
            await self.redirect(send, current, tail, query)
        else:  # hash_urls is off: serve the page under its plain route
            plain = base_url + tilde_encode(db.route) + tail
            scope = {**scope, "path": urllib.parse.unquote(plain), "raw_path": plain.encode("latin-1")}
            await self.app(scope, receive, self.far_future(scope, send))

    def wants_hash(self, query: str) -> bool:
        return bool(self.ds.setting("hash_urls")) or "_hash=1" in query.split("&")

    async def redirect(self, send: Send, route: str, tail: str, query: str) -> None:
        kept = [(k, v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k != "_hash"]
        location = self.ds.urls.path(tilde_encode(route) + tail)
        if kept:
            location += "?" + urllib.parse.urlencode(kept)
        await Response.redirect(location).asgi_send(send)

    def far_future(self, scope: Scope, send: Send) -> Send:
        """Successful responses get the hashed TTL, unless they are private, uncached or for a signed-in user."""
        headers = dict(scope.get("headers") or [])
        signed_in = b"authorization" in headers or b"ds_actor=" in headers.get(b"cookie", b"")
        if not self.ds.cache_headers or signed_in:
            return send
        value = b"max-age=%d, public" % int(self.ds.setting("default_cache_ttl_hashed"))

        async def wrapped(message: dict) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                raw = list(message.get("headers") or [])
                current = [v for k, v in raw if k.lower() == b"cache-control"]
                if not current or PLAIN_MAX_AGE.fullmatch(current[0]):
                    raw = [(k, v) for k, v in raw if k.lower() != b"cache-control"] + [(b"cache-control", value)]
                    message = {**message, "headers": raw}
            await send(message)
        return wrapped
