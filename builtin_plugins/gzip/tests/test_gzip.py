"""gzip: text responses above a minimum size are compressed for clients that accept it."""
from __future__ import annotations

import gzip
import zlib

import pytest

from datasette import hookimpl
from datasette.plugins import pm

from .conftest import call

GZIP = {"accept-encoding": "gzip, deflate"}


@pytest.mark.asyncio
@pytest.mark.parametrize("path, content_type", [
    ("/data/items", "text/html"),
    ("/data/items.json?_size=200", "application/json"),
    ("/data/items.csv?_size=200", "text/plain"),
    ("/data/items.csv?_size=200&_dl=1", "text/csv"),
    ("/data/-/query.json?sql=select+*+from+items", "application/json"),
])
async def test_text_responses_are_compressed(make_ds, db_path, path, content_type):
    app = make_ds([db_path]).app()
    status, plain_headers, plain, _ = await call(app, path)
    assert status == 200 and "content-encoding" not in plain_headers
    status, headers, body, _ = await call(app, path, GZIP)
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"].startswith(content_type)
    assert headers["vary"] == "Accept-Encoding"  # once, though both gzip and the ETag depend on it
    assert int(headers["content-length"]) == len(body) < len(plain) / 2
    if ".csv" in path:
        assert gzip.decompress(body) == plain
    else:  # pages carry timings, so two renderings differ slightly
        assert len(gzip.decompress(body)) == pytest.approx(len(plain), abs=20)


@pytest.mark.asyncio
async def test_streamed_csv_is_compressed_as_it_streams(make_ds, db_path):
    app = make_ds([db_path]).app()
    _, _, plain, _ = await call(app, "/data/items.csv?_stream=on")
    status, headers, body, messages = await call(app, "/data/items.csv?_stream=on", GZIP)
    assert status == 200 and headers["content-encoding"] == "gzip" and "content-length" not in headers
    chunks = [m["body"] for m in messages[1:] if m.get("body")]
    assert len(chunks) > 1  # still streamed, chunk by chunk
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert decompressor.decompress(chunks[0])  # each chunk is flushed: readable on arrival
    assert gzip.decompress(body) == plain and plain.count(b"\r\n") == 201


@pytest.mark.asyncio
@pytest.mark.parametrize("path, headers", [
    ("/data/items/1.json", GZIP),  # small
    ("/data/items.json?_size=200", {}),  # the client does not accept gzip
    ("/data/items.json?_size=200", {"accept-encoding": "br"}),
    ("/data/items.json?_size=200", {"accept-encoding": "gzip;q=0, br"}),  # refused explicitly
    ("/data/items.json?_size=200", {"accept-encoding": "br, GZIP; q=0.000"}),
])
async def test_left_alone(make_ds, db_path, path, headers):
    app = make_ds([db_path]).app()
    status, response_headers, body, _ = await call(app, path, headers)
    assert status == 200 and "content-encoding" not in response_headers and body.startswith(b"{")


@pytest.mark.asyncio
async def test_binary_and_already_compressed_responses_are_left_alone(make_ds, db_path):
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("create table files (id integer primary key, data blob)")
    conn.execute("insert into files values (1, ?)", [b"x" * 5000])
    conn.commit()
    conn.close()

    class Compressed:
        @hookimpl
        def register_routes(self):
            from datasette.utils.asgi import Response
            return [(r"^/-/compressed$", lambda: Response(gzip.compress(b"a" * 5000), headers={
                "content-encoding": "gzip"}, content_type="text/plain"))]

    plugin = Compressed()
    pm.register(plugin, name="gzip-test-compressed")
    try:
        ds = make_ds(immutables=[db_path])
        app = ds.app()
        status, headers, body, _ = await call(app, "/data/files/1.blob?_blob_column=data", GZIP)
        assert status == 200 and "content-encoding" not in headers and body == b"x" * 5000
        status, headers, body, _ = await call(app, "/data.db", GZIP)
        assert status == 200 and "content-encoding" not in headers and body.startswith(b"SQLite format 3")
        status, headers, body, _ = await call(app, "/-/compressed", GZIP)
        assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == b"a" * 5000  # once only
    finally:
        pm.unregister(plugin)


@pytest.mark.asyncio
async def test_a_304_stays_a_304(make_ds, db_path):
    app = make_ds([db_path]).app()
    _, headers, _, _ = await call(app, "/data/items", GZIP)
    status, not_modified, body, _ = await call(app, "/data/items", {**GZIP, "if-none-match": headers["etag"]})
    assert status == 304 and body == b"" and "content-encoding" not in not_modified
    assert not_modified["etag"] == headers["etag"]
    _, identity, _, _ = await call(app, "/data/items")
    assert identity["etag"] != headers["etag"]  # the tag varies with the encoding


@pytest.mark.asyncio
async def test_it_is_the_outermost_wrapper(make_ds, db_path):
    seen: list[bytes] = []

    class Recorder:
        @hookimpl
        def asgi_wrapper(self):
            def wrap(app):
                async def inner(scope, receive, send):
                    async def record(message):
                        if message["type"] == "http.response.body":
                            seen.append(message.get("body", b""))
                        await send(message)
                    await app(scope, receive, record)
                return inner
            return wrap

    plugin = Recorder()
    pm.register(plugin, name="gzip-test-recorder")
    try:
        app = make_ds([db_path]).app()
        _, headers, body, _ = await call(app, "/data/items.json?_size=200", GZIP)
        assert headers["content-encoding"] == "gzip"
        assert b"".join(seen).startswith(b"{")  # other wrappers see the uncompressed body
    finally:
        pm.unregister(plugin)


@pytest.mark.asyncio
async def test_configuration_and_disabling(make_ds, db_path):
    small = make_ds([db_path], config={"plugins": {"gzip": {"minimum_size": 10}}}).app()
    _, headers, _, _ = await call(small, "/data/items/1.json", GZIP)
    assert headers["content-encoding"] == "gzip"
    disabled = make_ds([db_path], disabled_plugins=["gzip"]).app()
    _, headers, body, _ = await call(disabled, "/data/items.json?_size=200", GZIP)
    assert "content-encoding" not in headers and body.startswith(b"{")


@pytest.mark.parametrize("header, accepted", [
    (b"gzip", True), (b"deflate, gzip;q=1.0, *;q=0.5", True), (b"x-gzip", True), (b"gzip;q=0.001", True),
    (b"gzip;q=0", False), (b"gzip; q=0.0, identity", False), (b"identity", False), (b"*", False),
    (b"gzipped", False), (b"gzip;q=junk", True),
])
def test_accepts_gzip(header, accepted):
    from datasette_builtins.gzip.middleware import accepts_gzip

    assert accepts_gzip(header) is accepted
