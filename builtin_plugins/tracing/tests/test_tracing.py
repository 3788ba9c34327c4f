"""The tracing plugin: ?_trace=1 adds traces to JSON and HTML responses when trace_debug is on."""
from __future__ import annotations

import json

import httpx
import pytest

from datasette.app import Datasette
from datasette.tracer import AsgiTracer, trace


def test_upstream_import_path_still_works():
    from datasette_builtins.tracing.middleware import AsgiTracer as plugin_tracer

    assert AsgiTracer is plugin_tracer


async def _app_returning(body: bytes, content_type: str, chunks: int = 1):
    async def app(scope, receive, send):
        with trace("sql", sql="select 1"):
            pass
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]})
        size = -(-len(body) // chunks)
        for i in range(chunks):
            await send({"type": "http.response.body", "body": body[i * size:(i + 1) * size], "more_body": i < chunks - 1})

    return app


async def _get(app, path):
    transport = httpx.ASGITransport(app=AsgiTracer(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.get(path)


@pytest.mark.asyncio
async def test_asgi_tracer_json():
    app = await _app_returning(json.dumps({"ok": True}).encode(), "application/json; charset=utf-8", chunks=3)
    plain = await _get(app, "/")
    assert plain.json() == {"ok": True}
    traced = await _get(app, "/?a=1&_trace=1")
    data = traced.json()
    assert data["ok"] is True
    assert set(data["_trace"]) == {"request_duration_ms", "sum_trace_duration_ms", "num_traces", "traces"}
    assert data["_trace"]["num_traces"] == 1 and data["_trace"]["traces"][0]["sql"] == "select 1"
    assert int(traced.headers["content-length"]) == len(traced.content)
    listed = await _get(await _app_returning(b"[1, 2]", "application/json"), "/?_trace=1")
    assert listed.json()["data"] == [1, 2] and listed.json()["_trace"]["num_traces"] == 1


@pytest.mark.asyncio
async def test_asgi_tracer_html_text_and_large_bodies():
    html = await _get(await _app_returning(b"<html><body><p>hi</p></body></html>", "text/html"), "/?_trace=1")
    assert html.text.startswith("<html><body><p>hi</p><pre>") and html.text.endswith("</pre></body></html>")
    assert "&quot;num_traces&quot;: 1" in html.text
    text = await _get(await _app_returning(b"plain", "text/plain"), "/?_trace=1")
    assert text.text == "plain"
    big = json.dumps({"x": "y" * 300_000}).encode()
    large = await _get(await _app_returning(big, "application/json", chunks=4), "/?_trace=1")
    assert large.content == big
    not_one = await _get(await _app_returning(b"{}", "application/json"), "/?_trace=0&x=_trace=1")
    assert not_one.json() == {}


@pytest.mark.asyncio
@pytest.mark.parametrize("trace_debug", [True, False])
async def test_trace_debug_setting_installs_tracer(trace_debug):
    ds = Datasette(memory=True, settings={"trace_debug": trace_debug})
    try:
        response = await ds.client.get("/-/versions.json?_trace=1")
        assert response.status_code == 200
        assert ("_trace" in response.json()) is trace_debug
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_disabling_the_plugin_removes_the_setting_and_the_traces():
    ds = Datasette(memory=True, disabled_plugins=["tracing"])
    try:
        assert "trace_debug" not in ds.settings_dict()
        response = await ds.client.get("/-/versions.json?_trace=1")
        assert "_trace" not in response.json()
    finally:
        ds.close()
