"""Hook implementations (none yet)."""
from __future__ import annotations
