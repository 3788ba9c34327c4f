"""Tracer: trace(), capture_traces(), child tasks, and the AsgiTracer middleware."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.tracer import AsgiTracer, capture_traces, trace, trace_child_tasks


@pytest_asyncio.fixture
async def ds():
    datasette = Datasette(memory=True)
    yield datasette
    datasette.close()


def test_trace_without_tracer_records_nothing():
    first, second = trace("sql", sql="select 1"), trace("sql", sql="select 2")
    assert first is second  # one shared no-op context manager: nothing allocated per call
    with first:
        pass


def test_trace_records_fields_and_errors():
    traces: list = []
    with capture_traces(traces):
        with trace("custom", detail=42):
            pass
        with pytest.raises(ZeroDivisionError):
            with trace("custom", detail=43):
                1 / 0
    with trace("custom", detail=44):  # after the block: not recorded
        pass
    assert [t["detail"] for t in traces] == [42, 43]
    ok, failed = traces
    assert ok["type"] == "custom" and ok["error"] is None
    assert ok["end"] >= ok["start"] and ok["duration_ms"] >= 0
    assert 1 <= len(ok["traceback"]) <= 3 and "test_tracer.py" in ok["traceback"][-1]
    assert "ZeroDivisionError" in failed["error"]


@pytest.mark.asyncio
async def test_database_queries_are_traced(ds):
    db = ds.get_database("_memory")
    traces: list = []
    with capture_traces(traces):
        await db.execute("  select 1 + ?  ", [1])
        with trace_child_tasks():
            await asyncio.gather(db.execute("select 2"), db.execute("select 3"))
    assert [(t["type"], t["database"], t["sql"]) for t in traces[:1]] == [("sql", "_memory", "select 1 + ?")]
    assert traces[0]["params"] == [1]
    assert sorted(t["sql"] for t in traces[1:]) == ["select 2", "select 3"]


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
