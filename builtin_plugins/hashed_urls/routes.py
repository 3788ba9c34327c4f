"""Which databases get hashed URLs, and what their hashed route is."""
from __future__ import annotations

import re
import sys
from typing import Any

HASH_LENGTH = 7
HASHED_ROUTE = re.compile(rf"(.+)-([0-9a-f]{{{HASH_LENGTH}}})")


def hashable(db: Any) -> bool:
    """Only immutable files have a content hash: a mutable database is never hashed."""
    return not db.is_mutable and not db.is_memory and bool(db.path)


def hashed_route(db: Any) -> str | None:
    """``<name>-<first 7 hex of the sha256>``, once the hash is known (it may still be computing)."""
    digest = db.cached_hash if hashable(db) else None
    return f"{db.name}-{digest[:HASH_LENGTH]}" if digest else None


def warn_mutable(datasette: Any) -> None:
    if not datasette.setting("hash_urls"):
        return
    for db in datasette.databases.values():
        if db.is_mutable and not db.is_memory and db.path:
            print(f"Warning: hash_urls: database {db.name} is mutable, so its URLs are not hashed "
                  f"(open it with -i to hash them)", file=sys.stderr)


def adopt_hashes(datasette: Any) -> None:
    """With ``hash_urls`` on, route each immutable database by its hashed name once its hash is known,
    so that every link Datasette builds (``datasette.urls``) points at a hashed URL."""
    if not datasette.setting("hash_urls"):
        return
    for db in datasette.databases.values():
        if db.route == db.name:
            route = hashed_route(db)
            if route is not None:
                db.route = route


def find_hashed(datasette: Any, route: str) -> tuple[Any, str] | None:
    """For ``<name>-<7 hex>`` naming an immutable database: the database and the hash in the URL."""
    match = HASHED_ROUTE.fullmatch(route)
    if match is None:
        return None
    db = datasette.databases.get(match.group(1))
    return (db, match.group(2)) if db is not None and hashable(db) else None
