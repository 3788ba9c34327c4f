"""View helpers for plugins: ``Context``, the base for typed template contexts."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Context:
    """Base class for dataclasses passed to ``render_template`` as the context."""
