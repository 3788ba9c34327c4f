"""Static assets of the built-in theme."""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from datasette import Response
from datasette.utils.asgi import asgi_static

STATIC = Path(__file__).parent / "static"
static_view = asgi_static(str(STATIC))


@functools.lru_cache(maxsize=1)
def app_css_hash() -> str:
    """First six hex digits of app.css's sha1, to bust browser caches on change."""
    return hashlib.sha1((STATIC / "app.css").read_bytes()).hexdigest()[:6]


@functools.lru_cache(maxsize=1)
def _favicon_bytes() -> bytes:
    return (STATIC / "favicon.png").read_bytes()


async def favicon() -> Response:
    return Response(_favicon_bytes(), content_type="image/png",
                    headers={"Cache-Control": "max-age=3600, immutable, public"})
