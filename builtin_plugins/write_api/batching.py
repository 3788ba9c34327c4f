"""Group commit: write requests that arrive together share one transaction, and one disk sync.

A commit costs a few fsyncs (about 15ms on an ordinary disk), far more than inserting a
hundred rows, so one transaction per request caps a database at ~60 writes/s whatever
the client count. Here, while one group is being written, newly arrived requests wait
in a list; the next group takes them all. Every request runs in its own SAVEPOINT, so
one that fails is rolled back alone, and nobody is answered before the COMMIT that holds
their change has returned: an acknowledged write is on disk. A lone request is never
delayed (there is no timer). Everything still runs through ``Database.execute_write_fn``,
on the database's single write thread.
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Any, Callable

from datasette.utils.sqlite import sqlite3

WriteFn = Callable[[sqlite3.Connection], Any]
MAX_GROUP = 64


class _Failed:
    """A request's exception, carried out of the group without ending it."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _BrokenGroup(Exception):
    """A request ended the whole transaction (a ROLLBACK inside it): run the group one by one."""


def _run_group(conn: sqlite3.Connection, fns: list[WriteFn]) -> list[Any]:
    """Run each function in its own savepoint inside the caller's transaction."""
    results: list[Any] = []
    for fn in fns:
        conn.execute("SAVEPOINT write_api_request")
        try:
            result = fn(conn)
        except Exception as error:
            if not conn.in_transaction:
                raise _BrokenGroup() from error
            conn.execute("ROLLBACK TO SAVEPOINT write_api_request")
            conn.execute("RELEASE SAVEPOINT write_api_request")
            results.append(_Failed(error))
            continue
        results.append(result)
        if conn.in_transaction:
            conn.execute("RELEASE SAVEPOINT write_api_request")
        else:  # the function committed by itself (none of ours do): go on in a new transaction
            conn.execute("BEGIN IMMEDIATE")
    return results


class GroupWriter:
    """Runs write functions for one database, grouping those that arrive while a group is running."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.pending: list[tuple[WriteFn, asyncio.Future]] = []
        self.draining: asyncio.Task | None = None

    async def run(self, fn: WriteFn) -> Any:
        """Run ``fn(conn)`` in a transaction on the write thread; its result, once committed."""
        future = asyncio.get_running_loop().create_future()
        self.pending.append((fn, future))
        if self.draining is None or self.draining.done():
            self.draining = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        while self.pending:
            group, self.pending = self.pending[:MAX_GROUP], self.pending[MAX_GROUP:]
            if len(group) == 1:
                await self._run_alone(*group[0])
                continue
            fns = [fn for fn, _ in group]
            try:
                results = await self.db.execute_write_fn(lambda conn: _run_group(conn, fns))
            except Exception:  # a broken group or a failed COMMIT: nothing of it was kept
                for fn, future in group:
                    await self._run_alone(fn, future)
                continue
            for (_, future), result in zip(group, results):
                if future.done():
                    continue
                if isinstance(result, _Failed):
                    future.set_exception(result.error)
                else:
                    future.set_result(result)

    async def _run_alone(self, fn: WriteFn, future: asyncio.Future) -> None:
        try:
            result = await self.db.execute_write_fn(fn)
        except Exception as error:
            if not future.done():
                future.set_exception(error)
        else:
            if not future.done():
                future.set_result(result)


_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def write(db: Any, fn: WriteFn) -> Any:
    """Run ``fn(conn)`` on ``db``'s write thread, in a transaction shared with concurrent requests."""
    loop = asyncio.get_running_loop()
    key = _writers.get(db)
    if key is None or key[0] is not loop:  # one group writer per database and event loop
        key = _writers[db] = (loop, GroupWriter(db))
    return await key[1].run(fn)
