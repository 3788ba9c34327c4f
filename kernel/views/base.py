"""Class-based views, as upstream plugins write them for ``register_routes``."""
from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Request, Response


class DatasetteError(Exception):
    """An error that renders as a page (or JSON) with its own status and title."""

    def __init__(self, message: str, title: str | None = None, error_dict: dict | None = None,
                 status: int = 500, template: str | None = None, message_is_html: bool = False) -> None:
        super().__init__(message)
        self.message, self.title, self.error_dict = message, title, error_dict or {}
        self.status, self.template, self.message_is_html = status, template, message_is_html


class View:
    """Dispatches on the HTTP method: define ``async def get(self, request, datasette)``.

    HEAD falls back to ``get``, OPTIONS answers 200 "ok", other missing methods 405.
    """

    async def head(self, request: Request, datasette: Any) -> Response:
        if not hasattr(self, "get"):
            return await self.method_not_allowed(request)
        return await self.get(request, datasette)  # type: ignore[attr-defined]

    async def options(self, request: Request, datasette: Any) -> Response:
        return Response.text("ok")

    async def method_not_allowed(self, request: Request) -> Response:
        if request.path.endswith(".json") or request.headers.get("content-type", "").startswith("application/json"):
            return Response.json({"ok": False, "error": "Method not allowed"}, status=405)
        return Response.text("Method not allowed", status=405)

    async def __call__(self, request: Request, datasette: Any) -> Response:
        handler = getattr(self, request.method.lower(), None)
        if handler is None:
            return await self.method_not_allowed(request)
        return await handler(request, datasette)


BaseView = View
