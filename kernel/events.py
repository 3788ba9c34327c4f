"""Events: ``Event`` is the base; the concrete events belong to the ``events`` plugin.

``from datasette.events import LoginEvent`` still works: names this module does not
define are looked up lazily in the built-in ``events`` plugin.
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from datasette.lazy import reexport


@dataclasses.dataclass
class Event:
    """Something that happened, sent to ``track_event`` hooks; subclasses set ``name``."""

    name = "event"
    actor: dict | None
    created: datetime.datetime = dataclasses.field(
        init=False, default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))

    def properties(self) -> dict:
        """The event's own fields, without ``actor`` and ``created``."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in ("actor", "created")}


__getattr__ = reexport(__name__, "datasette_builtins.events.events", lambda name: name.endswith("Event"))
