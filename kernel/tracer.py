"""Request tracing: record how long each SQL query (or other traced step) took.

``with trace("sql", sql=..., params=...):`` appends a record to the list of the tracer that is
active in the current context, if any. When no tracer is active it costs one context variable
lookup. A tracer is activated by ``capture_traces(list)``, which the ``tracing`` plugin's
middleware does for requests with ``?_trace=1``.

Tasks started inside a traced request (``asyncio.gather`` children, for instance) inherit the
tracer, because asyncio copies the context into new tasks. ``trace_child_tasks()`` is kept for
plugins written against upstream Datasette, where that sharing had to be switched on.
"""
from __future__ import annotations

import contextlib
import time
import traceback
from contextvars import ContextVar
from typing import Any, Iterator

from datasette.lazy import reexport

__all__ = ["trace", "trace_child_tasks", "capture_traces"]

_traces: ContextVar[list | None] = ContextVar("datasette_traces", default=None)
_nothing = contextlib.nullcontext()

TRACEBACK_FRAMES = 3


def trace(trace_type: str, **kwargs: Any) -> contextlib.AbstractContextManager[Any]:
    """Context manager that records ``{type, start, end, duration_ms, traceback, error, **kwargs}``.

    Does nothing (and allocates nothing) unless a tracer is active in the current context.
    """
    traces = _traces.get()
    if traces is None:
        return _nothing
    return _record(traces, trace_type, kwargs)


@contextlib.contextmanager
def _record(traces: list, trace_type: str, kwargs: dict[str, Any]) -> Iterator[None]:
    # Leave out this generator's frame and contextlib's __enter__, so the caller comes last.
    stack = traceback.format_list(traceback.extract_stack(limit=TRACEBACK_FRAMES + 2)[:-2])
    start = time.perf_counter()
    error = None
    try:
        yield
    except BaseException as ex:
        error = repr(ex)
        raise
    finally:
        end = time.perf_counter()
        traces.append(
            {
                "type": trace_type,
                "start": start,
                "end": end,
                "duration_ms": (end - start) * 1000,
                "traceback": stack,
                "error": error,
                **kwargs,
            }
        )


@contextlib.contextmanager
def trace_child_tasks() -> Iterator[None]:
    """Let tasks started inside the block record into the current tracer.

    Child tasks already inherit the tracer here, so this only exists for compatibility.
    """
    yield


@contextlib.contextmanager
def capture_traces(tracer: list) -> Iterator[list]:
    """Record every trace made inside the block (and in tasks it starts) into ``tracer``."""
    token = _traces.set(tracer)
    try:
        yield tracer
    finally:
        _traces.reset(token)


# ``AsgiTracer`` (upstream's import path) lives in the ``tracing`` plugin.
__getattr__ = reexport(__name__, "datasette_builtins.tracing.middleware", lambda name: name == "AsgiTracer")
