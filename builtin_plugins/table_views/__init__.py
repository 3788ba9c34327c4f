"""Browsing pages: index, database, table, view and row pages, as HTML and data for renderers."""
__version__ = "0.1.0"

from .hooks import *  # noqa: E402,F401,F403
