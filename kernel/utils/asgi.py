"""ASGI primitives: Request, Response, MultiParams, the HTTP error hierarchy and send helpers."""
from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, MutableMapping
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SAMESITE_VALUES = ("strict", "lax", "none")


class Base400(Exception):
    """Base of all errors that become a 4xx response; `status` is the HTTP status code."""

    status = 400


class NotFound(Base400):
    """404 Not Found."""

    status = 404


class Forbidden(Base400):
    """403 Forbidden."""

    status = 403


class BadRequest(Base400):
    """400 Bad Request."""

    status = 400


class PayloadTooLarge(Base400):
    """413: the request body exceeded the allowed size."""

    status = 413


class DatabaseNotFound(NotFound):
    """No database is routed under this name."""

    def __init__(self, database_name: str) -> None:
        super().__init__("Database not found")
        self.database_name = database_name


class TableNotFound(NotFound):
    """The database has no table or view of this name."""

    def __init__(self, database_name: str, table: str) -> None:
        super().__init__("Table not found")
        self.database_name, self.table = database_name, table


class RowNotFound(NotFound):
    """No row matches these primary key values."""

    def __init__(self, database_name: str, table: str, pk_values: Any) -> None:
        super().__init__("Row not found")
        self.database_name, self.table, self.pk_values = database_name, table, pk_values


class MultiParams:
    """Read-only multi-valued mapping, built from a dict of lists or a list of pairs."""

    def __init__(self, data: dict[str, list[str]] | Iterable[tuple[str, str]]) -> None:
        if isinstance(data, dict):
            self._data = {key: list(value) if isinstance(value, (list, tuple)) else [value] for key, value in data.items()}
        else:
            self._data = {}
            for key, value in data:
                self._data.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"<MultiParams: {self._data}>"

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __getitem__(self, key: str) -> str:
        return self._data[key][0]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def keys(self):
        """The distinct keys, in first-seen order."""
        return self._data.keys()

    def get(self, key: str, default: Any = None) -> Any:
        """The first value for key, or default."""
        values = self._data.get(key)
        return values[0] if values else default

    def getlist(self, key: str) -> list[str]:
        """Every value for key (empty list if absent)."""
        return list(self._data.get(key, ()))


class _cached:
    """Lock-free cached_property: the first call stores the value in the instance dict."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn, self.name, self.__doc__ = fn, fn.__name__, fn.__doc__

    def __get__(self, obj: Any, cls: type) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class Request:
    """An incoming HTTP request; headers, cookies, path and args are parsed on first access and cached."""

    def __init__(self, scope: Scope, receive: Receive | None) -> None:
        self.scope, self.receive = scope, receive

    def __repr__(self) -> str:
        return f"<asgi.Request method={self.method!r} url={self.url!r}>"

    @property
    def method(self) -> str:
        """HTTP method, e.g. GET."""
        return self.scope["method"]

    @property
    def url(self) -> str:
        """Full URL: scheme, host, path and query string."""
        qs = self.query_string
        return f"{self.scheme}://{self.host}{self.path}" + (f"?{qs}" if qs else "")

    @property
    def url_vars(self) -> dict[str, str]:
        """Named groups captured by the matching route."""
        return (self.scope.get("url_route") or {}).get("kwargs") or {}

    @property
    def scheme(self) -> str:
        """http or https."""
        return self.scope.get("scheme") or "http"

    @_cached
    def headers(self) -> dict[str, str]:
        """Headers with lower-cased names; a repeated header keeps its last value."""
        return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in self.scope.get("headers") or ()}

    @property
    def host(self) -> str:
        """The Host header, or localhost."""
        return self.headers.get("host") or "localhost"

    @_cached
    def cookies(self) -> dict[str, str]:
        """Cookies sent by the client."""
        cookies = {}
        for chunk in self.headers.get("cookie", "").split(";"):
            key, sep, value = chunk.partition("=")
            if sep and key.strip():
                value = value.strip()
                if len(value) > 1 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                cookies[key.strip()] = value
        return cookies

    @_cached
    def path(self) -> str:
        """Path without query string, still percent-encoded (so %2F survives routing)."""
        raw = self.scope.get("raw_path")
        path = raw.decode("latin-1") if raw is not None else self.scope["path"]
        return path.partition("?")[0]

    @property
    def full_path(self) -> str:
        """Path plus query string."""
        qs = self.query_string
        return f"{self.path}?{qs}" if qs else self.path

    @_cached
    def query_string(self) -> str:
        """The raw query string, without the leading ?."""
        return (self.scope.get("query_string") or b"").decode("latin-1")

    @_cached
    def args(self) -> MultiParams:
        """Query string arguments; blank values are kept."""
        qs = self.query_string
        return MultiParams(parse_qs(qs, keep_blank_values=True) if qs else {})

    @property
    def actor(self) -> dict[str, Any] | None:
        """The authenticated actor, if any."""
        return self.scope.get("actor")

    async def post_body(self, max_bytes: int | None = None) -> bytes:
        """Read the whole request body; raises PayloadTooLarge beyond max_bytes."""
        chunks, size, more_body = [], 0, True
        while more_body:
            message = await self.receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise PayloadTooLarge(f"Request body exceeds {max_bytes} bytes")
            chunks.append(chunk)
            more_body = message.get("more_body", False)
        return b"".join(chunks)

    async def post_vars(self) -> dict[str, str]:
        """The urlencoded form body as a dict (last value wins for repeated keys)."""
        try:
            body = (await self.post_body()).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("Invalid form data: the body is not UTF-8") from None
        return dict(parse_qsl(body, keep_blank_values=True))

    @classmethod
    def fake(cls, path_with_query_string: str, method: str = "GET", scheme: str = "http", url_vars: dict | None = None) -> Request:
        """A Request for tests and internal calls, with no body."""
        parts = urlsplit(path_with_query_string)
        scope = {"http_version": "1.1", "method": method, "path": unquote(parts.path), "query_string": parts.query.encode("latin-1"), "scheme": scheme, "type": "http", "headers": []}
        if parts.path.isascii():
            scope["raw_path"] = parts.path.encode("latin-1")
        if url_vars:
            scope["url_route"] = {"kwargs": url_vars}
        return cls(scope, None)


def _raw_headers(headers: dict[str, Any] | None, content_type: str | None) -> list[tuple[bytes, bytes]]:
    raw = [(str(k).lower().encode("utf-8"), str(v).encode("utf-8")) for k, v in (headers or {}).items()]
    if content_type is not None:
        raw = [pair for pair in raw if pair[0] != b"content-type"]
        raw.append((b"content-type", content_type.encode("utf-8")))
    return raw


class Response:
    """An HTTP response; `await response.asgi_send(send)` writes it."""

    def __init__(self, body: str | bytes | None = None, status: int = 200, headers: dict[str, str] | None = None, content_type: str = "text/plain") -> None:
        self.body, self.status, self.content_type = body, status, content_type
        self.headers = headers if headers is not None else {}
        self._set_cookie_headers: list[str] = []

    async def asgi_send(self, send: Send) -> None:
        headers = _raw_headers(self.headers, self.content_type)
        headers.extend((b"set-cookie", c.encode("utf-8")) for c in self._set_cookie_headers)
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        body = self.body
        await send({"type": "http.response.body", "body": body.encode("utf-8") if isinstance(body, str) else body or b""})

    def set_cookie(self, key: str, value: str = "", max_age: int | None = None, expires: Any = None, path: str | None = "/", domain: str | None = None, secure: bool = False, httponly: bool = False, samesite: str = "lax") -> None:
        """Add a Set-Cookie header; may be called several times."""
        if samesite.lower() not in SAMESITE_VALUES:
            raise ValueError(f"samesite should be one of {SAMESITE_VALUES}, got {samesite!r}")
        cookie: SimpleCookie = SimpleCookie()
        cookie[key] = value
        morsel = cookie[key]
        for prop, prop_value in (("max-age", max_age), ("expires", expires), ("path", path), ("domain", domain), ("samesite", samesite)):
            if prop_value is not None:
                morsel[prop] = prop_value
        morsel["secure"], morsel["httponly"] = secure, httponly
        self._set_cookie_headers.append(morsel.OutputString())

    @classmethod
    def html(cls, body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        """A text/html response."""
        return cls(body, status, headers, "text/html; charset=utf-8")

    @classmethod
    def text(cls, body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        """A text/plain response."""
        return cls(str(body), status, headers, "text/plain; charset=utf-8")

    @classmethod
    def json(cls, body: Any, status: int = 200, headers: dict[str, str] | None = None, default: Callable[[Any], Any] | None = None) -> Response:
        """A JSON response; `default` converts objects json can't serialize."""
        return cls(json.dumps(body, default=default), status, headers, "application/json; charset=utf-8")

    @classmethod
    def redirect(cls, path: str, status: int = 302, headers: dict[str, str] | None = None) -> Response:
        """A redirect to path."""
        headers = dict(headers or {})
        headers["Location"] = path
        return cls("", status, headers)


async def asgi_start(send: Send, status: int, headers: dict[str, str] | None = None, content_type: str = "text/plain") -> None:
    """Send the response start message."""
    await send({"type": "http.response.start", "status": status, "headers": _raw_headers(headers, content_type)})


async def asgi_send(send: Send, content: str | bytes, status: int, headers: dict[str, str] | None = None, content_type: str = "text/plain") -> None:
    """Send a complete response."""
    await asgi_start(send, status, headers, content_type)
    await send({"type": "http.response.body", "body": content.encode("utf-8") if isinstance(content, str) else content})


async def asgi_send_json(send: Send, info: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
    """Send info as a JSON response."""
    await asgi_send(send, json.dumps(info), status, headers, "application/json; charset=utf-8")


async def asgi_send_html(send: Send, html: str, status: int = 200, headers: dict[str, str] | None = None) -> None:
    """Send an HTML response."""
    await asgi_send(send, html, status, headers, "text/html; charset=utf-8")


async def asgi_send_redirect(send: Send, location: str, status: int = 302) -> None:
    """Send a redirect."""
    await asgi_send(send, "", status, {"Location": location}, "text/html; charset=utf-8")


async def asgi_send_file(send: Send, filepath: str | Path, filename: str | None = None, content_type: str | None = None, chunk_size: int = 4096, headers: dict[str, str] | None = None) -> None:
    """Stream a file in chunks; filename makes it an attachment download."""
    headers = dict(headers or {})
    if filename:
        headers["content-disposition"] = f'attachment; filename="{filename}"'
    content_type = content_type or mimetypes.guess_type(str(filepath))[0] or "application/octet-stream"
    with open(filepath, "rb") as fp:  # local reads come from the page cache; a thread hop per chunk costs more
        headers["content-length"] = str(os.fstat(fp.fileno()).st_size)
        await asgi_start(send, 200, headers, content_type)
        while chunk := fp.read(chunk_size):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


_etags: dict[tuple[str, int, int], str] = {}


async def calculate_etag(filepath: str | Path, chunk_size: int = 4096) -> str:
    """The md5 hex digest of a file, cached until its size or mtime changes."""
    stat = Path(filepath).stat()
    key = (str(filepath), stat.st_mtime_ns, stat.st_size)
    if key not in _etags:
        digest = hashlib.md5(usedforsecurity=False)
        with open(filepath, "rb") as fp:
            while chunk := fp.read(max(chunk_size, 65536)):
                digest.update(chunk)
        _etags[key] = digest.hexdigest()
    return _etags[key]


def asgi_static(root_path: str | Path, chunk_size: int = 4096, headers: dict[str, str] | None = None, content_type: str | None = None) -> Callable[[Request, Send], Awaitable[None]]:
    """A view serving files below root_path (url var `path`), with ETag/304 support."""
    root = Path(root_path).resolve()

    async def inner_static(request: Request, send: Send) -> None:
        try:
            full_path = (root / unquote(request.url_vars["path"])).resolve()
            found = full_path.is_relative_to(root) and full_path.is_file()
        except (OSError, ValueError):  # e.g. NUL bytes or over-long names
            found = False
        if not found:
            await asgi_send_html(send, "404: File not found", 404)
            return
        etag = f'"{await calculate_etag(full_path, chunk_size)}"'
        file_headers = {**(headers or {}), "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            await asgi_send(send, b"", 304, file_headers)
            return
        await asgi_send_file(send, full_path, content_type=content_type, chunk_size=chunk_size, headers=file_headers)

    return inner_static


class _AsgiWriter:
    def __init__(self, send: Send) -> None:
        self.send = send

    async def write(self, chunk: str | bytes) -> None:
        await self.send({"type": "http.response.body", "body": chunk.encode("utf-8") if isinstance(chunk, str) else chunk, "more_body": True})


class AsgiStream:
    """A streamed response: `stream_fn(writer)` calls `await writer.write(chunk)`."""

    def __init__(self, stream_fn: Callable[[_AsgiWriter], Awaitable[None]], status: int = 200, headers: dict[str, str] | None = None, content_type: str = "text/plain") -> None:
        self.stream_fn, self.status, self.headers, self.content_type = stream_fn, status, headers or {}, content_type

    async def asgi_send(self, send: Send) -> None:
        await asgi_start(send, self.status, self.headers, self.content_type)
        await self.stream_fn(_AsgiWriter(send))
        await send({"type": "http.response.body", "body": b""})


class AsgiFileDownload:
    """A response that streams a file as an attachment."""

    def __init__(self, filepath: str | Path, filename: str | None = None, content_type: str = "application/octet-stream", headers: dict[str, str] | None = None) -> None:
        self.filepath, self.filename, self.content_type, self.headers = filepath, filename, content_type, headers or {}

    async def asgi_send(self, send: Send) -> None:
        await asgi_send_file(send, self.filepath, filename=self.filename, content_type=self.content_type, headers=self.headers)
