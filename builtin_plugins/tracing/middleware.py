"""ASGI middleware that adds the traces of a ``?_trace=1`` request to its response."""
from __future__ import annotations

import json
import time
from html import escape
from typing import Any, Awaitable, Callable, MutableMapping
from urllib.parse import parse_qs

from datasette.tracer import capture_traces

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_TRACED_BODY = 256 * 1024


def _summary(traces: list, request_start: float) -> dict[str, Any]:
    return {
        "request_duration_ms": (time.perf_counter() - request_start) * 1000,
        "sum_trace_duration_ms": sum(t["duration_ms"] for t in traces),
        "num_traces": len(traces),
        "traces": traces,
    }


class AsgiTracer:
    """ASGI middleware: on ``?_trace=1`` requests, add the traces to the response.

    JSON objects gain a ``_trace`` key (other JSON values are wrapped as ``{"data": ..., "_trace": ...}``);
    HTML gets a ``<pre>`` block before ``</body>``. Other content types, and bodies over 256KB,
    pass through unchanged. Install it only when the ``trace_debug`` setting is on.
    """

    def __init__(self, app: ASGIApp, max_body: int = MAX_TRACED_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or b"_trace=1" not in scope.get("query_string", b""):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope["query_string"].decode("latin-1"))
        if "1" not in query.get("_trace", []):
            await self.app(scope, receive, send)
            return
        request_start = time.perf_counter()
        traces: list = []
        buffered = _BufferedResponse(send, self.max_body)
        with capture_traces(traces):
            await self.app(scope, receive, buffered.send)
        await buffered.finish(lambda: _summary(traces, request_start))


class _BufferedResponse:
    """Holds back a JSON or HTML response until it is complete, so traces can be added."""

    def __init__(self, send: Send, max_body: int) -> None:
        self._send = send
        self._max_body = max_body
        self._start: Message | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._kind: str | None = None  # "json" or "html" while buffering
        self._complete = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            content_type = _header(message, b"content-type")
            self._kind = "json" if "json" in content_type else "html" if "text/html" in content_type else None
            if self._kind is None:
                await self._send(message)
            else:
                self._start = message
            return
        if message["type"] != "http.response.body" or self._kind is None:
            await self._send(message)
            return
        self._chunks.append(message.get("body", b""))
        self._size += len(self._chunks[-1])
        if self._size > self._max_body:
            await self._flush(more_body=message.get("more_body", False))
        elif not message.get("more_body", False):
            self._complete = True

    async def _flush(self, more_body: bool) -> None:
        """Give up on tracing this response: send what was held back, pass the rest through."""
        self._kind = None
        assert self._start is not None
        await self._send(self._start)
        await self._send({"type": "http.response.body", "body": b"".join(self._chunks), "more_body": more_body})
        self._chunks = []

    async def finish(self, summary: Callable[[], dict[str, Any]]) -> None:
        if self._kind is None or self._start is None:
            return
        if not self._complete:  # the app stopped without finishing its body
            await self._flush(more_body=False)
            return
        body = b"".join(self._chunks)
        if self._kind == "json":
            body = _add_to_json(body, summary())
        else:
            body = _add_to_html(body, summary())
        headers = [(k, v) for k, v in self._start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode("latin-1")))
        await self._send({**self._start, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})


def _header(message: Message, name: bytes) -> str:
    for key, value in message.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1").lower()
    return ""


def _add_to_json(body: bytes, summary: dict[str, Any]) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict):
        data = {"data": data}
    data["_trace"] = summary
    return json.dumps(data, default=repr).encode("utf-8")


def _add_to_html(body: bytes, summary: dict[str, Any]) -> bytes:
    block = f"<pre>{escape(json.dumps(summary, indent=2, default=repr))}</pre>".encode("utf-8")
    position = body.rfind(b"</body>")
    if position == -1:
        return body + block
    return body[:position] + block + body[position:]
