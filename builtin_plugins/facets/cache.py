"""Facet work cached by database content version: reused until the database changes.

Immutable databases never change, so an entry lives as long as the process (or until it is
evicted). For mutable file databases every read thread remembers the ``PRAGMA data_version``
its connection last reported; when it differs, some connection (ours or another process's)
committed since, and the cache's *generation* goes up, which retires every older entry.
``data_version`` is per connection, which is why each thread compares only with its own last
reading; the check runs inside the same thread hop as the facet queries, so a committed write
is seen by the very next request. In-memory databases are not cached.
"""
from __future__ import annotations

import contextvars
import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable, Hashable, Sequence

from datasette.utils.sqlite import sqlite3

MISSING = object()
MAX_ENTRIES = 2048
MAX_WEIGHT = 200_000  # roughly: facet rows + sampled values kept in all entries together


class ContentCache:
    """Values derived from one database's content, each tagged with the generation it saw."""

    def __init__(self, immutable: bool) -> None:
        self.immutable = immutable
        self.generation = 0
        self._entries: OrderedDict[Hashable, tuple[int, int, Any]] = OrderedDict()
        self._weight = 0
        self._seen = threading.local()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def refresh(self, conn: sqlite3.Connection) -> int:
        """The current generation, moved on if ``conn`` sees a commit it had not seen before."""
        if self.immutable:
            return self.generation
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        seen = getattr(self._seen, "value", None)
        with self._lock:
            if seen is None or seen[0] is not conn or seen[1] != version:
                self._seen.value = (conn, version)
                self.generation += 1
            return self.generation

    def get(self, key: Hashable, generation: int, count: bool = True) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != generation:
                if entry is not None:
                    self._drop(key)
                self.misses += count
                return MISSING
            self._entries.move_to_end(key)
            self.hits += count
            return entry[2]

    def put(self, key: Hashable, generation: int, value: Any, weight: int = 1) -> None:
        if weight > MAX_WEIGHT or generation != self.generation:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (generation, weight, value)
            self._weight += weight
            while len(self._entries) > MAX_ENTRIES or self._weight > MAX_WEIGHT:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        _, weight, _ = self._entries.pop(key)
        self._weight -= weight


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cache_for(db: Any) -> ContentCache | None:
    """The content cache of a file database; None for in-memory databases."""
    if db.is_memory or not db.path:
        return None
    cache = _caches.get(db)
    if cache is None:
        cache = _caches[db] = ContentCache(immutable=not db.is_mutable)
    return cache


class Job:
    """One unit of cached work: ``compute(conn)`` for ``key`` (None: never cached);
    ``weight(value)`` sizes it.

    ``compute`` may raise; the exception is handed back in place of a value (and not cached).
    """

    __slots__ = ("key", "compute", "weight")

    def __init__(self, key: Hashable | None, compute: Callable[[sqlite3.Connection], Any],
                 weight: Callable[[Any], int] | None = None) -> None:
        self.key, self.compute, self.weight = key, compute, weight


def _run(conn: sqlite3.Connection, cache: ContentCache | None, jobs: Sequence[Job], known: list) -> list:
    generation = cache.refresh(conn) if cache is not None else 0
    results = []
    for job, value in zip(jobs, known):
        cacheable = cache is not None and job.key is not None
        if cacheable:
            if value is MISSING:
                value = cache.get(job.key, generation)
            else:  # found by run_jobs' look-up on an immutable database
                cache.hits += 1
        if value is MISSING:
            try:
                value = job.compute(conn)
            except Exception as error:  # noqa: BLE001 - handed back to the caller to decide
                value = error
            else:
                if cacheable:
                    cache.put(job.key, generation, value, job.weight(value) if job.weight else 1)
        results.append(value)
    return results


async def run_jobs(db: Any, jobs: Sequence[Job]) -> list:
    """Each job's value (cached or computed), in one thread hop at most; none when an
    immutable database has them all cached. A failed job's value is its exception."""
    if not jobs:
        return []
    cache = cache_for(db)
    known = [MISSING] * len(jobs)
    if cache is not None and cache.immutable:
        known = [MISSING if job.key is None else cache.get(job.key, cache.generation, count=False)
                 for job in jobs]
        if all(value is not MISSING for value in known):
            cache.hits += len(known)
            return known
    context = contextvars.copy_context()  # so datasette.tracer records the queries (?_trace=1)
    return await db.execute_fn(lambda conn: context.run(_run, conn, cache, jobs, known))
