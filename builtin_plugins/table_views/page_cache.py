"""A small cache of expensive page results, valid until the database changes.

Immutable databases never change, so a result stays valid for the life of the process.
Results from mutable file databases are tagged with the content version read from the file
before the query ran (`schema.content_version`), so a page can be answered from here without a
thread hop while that version holds. Where no such version can be read, each thread remembers
the ``PRAGMA data_version`` its read connection last saw; a different value means some other
connection committed since, and bumps the cache's generation, which invalidates every entry.
That check runs inside the page's own thread hop.
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

from .schema import content_version, run_checked

MIN_MS = 2.0
MAX_ENTRIES = 256
MAX_ROWS = 50_000


class PageCache:
    """Results keyed by ``(sql, params, ...)``, each tagged with the generation it was computed in.

    ``min_ms`` (default `MIN_MS`) is how long a result must have taken to be kept.
    """

    def __init__(self, immutable: bool, min_ms: float | None = None) -> None:
        self.immutable = immutable
        self.min_ms = MIN_MS if min_ms is None else min_ms
        self.generation = 0
        self._entries: OrderedDict[Hashable, tuple[Hashable, int, Any]] = OrderedDict()
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

    def get(self, key: Hashable, generation: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != generation:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: Hashable, generation: Hashable, result: Any, rows: int) -> None:
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
            size: Callable[[Any], int], version: str | None = None) -> Any:
        """``fn(conn)``, or its cached result for ``key`` if the database has not changed since.

        ``version``, a content version read before this call, tags the result instead of the
        connection's ``data_version`` generation.
        """
        generation: Hashable = version if version is not None else self.refresh(conn)
        cached = self.get(key, generation)
        if cached is not None:
            return cached
        start = time.perf_counter()
        result = fn(conn)
        if (time.perf_counter() - start) * 1000 >= self.min_ms:
            self.put(key, generation, result, size(result))
        return result


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cache_for(db: Any, kind: str = "pages") -> PageCache | None:
    """The result cache of a file database (None for in-memory databases).

    ``"pages"`` holds table pages that took at least `MIN_MS`; ``"rows"`` holds row pages,
    which are quick to compute but still cost a thread hop, whatever they took.
    """
    if db.is_memory or not db.path:
        return None
    caches = _caches.get(db)
    if caches is None:
        caches = _caches[db] = {}
    cache = caches.get(kind)
    if cache is None:
        cache = caches[kind] = PageCache(immutable=not db.is_mutable, min_ms=0 if kind == "rows" else None)
    return cache


async def run_cached(datasette: Any, db: Any, schema: Any, cache: PageCache | None, key: Hashable | None,
                     fn: Callable[[sqlite3.Connection], Any], size: Callable[[Any], int]) -> Any:
    """``fn(conn)`` through `run_checked` (so possibly `STALE`), or its cached result with no thread hop.

    An immutable database's results never go stale. A mutable file's are good while its
    content version (read from the file, see `schema.content_version`) is the one the result
    and the schema were confirmed at; that version tags what runs instead. Without a cache
    or a key, ``fn`` just runs.
    """
    if cache is None or key is None:
        return await run_checked(db, schema, fn)
    version = None
    if cache.immutable:
        cached = cache.get(key, cache.generation)
    else:
        version = content_version(datasette, db)
        cached = cache.get(key, version) if schema.confirmed_at(version) else None
    if cached is not None:
        return cached
    return await run_checked(db, schema, lambda conn: cache.run(conn, key, fn, size, version), version)
