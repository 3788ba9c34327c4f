"""SQL functions registered on every connection, such as escape_fts()."""
__version__ = "0.1.0"

from .hooks import prepare_connection  # noqa: E402,F401
