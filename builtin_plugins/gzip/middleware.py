"""Starlette's ``GZipMiddleware``, configured for Datasette.

Starlette's is a well-kept implementation (streaming with ``Z_SYNC_FLUSH`` so that every chunk of
a streamed CSV reaches the client at once, large bodies compressed off the event loop, 206s and
``Content-Encoding`` responses left alone, ``Vary: Accept-Encoding``). This module only chooses
its options and normalises ``Vary``, to which Starlette appends even when an inner layer (the
http_caching plugin) already listed ``Accept-Encoding``.
"""
from __future__ import annotations

from typing import Any

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from datasette.utils.asgi import Receive, Scope, Send

MINIMUM_SIZE = 500  # bytes: below this gzip's header and checksum eat the gain
COMPRESS_LEVEL = 6  # zlib's default: nearly level 9's ratio at a fraction of its CPU
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


class VaryMiddleware:
    """Removes repeated names from ``Vary`` (``Accept-Encoding, Accept-Encoding``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                vary = [value for name, value in headers if name.lower() == b"vary"]
                if vary and b"," in vary[0]:
                    names: dict[bytes, bytes] = {}
                    for token in b",".join(vary).split(b","):
                        if token.strip():
                            names.setdefault(token.strip().lower(), token.strip())
                    message = {**message, "headers": [(n, v) for n, v in headers if n.lower() != b"vary"]
                               + [(b"vary", b", ".join(names.values()))]}
            await send(message)
        await self.app(scope, receive, wrapped)


def compression_middleware(app: Any, config: dict) -> Any:
    """``app`` compressed with gzip for clients that accept it; ``config`` is the plugin's configuration
    (``minimum_size``, ``compresslevel``)."""
    gzipped = GZipMiddleware(app, minimum_size=int(config.get("minimum_size", MINIMUM_SIZE)),
                             compresslevel=int(config.get("compresslevel", COMPRESS_LEVEL)),
                             exclude_content_types=EXCLUDED_CONTENT_TYPES)
    return VaryMiddleware(gzipped)
