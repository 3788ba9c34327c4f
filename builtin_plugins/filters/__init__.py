"""Table filters from the query string: _where, _search and _through."""
__version__ = "0.1.0"

from .hooks import *  # noqa: E402,F401,F403
