"""Firing the write events (``insert-rows``, ``create-table``, ...) through ``track_event``."""
from __future__ import annotations

from typing import Any


async def fire(datasette: Any, name: str, actor: dict | None, **properties: Any) -> None:
    """Send the registered event called ``name``; nothing happens if no plugin registered it."""
    for event_class in datasette.event_classes:
        if getattr(event_class, "name", None) == name:
            await datasette.track_event(event_class(actor=actor, **properties))
            return


async def fire_alter(datasette: Any, actor: dict | None, database: str, table: str,
                     before_schema: str | None, after_schema: str | None) -> None:
    """``alter-table``, if the schema really changed."""
    if before_schema is not None and after_schema is not None and before_schema != after_schema:
        await fire(datasette, "alter-table", actor, database=database, table=table,
                   before_schema=before_schema, after_schema=after_schema)
