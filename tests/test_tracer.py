"""Tracer: trace(), capture_traces() and child tasks (the middleware is the tracing plugin's)."""
from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.tracer import capture_traces, trace, trace_child_tasks


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
