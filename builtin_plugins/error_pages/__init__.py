"""Default error pages: JSON for .json URLs, HTML (error.html or <status>.html) otherwise."""
__version__ = "0.1.0"

from .hooks import forbidden, handle_exception  # noqa: E402,F401
