"""Facet suggestions from one sample of the rows, within a time budget per page.

Upstream runs three queries per column (column, array and date checks), each allowed
``facet_suggest_time_limit_ms``; on a 100-column table that is hundreds of queries. Here the
first ``SAMPLE_ROWS`` rows are read once (``select * from (sql) limit 1000``, the same rows
upstream's queries see) and every column is judged from them in Python:

* column facet: ``1 < distinct values <= facet size`` and some value repeats (so fewer
  distinct values than rows);
* date facet: one of the first ``DATE_ROWS`` values matches ``glob '????-??-*'`` and
  SQLite's ``date()`` accepts it;
* array facet: every non-empty value is a JSON array, and then (one query per such column,
  as upstream) the first 100 non-empty arrays of the whole result hold only strings.

All of this work on one page shares ``facet_suggest_budget_ms``: the sample query may use
what remains of it, each follow-up query the smaller of that and
``facet_suggest_time_limit_ms``; when it runs out, the remaining columns get no suggestion.
Samples and follow-up answers are cached by content version (see ``cache``).
"""
from __future__ import annotations

import json
import time
import weakref
from dataclasses import dataclass
from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils import escape_sqlite
from datasette.utils.sqlite import sqlite3

from .cache import Job, run_jobs
from .queries import params_key, run_query, time_limit

SAMPLE_ROWS = 1000
DATE_ROWS = 100
ARRAY_ROWS = 100
JSON_SPACE = " \t\n\r"


@dataclass(frozen=True)
class ColumnSample:
    """What the sampled rows say about one column."""

    distinct: int
    non_null: int
    array_like: bool
    date_like: bool

    def column_facet(self, size: int) -> bool:
        return 1 < self.distinct <= size and self.distinct < self.non_null


class Budget:
    """The suggestion time left for one page (``None`` everywhere when unlimited)."""

    def __init__(self, ms: float) -> None:
        self.deadline = time.perf_counter() + ms / 1000 if ms and ms > 0 else None

    def remaining_ms(self) -> float | None:
        if self.deadline is None:
            return None
        return max(0.0, (self.deadline - time.perf_counter()) * 1000)

    def exhausted(self) -> bool:
        remaining = self.remaining_ms()
        return remaining is not None and remaining <= 0

    def limit(self, ms: float) -> float:
        """A query time limit: ``ms`` (0 = none), no later than the budget's end (never 0,
        which would mean no limit at all)."""
        remaining = self.remaining_ms()
        if remaining is None:
            return ms
        return max(min(ms, remaining) if ms and ms > 0 else remaining, 0.01)


class PartialSample(Exception):
    """The budget ran out while judging columns: the columns judged so far (never cached)."""

    def __init__(self, samples: dict[str, ColumnSample]) -> None:
        super().__init__("suggestion budget exhausted")
        self.samples = samples


class _RequestState:
    def __init__(self, budget_ms: float) -> None:
        self.budget = Budget(budget_ms)
        self.samples: dict[Any, dict[str, ColumnSample]] = {}
        self.arrays: dict[Any, bool] = {}


_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def request_state(datasette: Any, request: Any) -> _RequestState:
    """Per-request suggestion state; the budget starts with the first suggestion work."""
    state = _states.get(request)
    if state is None:
        state = _states[request] = _RequestState(datasette.setting("facet_suggest_budget_ms") or 0)
    return state


def _looks_like_date(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 8 and value[4] == "-" and value[7] == "-"


def _is_json_array(value: Any) -> bool:
    if not isinstance(value, str) or value.lstrip(JSON_SPACE)[:1] != "[":
        return False
    try:
        return isinstance(json.loads(value), list)
    except ValueError:
        return False


def _judge(conn: sqlite3.Connection, values: list) -> ColumnSample:
    present = [v for v in values if v is not None]
    distinct = len(set(present))
    array_like = False
    nonblank = [v for v in present if v != ""]
    if nonblank and all(isinstance(v, str) for v in nonblank) and \
            all(v.lstrip(JSON_SPACE)[:1] == "[" for v in nonblank):
        array_like = all(_is_json_array(v) for v in nonblank)
    date_like = False
    for value in values[:DATE_ROWS]:
        if _looks_like_date(value) and conn.execute(
                "select ? glob '????-??-*' and date(?) is not null", (value, value)).fetchone()[0]:
            date_like = True
            break
    return ColumnSample(distinct, len(present), array_like, date_like)


def _sample(conn: sqlite3.Connection, database: str, sql: str, params: Any, budget: Budget,
            limit_ms: float) -> dict[str, ColumnSample]:
    if budget.exhausted():
        raise PartialSample({})
    rows, columns = run_query(conn, database, f"select * from ({sql}) limit {SAMPLE_ROWS}", params,
                              budget.limit(limit_ms))
    by_column = list(zip(*rows)) if rows else [()] * len(columns)
    samples: dict[str, ColumnSample] = {}
    for name, values in zip(columns, by_column):
        if budget.exhausted():
            raise PartialSample(samples)
        samples[name] = _judge(conn, list(values))
    return samples


async def column_samples(facet: Any) -> dict[str, ColumnSample]:
    """``{column: ColumnSample}`` for a facet's SQL (may be partial when the budget ran out)."""
    ds, request = facet.ds, facet.request
    state = request_state(ds, request)
    key = (facet.database, facet.sql, params_key(facet.params))
    if key in state.samples:
        return state.samples[key]
    budget = state.budget
    samples: dict[str, ColumnSample] = {}
    if not budget.exhausted():
        db = ds.get_database(facet.database)
        limit = time_limit(ds, 0)
        job = Job(None if key[2] is None else ("suggest-sample",) + key,
                  lambda conn: _sample(conn, facet.database, facet.sql, facet.params, budget, limit),
                  weight=len)
        (result,) = await run_jobs(db, [job])
        if isinstance(result, PartialSample):
            samples = result.samples
        elif isinstance(result, (QueryInterrupted, sqlite3.Error)):
            samples = {}
        elif isinstance(result, Exception):
            raise result
        else:
            samples = result
    state.samples[key] = samples
    return samples


def _strings_only(conn: sqlite3.Connection, database: str, sql: str, params: Any, column: str,
                  limit_ms: float) -> bool:
    quoted = escape_sqlite(column)
    query = (f"select {quoted} from ({sql}) where {quoted} is not null and {quoted} != '' "
             f"and json_array_length({quoted}) > 0 limit {ARRAY_ROWS}")
    try:
        rows, _ = run_query(conn, database, query, params, limit_ms)
    except QueryInterrupted:
        raise
    except sqlite3.Error:
        return False
    if not rows:
        return False
    for (value,) in rows:
        try:
            items = json.loads(value)
        except (TypeError, ValueError):
            return False
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            return False
    return True


async def string_array_columns(facet: Any, columns: list[str]) -> list[str]:
    """Those of ``columns`` whose first 100 non-empty values are JSON arrays of strings."""
    ds, request = facet.ds, facet.request
    state = request_state(ds, request)
    budget = state.budget
    pkey = params_key(facet.params)
    wanted = [c for c in columns if (facet.database, facet.sql, pkey, c) not in state.arrays]
    if wanted and not budget.exhausted():
        per_query = ds.setting("facet_suggest_time_limit_ms")
        jobs = []
        for column in wanted:
            def compute(conn: sqlite3.Connection, column: str = column) -> bool:
                if budget.exhausted():
                    raise QueryInterrupted(None, "", None)
                return _strings_only(conn, facet.database, facet.sql, facet.params, column,
                                     budget.limit(time_limit(ds, per_query)))
            key = None if pkey is None else ("suggest-array", facet.database, facet.sql, pkey, column)
            jobs.append(Job(key, compute))
        results = await run_jobs(ds.get_database(facet.database), jobs)
        for column, result in zip(wanted, results):
            if isinstance(result, bool):
                state.arrays[(facet.database, facet.sql, pkey, column)] = result
            elif not isinstance(result, (QueryInterrupted, sqlite3.Error)):
                raise result
    return [c for c in columns if state.arrays.get((facet.database, facet.sql, pkey, c))]
