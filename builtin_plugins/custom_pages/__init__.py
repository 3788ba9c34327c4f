"""Custom pages from templates/pages/*.html, with path variables."""
__version__ = "0.1.0"

from .hooks import handle_exception  # noqa: E402,F401
