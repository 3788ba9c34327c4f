"""Tests for datasette.utils.asgi: Request, Response, MultiParams, errors and send helpers."""
from __future__ import annotations

import hashlib
import json

import pytest

from datasette.utils.asgi import (
    AsgiFileDownload,
    AsgiStream,
    Base400,
    BadRequest,
    DatabaseNotFound,
    Forbidden,
    MultiParams,
    NotFound,
    PayloadTooLarge,
    Request,
    Response,
    RowNotFound,
    TableNotFound,
    asgi_send,
    asgi_send_file,
    asgi_send_html,
    asgi_send_json,
    asgi_send_redirect,
    asgi_static,
)


class Recorder:
    """An ASGI `send` that records messages."""

    def __init__(self):
        self.messages = []

    async def __call__(self, message):
        self.messages.append(message)

    @property
    def status(self):
        return self.messages[0]["status"]

    @property
    def headers(self):
        return {k.decode(): v.decode() for k, v in self.messages[0]["headers"]}

    @property
    def header_list(self):
        return self.messages[0]["headers"]

    @property
    def body(self):
        return b"".join(m.get("body", b"") for m in self.messages[1:])


def make_receive(*chunks):
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return messages.pop(0)

    return receive


def test_error_hierarchy():
    assert (Base400.status, BadRequest.status, NotFound.status, Forbidden.status, PayloadTooLarge.status) == (400, 400, 404, 403, 413)
    assert issubclass(NotFound, Base400) and issubclass(Forbidden, Base400) and issubclass(PayloadTooLarge, Base400)
    db, table, row = DatabaseNotFound("db"), TableNotFound("db", "t"), RowNotFound("db", "t", ["1"])
    assert all(isinstance(e, NotFound) and e.status == 404 for e in (db, table, row))
    assert (str(db), str(table), str(row)) == ("Database not found", "Table not found", "Row not found")
    assert (db.database_name, table.table, row.pk_values) == ("db", "t", ["1"])


def test_multi_params():
    for params in (MultiParams({"a": ["1", "2"], "b": ["3"]}), MultiParams([("a", "1"), ("b", "3"), ("a", "2")])):
        assert params["a"] == "1" and params.getlist("a") == ["1", "2"]
        assert params.get("b") == "3" and params.get("missing") is None and params.get("missing", "d") == "d"
        assert params.getlist("missing") == []
        assert list(params) == ["a", "b"] and list(params.keys()) == ["a", "b"] and len(params) == 2
        assert "a" in params and "c" not in params
        with pytest.raises(KeyError):
            params["missing"]
    assert MultiParams({"a": "single"}).getlist("a") == ["single"]


SCOPE = {
    "type": "http",
    "method": "POST",
    "scheme": "https",
    "path": "/db/table/with/slash",
    "raw_path": b"/db/table%2Fwith%2Fslash",
    "query_string": b"a=1&b=&a=2&flag",
    "headers": [(b"Host", b"example.com"), (b"Cookie", b'ds_actor=abc; quoted="q v"; bad; eq=x=y'), (b"X-Dup", b"1"), (b"x-dup", b"2")],
    "url_route": {"kwargs": {"database": "db"}},
    "actor": {"id": "root"},
}


def test_request_attributes():
    request = Request(SCOPE, None)
    assert request.method == "POST" and request.scheme == "https" and request.host == "example.com"
    assert request.path == "/db/table%2Fwith%2Fslash"
    assert request.query_string == "a=1&b=&a=2&flag"
    assert request.full_path == "/db/table%2Fwith%2Fslash?a=1&b=&a=2&flag"
    assert request.url == "https://example.com/db/table%2Fwith%2Fslash?a=1&b=&a=2&flag"
    assert request.headers["x-dup"] == "2" and "Host" not in request.headers
    assert request.cookies == {"ds_actor": "abc", "quoted": "q v", "eq": "x=y"}
    assert request.args.getlist("a") == ["1", "2"] and request.args["b"] == "" and request.args["flag"] == ""
    assert request.url_vars == {"database": "db"} and request.actor == {"id": "root"}
    assert request.args is request.args  # parsed once


def test_request_defaults_without_optional_scope_keys():
    request = Request({"type": "http", "method": "GET", "path": "/x y"}, None)
    assert (request.path, request.scheme, request.host, request.query_string) == ("/x y", "http", "localhost", "")
    assert (request.url_vars, request.actor, request.cookies, len(request.args)) == ({}, None, {}, 0)
    assert request.full_path == "/x y"


def test_request_scope_replacement_refreshes_url_vars():
    request = Request(dict(SCOPE, url_route=None), None)
    assert request.url_vars == {}
    request.scope = dict(SCOPE, url_route={"kwargs": {"table": "t"}})
    assert request.url_vars == {"table": "t"}


def test_request_fake():
    request = Request.fake("/db/t~2Fx?_size=10&x=", method="POST", scheme="https", url_vars={"database": "db"})
    assert (request.method, request.scheme, request.path, request.query_string) == ("POST", "https", "/db/t~2Fx", "_size=10&x=")
    assert request.args["_size"] == "10" and request.args["x"] == ""
    assert request.url_vars == {"database": "db"}
    assert request.url == "https://localhost/db/t~2Fx?_size=10&x="
    assert Request.fake("/café").path == "/café"


@pytest.mark.asyncio
async def test_post_body_and_post_vars():
    request = Request(SCOPE, make_receive(b"a=1&b=", b"2&a=3&c="))
    assert await request.post_vars() == {"a": "3", "b": "2", "c": ""}
    request = Request(SCOPE, make_receive(b"abc", b"def"))
    assert await request.post_body() == b"abcdef"


@pytest.mark.asyncio
async def test_post_body_max_bytes():
    request = Request(SCOPE, make_receive(b"x" * 10, b"y" * 10))
    with pytest.raises(PayloadTooLarge) as excinfo:
        await request.post_body(max_bytes=15)
    assert excinfo.value.status == 413
    assert await Request(SCOPE, make_receive(b"x" * 15)).post_body(max_bytes=15) == b"x" * 15


@pytest.mark.asyncio
async def test_response_classmethods():
    for response, status, content_type, body in (
        (Response.html("<p>hi</p>"), 200, "text/html; charset=utf-8", b"<p>hi</p>"),
        (Response.text("hello", status=404), 404, "text/plain; charset=utf-8", b"hello"),
        (Response.json({"a": [1, "é"]}, status=201), 201, "application/json; charset=utf-8", b'{"a": [1, "\\u00e9"]}'),
        (Response(b"\x00\x01", content_type="application/octet-stream"), 200, "application/octet-stream", b"\x00\x01"),
        (Response(), 200, "text/plain", b""),
    ):
        send = Recorder()
        await response.asgi_send(send)
        assert (send.status, send.headers["content-type"], send.body) == (status, content_type, body)
        assert all(isinstance(k, bytes) and isinstance(v, bytes) for k, v in send.header_list)


@pytest.mark.asyncio
async def test_response_json_default_and_redirect():
    assert json.loads(Response.json({"s": {1}}, default=lambda o: sorted(o)).body) == {"s": [1]}
    with pytest.raises(TypeError):
        Response.json({"s": {1}})
    redirect = Response.redirect("/elsewhere", status=301, headers={"X-Extra": "1"})
    assert redirect.headers["Location"] == "/elsewhere"
    send = Recorder()
    await redirect.asgi_send(send)
    assert (send.status, send.headers["location"], send.headers["x-extra"]) == (301, "/elsewhere", "1")


@pytest.mark.asyncio
async def test_content_type_attribute_overrides_header():
    response = Response("x", headers={"Content-Type": "text/csv", "X-A": "b"}, content_type="application/json")
    send = Recorder()
    await response.asgi_send(send)
    assert [v for k, v in send.header_list if k == b"content-type"] == [b"application/json"]


@pytest.mark.asyncio
async def test_set_cookie():
    response = Response.text("ok")
    response.set_cookie("ds_actor", "abc", max_age=60, httponly=True)
    response.set_cookie("other", "x y", secure=True, samesite="strict", path="/p", domain="example.com")
    send = Recorder()
    await response.asgi_send(send)
    cookies = [v.decode() for k, v in send.header_list if k == b"set-cookie"]
    assert cookies == ["ds_actor=abc; HttpOnly; Max-Age=60; Path=/; SameSite=lax", 'other="x y"; Domain=example.com; Path=/p; SameSite=strict; Secure']
    with pytest.raises(ValueError, match="samesite"):
        response.set_cookie("a", "b", samesite="bogus")


@pytest.mark.asyncio
async def test_send_helpers():
    send = Recorder()
    await asgi_send_json(send, {"a": 1}, status=201, headers={"X": "y"})
    assert (send.status, send.headers["content-type"], send.headers["x"], json.loads(send.body)) == (201, "application/json; charset=utf-8", "y", {"a": 1})
    send = Recorder()
    await asgi_send_html(send, "<b>é</b>")
    assert (send.headers["content-type"], send.body) == ("text/html; charset=utf-8", "<b>é</b>".encode())
    send = Recorder()
    await asgi_send_redirect(send, "/y")
    assert (send.status, send.headers["location"]) == (302, "/y")
    send = Recorder()
    await asgi_send(send, b"raw", 418, content_type="text/x")
    assert (send.status, send.headers["content-type"], send.body) == (418, "text/x", b"raw")


@pytest.mark.asyncio
async def test_asgi_send_file_and_download(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n" * 3000)
    send = Recorder()
    await asgi_send_file(send, path, filename="dl.csv", chunk_size=1000)
    assert send.headers["content-disposition"] == 'attachment; filename="dl.csv"'
    assert send.headers["content-type"] == "text/csv" and send.headers["content-length"] == "12000"
    assert send.body == path.read_bytes() and len(send.messages) == 14 and send.messages[-1]["body"] == b""
    send = Recorder()
    await AsgiFileDownload(path, filename="x.db", headers={"ETag": '"h"'}).asgi_send(send)
    assert (send.headers["content-type"], send.headers["etag"], send.body) == ("application/octet-stream", '"h"', path.read_bytes())


@pytest.mark.asyncio
async def test_asgi_stream():
    async def stream_fn(writer):
        await writer.write("a,")
        await writer.write(b"b")

    send = Recorder()
    await AsgiStream(stream_fn, status=201, headers={"X": "1"}, content_type="text/csv").asgi_send(send)
    assert (send.status, send.headers["content-type"], send.headers["x"], send.body) == (201, "text/csv", "1", b"a,b")
    assert [m.get("more_body", False) for m in send.messages[1:]] == [True, True, False]


@pytest.fixture
def static_root(tmp_path):
    root = tmp_path / "static"
    (root / "sub").mkdir(parents=True)
    (root / "app.css").write_text("body{}" * 1000)
    (root / "sub" / "f.js").write_text("var x;")
    (tmp_path / "secret.txt").write_text("secret")
    return root


async def serve_static(view, path, headers=()):
    send = Recorder()
    scope = {"type": "http", "method": "GET", "path": "/-/static/" + path, "headers": list(headers), "url_route": {"kwargs": {"path": path}}}
    await view(Request(scope, None), send)
    return send


@pytest.mark.asyncio
async def test_asgi_static_serves_files_with_etag(static_root):
    view = asgi_static(static_root, headers={"Cache-Control": "max-age=3600"})
    send = await serve_static(view, "app.css")
    etag = '"{}"'.format(hashlib.md5(b"body{}" * 1000).hexdigest())
    assert (send.status, send.headers["content-type"], send.headers["etag"], send.headers["cache-control"]) == (200, "text/css", etag, "max-age=3600")
    assert send.body == b"body{}" * 1000
    send = await serve_static(view, "sub/f.js")
    assert (send.status, send.headers["content-type"], send.body) == (200, "text/javascript", b"var x;")
    send = await serve_static(view, "app.css", headers=[(b"if-none-match", etag.encode())])
    assert (send.status, send.body, send.headers["etag"]) == (304, b"", etag)


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["../secret.txt", "sub/../../secret.txt", "..%2Fsecret.txt", "missing.css", "sub", "", "bad\x00name"])
async def test_asgi_static_404s(static_root, path):
    send = await serve_static(asgi_static(static_root), path)
    assert (send.status, send.body) == (404, b"404: File not found")
