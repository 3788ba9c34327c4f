"""The SQL query page and canned queries (read-only)."""
__version__ = "0.1.0"

from .hooks import *  # noqa: E402,F401,F403
