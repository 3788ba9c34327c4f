"""A ``Response`` whose body is written chunk by chunk as it is produced."""
from __future__ import annotations

import asyncio
import sys
from typing import Any, AsyncIterator, Callable

from datasette.utils.asgi import Response


class StreamingResponse(Response):
    """Sends each text chunk of ``chunks()`` as soon as it exists, in constant memory.

    Stops early when the client disconnects (watched through ``receive``). An error
    after the response has started can no longer change the status, so, as upstream,
    its message becomes the end of the body.
    """

    def __init__(self, chunks: Callable[[], AsyncIterator[str]], receive: Any = None,
                 headers: dict[str, str] | None = None, content_type: str = "text/plain",
                 send_body: bool = True) -> None:
        super().__init__(None, 200, headers, content_type)
        self.chunks, self.receive, self.send_body = chunks, receive, send_body

    def _raw_headers(self) -> list[tuple[bytes, bytes]]:
        headers = [(str(k).lower().encode("utf-8"), str(v).encode("utf-8"))
                   for k, v in self.headers.items() if str(k).lower() != "content-type"]
        headers.append((b"content-type", self.content_type.encode("utf-8")))
        headers.extend((b"set-cookie", cookie.encode("utf-8")) for cookie in self._set_cookie_headers)
        return headers

    async def asgi_send(self, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self._raw_headers()})
        if self.send_body:  # HEAD: the headers are the whole answer
            watcher = asyncio.ensure_future(self._disconnected()) if self.receive else None
            try:
                await self._send_chunks(send, watcher)
            finally:
                if watcher is not None:
                    watcher.cancel()
        await send({"type": "http.response.body", "body": b""})

    async def _send_chunks(self, send: Any, watcher: asyncio.Future | None) -> None:
        chunks = self.chunks()
        try:
            async for chunk in chunks:
                if watcher is not None and watcher.done():
                    return
                await send({"type": "http.response.body", "body": chunk.encode("utf-8", "replace"),
                            "more_body": True})
        except Exception as error:  # noqa: BLE001 - the status line has gone already
            print(f"CSV stream stopped: {error!r}", file=sys.stderr)
            await send({"type": "http.response.body", "body": str(error).encode("utf-8", "replace"),
                        "more_body": True})
        finally:
            await chunks.aclose()

    async def _disconnected(self) -> None:
        try:
            while (await self.receive())["type"] != "http.disconnect":
                pass
        except Exception:  # noqa: BLE001 - a broken receive counts as gone
            pass
