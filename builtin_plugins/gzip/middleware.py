"""Starlette's ``GZipMiddleware``, configured for Datasette.

Starlette's is a well-kept implementation (streaming with ``Z_SYNC_FLUSH`` so that every chunk of
a streamed CSV reaches the client at once, large bodies compressed off the event loop, 206s and
``Content-Encoding`` responses left alone, ``Vary: Accept-Encoding``). This module chooses its
options, lets requests that do not accept gzip bypass it, and normalises ``Vary``, to which
Starlette appends even when an inner layer (the http_caching plugin) already listed ``Accept-Encoding``.
"""
from __future__ import annotations

from typing import Any

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from datasette.utils.asgi import Receive, Scope, Send

MINIMUM_SIZE = 500  # bytes: below this gzip's header and checksum eat the gain
COMPRESS_LEVEL = 4  # within 5% of level 6 in size, at 60-70% of its CPU (14 KB of JSON: 67 vs 94 us)
EXCLUDED_CONTENT_TYPES = DEFAULT_EXCLUDED_CONTENT_TYPES + (
    "application/octet-stream",  # database downloads and BLOB cells (``.blob``): often compressed already
    "application/binary",
    "application/x-sqlite3",
    "application/vnd.sqlite3",
    "application/x-bzip2",
    "application/x-xz",
    "application/zstd",
    "application/x-7z-compressed",
    "application/pdf",
)


class CompressionMiddleware:
    """Sends requests that accept gzip through Starlette's middleware, and the others straight on.

    Starlette's middleware would also wrap those others (to add ``Vary: Accept-Encoding``), at a
    cost comparable to serving a small page; data pages carry that ``Vary`` anyway (the
    http_caching plugin adds it), and an uncompressed response suits every client.
    """

    def __init__(self, app: Any, config: dict) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=int(config.get("minimum_size", MINIMUM_SIZE)),
                                   compresslevel=int(config.get("compresslevel", COMPRESS_LEVEL)),
                                   exclude_content_types=EXCLUDED_CONTENT_TYPES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers") or ():
                if name == b"accept-encoding":
                    if b"gzip" in value and accepts_gzip(value):
                        await self.gzip(scope, receive, merged_vary(send))
                        return
                    break
        await self.app(scope, receive, send)


def accepts_gzip(accept_encoding: bytes) -> bool:
    """True if ``Accept-Encoding`` lists ``gzip`` (or ``x-gzip``) with a quality above zero.

    ``gzip;q=0`` says the client does not want it (RFC 9110 §12.5.3); a malformed quality counts
    as 1, as most servers read it. ``*`` alone is not taken as gzip: identity is always acceptable.
    """
    for item in accept_encoding.split(b","):
        coding, _, params = item.partition(b";")
        if coding.strip().lower() not in (b"gzip", b"x-gzip"):
            continue
        name, _, quality = params.strip().partition(b"=")
        if name.strip().lower() != b"q":
            return True
        try:
            return float(quality) > 0
        except ValueError:
            return True
    return False


def merged_vary(send: Send) -> Send:
    """Removes repeated names from ``Vary`` (``Accept-Encoding, Accept-Encoding``)."""
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = message.get("headers") or []
            vary = [value for name, value in headers if name.lower() == b"vary"]
            if vary and (len(vary) > 1 or b"," in vary[0]):
                names: dict[bytes, bytes] = {}
                for token in b",".join(vary).split(b","):
                    if token.strip():
                        names.setdefault(token.strip().lower(), token.strip())
                message = {**message, "headers": [(n, v) for n, v in headers if n.lower() != b"vary"]
                           + [(b"vary", b", ".join(names.values()))]}
        await send(message)
    return wrapped
