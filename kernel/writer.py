"""The single write thread of a database, and the queue that feeds it.

SQLite allows one writer at a time, so every write to a database goes through one daemon
thread that owns the only write connection and runs tasks in the order they were queued.
A task is a function of the connection. A caller that waits gets its result (or exception)
through an asyncio future that the thread settles with ``loop.call_soon_threadsafe``: a round
trip costs about 45us that way on a 2-core machine, against about 85us with a janus queue per call.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
import uuid
from typing import Any, Callable, NamedTuple

from .reader import settle_future, retry_locked
from .utils.sqlite import sqlite3

__all__ = ["WriteTask", "WriteQueue", "run_write", "execute_statement", "ReturnedRows"]

logger = logging.getLogger("datasette.database")
Connect = Callable[[bool], sqlite3.Connection]  # prepared? -> a new write connection


class WriteTask(NamedTuple):
    """One unit of work for the write thread. ``reply`` is None for fire-and-forget writes."""

    fn: Callable[[sqlite3.Connection], Any]
    task_id: uuid.UUID | None
    reply: asyncio.Future | None
    isolated_connection: bool
    transaction: bool


class ReturnedRows:
    """Stands in for the cursor of a write with a RETURNING clause, whose rows were fetched at once:
    SQLite cannot commit while such a statement is still open."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._rows = cursor.fetchall()
        self._next = 0
        self.description, self.lastrowid, self.rowcount = cursor.description, cursor.lastrowid, cursor.rowcount

    def fetchone(self) -> Any:
        """The next row, or None."""
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int = 1) -> list:
        """Up to ``size`` more rows."""
        rows = self._rows[self._next:self._next + size]
        self._next += len(rows)
        return rows

    def fetchall(self) -> list:
        """Every row not fetched yet."""
        return self.fetchmany(len(self._rows))

    def __iter__(self) -> Any:
        return iter(self.fetchall())


def execute_statement(conn: sqlite3.Connection, sql: str, params: Any) -> sqlite3.Cursor | ReturnedRows:
    """``conn.execute(sql, params)``, with any returned rows fetched before the commit."""
    cursor = conn.execute(sql, params)
    return cursor if cursor.description is None else ReturnedRows(cursor)


def run_write(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any], transaction: bool) -> Any:
    """Run ``fn(conn)``; with ``transaction``, inside BEGIN IMMEDIATE ... COMMIT, rolled back on error.

    Either way the connection is left with no transaction open, so what one task leaves
    uncommitted never leaks into the next. A transaction that failed on a shared-cache lock
    (named memory databases) has been rolled back, so it is run again (`retry_locked`).
    """
    if transaction:
        return retry_locked(_run_write_once, conn, fn, True)
    return _run_write_once(conn, fn, False)


def _run_write_once(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any], transaction: bool) -> Any:
    if transaction and not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
        if conn.in_transaction:
            conn.commit()  # a COMMIT that fails (busy, disk full) must not stay open either
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    return result


class WriteQueue:
    """Runs write tasks for one database, in order, on a thread started by the first write.

    ``connect(prepared)`` opens a write connection; ``prepared=False`` is for isolated tasks,
    which get a fresh connection without the plugins' prepare_connection, closed afterwards.
    """

    def __init__(self, connect: Connect, thread_name: Callable[[], str]) -> None:
        self._connect = connect
        self._thread_name = thread_name
        self._lock = threading.Lock()
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._inline_conn: sqlite3.Connection | None = None

    async def submit(self, fn: Callable, block: bool, transaction: bool, isolated: bool) -> Any:
        """Queue ``fn``; wait for and return its result, or return a task id at once if not ``block``."""
        tasks = self._queue if self._thread is not None else None
        if tasks is None:
            tasks = self._start()
        if not block:
            task_id = uuid.uuid4()
            tasks.put(WriteTask(fn, task_id, None, isolated, transaction))
            return task_id
        reply = asyncio.get_running_loop().create_future()
        tasks.put(WriteTask(fn, None, reply, isolated, transaction))
        return await reply

    def run_inline(self, fn: Callable, transaction: bool, isolated: bool) -> Any:
        """Run ``fn`` now on the calling thread (used when Datasette runs without threads)."""
        if isolated:
            return self._run_isolated(fn)
        if self._inline_conn is None:
            self._inline_conn = self._connect(True)
        return run_write(self._inline_conn, fn, transaction)

    def _run_isolated(self, fn: Callable) -> Any:
        conn = self._connect(False)
        try:
            return fn(conn)
        finally:
            conn.close()

    def _start(self) -> queue.Queue:
        with self._lock:
            if self._thread is None or self._queue is None:
                self._queue = queue.Queue()
                self._thread = threading.Thread(
                    target=self._run, args=(self._queue,), name=self._thread_name(), daemon=True
                )
                self._thread.start()
            return self._queue

    def _run(self, tasks: queue.Queue) -> None:
        """The write thread: runs tasks in order until it gets ``None``."""
        conn: sqlite3.Connection | None = None
        try:
            while (task := tasks.get()) is not None:
                try:
                    if task.isolated_connection:
                        result = self._run_isolated(task.fn)
                    else:
                        if conn is None:
                            conn = self._connect(True)
                        result = run_write(conn, task.fn, task.transaction)
                    ok = True
                except BaseException as ex:
                    result, ok = ex, False
                if task.reply is not None:
                    try:
                        task.reply.get_loop().call_soon_threadsafe(settle_future, task.reply, ok, result)
                    except RuntimeError:  # the event loop has closed; nobody is waiting
                        pass
                elif not ok:
                    logger.error("Write task %s failed", task.task_id, exc_info=result)
                del task, result  # release the cursor (and its statement) while idle
        finally:
            if conn is not None:
                conn.close()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread once the tasks already queued have run, and close the connections."""
        with self._lock:
            thread, tasks = self._thread, self._queue
            self._thread = self._queue = None
        if thread is not None and tasks is not None:
            tasks.put(None)
            thread.join(timeout)
        if self._inline_conn is not None:
            self._inline_conn.close()
            self._inline_conn = None
