"""Write API errors: ``{"ok": false, "errors": [...]}`` with a status code."""
from __future__ import annotations

import base64
from typing import Any

from datasette.utils.asgi import Request, Response
from datasette.utils.sqlite import sqlite3
from datasette.views.base import View


class WriteError(Exception):
    """A write request that cannot be carried out; becomes ``{"ok": false, "errors": errors}``."""

    def __init__(self, errors: str | list[str], status: int = 400) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.status = status
        super().__init__("; ".join(self.errors))

    def response(self) -> Response:
        """The JSON error response."""
        return Response.json({"ok": False, "errors": self.errors}, status=self.status)


class WriteView(View):
    """Base of the write endpoints: ``write()`` does the work, a `WriteError` becomes its JSON response."""

    async def post(self, request: Request, datasette: Any) -> Response:
        try:
            return await self.write(request, datasette)
        except WriteError as error:
            return error.response()

    async def write(self, request: Request, datasette: Any) -> Response:
        raise NotImplementedError


def from_sqlite(error: sqlite3.Error) -> WriteError:
    """A SQLite error as a write error: 403 for a read-only database file, else 400 with SQLite's text."""
    message = str(error)
    if isinstance(error, sqlite3.OperationalError) and "readonly database" in message:
        return WriteError(f"Database is read-only: {message}", 403)
    return WriteError(message, 400)


def json_default(value: Any) -> Any:
    """JSON for values ``json`` cannot encode: BLOBs as ``{"$base64": true, "encoded": ...}``."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": True, "encoded": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def ok(body: dict, status: int = 200) -> Response:
    """A JSON success response (rows may hold BLOBs)."""
    return Response.json(body, status=status, default=json_default)
