"""StreamingResponse: constant memory, stops on disconnect, reports late errors in the body."""
from __future__ import annotations

import asyncio

import pytest

from datasette_builtins.csv_renderer.cells import BlobLinks
from datasette_builtins.csv_renderer.streaming import StreamingResponse
from datasette_builtins.csv_renderer.writer import CsvEncoder, capped_chunks, limit_message, plain_text


class Recorder:
    def __init__(self):
        self.messages = []

    async def __call__(self, message):
        self.messages.append(message)
        await asyncio.sleep(0)

    @property
    def body(self):
        return b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")


@pytest.mark.asyncio
async def test_streams_chunks_with_headers_and_cookies():
    async def chunks():
        for i in range(3):
            yield f"{i}\r\n"

    response = StreamingResponse(chunks, headers={"X-A": "b"}, content_type="text/csv")
    response.set_cookie("c", "d")
    send = Recorder()
    await response.asgi_send(send)
    start = send.messages[0]
    assert start["status"] == 200
    assert (b"x-a", b"b") in start["headers"] and (b"content-type", b"text/csv") in start["headers"]
    assert any(name == b"set-cookie" and value.startswith(b"c=d") for name, value in start["headers"])
    assert send.body == b"0\r\n1\r\n2\r\n"
    assert send.messages[-1] == {"type": "http.response.body", "body": b""}


@pytest.mark.asyncio
async def test_error_after_start_ends_the_body_with_its_message(capsys):
    async def chunks():
        yield "a\r\n"
        raise RuntimeError("interrupted")

    send = Recorder()
    await StreamingResponse(chunks).asgi_send(send)
    assert send.body == b"a\r\ninterrupted"
    assert "interrupted" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_stops_when_the_client_disconnects():
    produced = []
    disconnect = asyncio.Event()

    async def chunks():
        for i in range(1000):
            produced.append(i)
            if i == 3:
                disconnect.set()
            yield "x"

    async def receive():
        await disconnect.wait()
        return {"type": "http.disconnect"}

    send = Recorder()
    await StreamingResponse(chunks, receive=receive).asgi_send(send)
    assert len(produced) < 10


@pytest.mark.asyncio
async def test_capped_chunks_cut_row_by_row():
    async def batches():
        yield [(1, "aaaa"), (2, "bbbb"), (3, "cccc")]
        yield [(4, "dddd")]

    links = BlobLinks(None, None, None, None, ["id", "v"], [])
    encoder = CsvEncoder(links, set())
    header = encoder.header(["id", "v"])  # 6 characters, each row 8
    out = "".join([c async for c in capped_chunks(encoder, header, batches(), 6 + 8 * 2 + 7)])
    assert out == "id,v\r\n1,aaaa\r\n2,bbbb\r\n" + limit_message(29)
    whole = "".join([c async for c in capped_chunks(encoder, header, batches(), 6 + 8 * 4)])
    assert whole.endswith("4,dddd\r\n")
    tiny = "".join([c async for c in capped_chunks(encoder, header, batches(), 3)])
    assert tiny == limit_message(3)


@pytest.mark.asyncio
async def test_capped_chunks_cut_text_batches_row_by_row():
    """Batches made text in the database thread (plain_text) are cut at row boundaries too."""
    rows = [(1, "aaaa"), (2, "bbbb"), (3, "cccc")]
    text = plain_text(rows)
    assert text == "1,aaaa\r\n2,bbbb\r\n3,cccc\r\n"
    assert plain_text([(1, "a,b")]) == [(1, "a,b")]  # needs quoting: left to csv.writer
    assert plain_text([(1, b"\x00")]) == [(1, b"\x00")]  # a BLOB: needs a link

    async def batches():
        yield text

    encoder = CsvEncoder(BlobLinks(None, None, None, None, ["id", "v"], []), set())
    out = "".join([c async for c in capped_chunks(encoder, "id,v\r\n", batches(), 6 + 8 * 2 + 7)])
    assert out == "id,v\r\n1,aaaa\r\n2,bbbb\r\n" + limit_message(29)
