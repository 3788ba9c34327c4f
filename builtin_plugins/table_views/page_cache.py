"""A small cache of expensive page results, valid until the database changes.

Immutable databases never change, so a result stays valid for the life of the process.
For mutable file databases each thread remembers the ``PRAGMA data_version`` its read
connection last saw; a different value means some other connection committed since, and bumps the cache's
generation, which invalidates every entry. The check runs inside the page's own thread hop.
Only results that took at least ``MIN_MS`` to compute are kept, up to ``MAX_ROWS`` rows.
In-memory databases are never cached.
"""
from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from typing import Any, Callable, Hashable

from datasette.utils.sqlite import sqlite3

MIN_MS = 2.0
MAX_ENTRIES = 256
MAX_ROWS = 50_000


class PageCache:
    """Results keyed by ``(sql, params, ...)``, each tagged with the generation it was computed in."""

    def __init__(self, immutable: bool) -> None:
        self.immutable = immutable
        self.generation = 0
        self._entries: OrderedDict[Hashable, tuple[int, int, Any]] = OrderedDict()
        self._rows = 0
        self._seen = threading.local()  # each thread's (connection, last data_version)
        self._lock = threading.Lock()

    def refresh(self, conn: sqlite3.Connection) -> int:
        """The current generation, bumped if ``conn`` sees a commit it had not seen before."""
        if self.immutable:
            return self.generation
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        seen = getattr(self._seen, "value", None)
        with self._lock:
            if seen is None or seen[0] is not conn or seen[1] != version:
                self._seen.value = (conn, version)
                self.generation += 1
            return self.generation

    def get(self, key: Hashable, generation: int) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != generation:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: Hashable, generation: int, result: Any, rows: int) -> None:
        if rows > MAX_ROWS:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (generation, rows, result)
            self._rows += rows
            while len(self._entries) > MAX_ENTRIES or self._rows > MAX_ROWS:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        _, rows, _ = self._entries.pop(key)
        self._rows -= rows

    def run(self, conn: sqlite3.Connection, key: Hashable, fn: Callable[[sqlite3.Connection], Any],
            size: Callable[[Any], int]) -> Any:
        """``fn(conn)``, or its cached result for ``key`` if the database has not changed since."""
        generation = self.refresh(conn)
        cached = self.get(key, generation)
        if cached is not None:
            return cached
        start = time.perf_counter()
        result = fn(conn)
        if (time.perf_counter() - start) * 1000 >= MIN_MS:
            self.put(key, generation, result, size(result))
        return result


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cache_for(db: Any) -> PageCache | None:
    """The page cache of a file database (None for in-memory databases)."""
    if db.is_memory or not db.path:
        return None
    cache = _caches.get(db)
    if cache is None:
        cache = _caches[db] = PageCache(immutable=not db.is_mutable)
    return cache
