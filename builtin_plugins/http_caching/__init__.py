"""HTTP caching of data pages: weak ETags from the database's content version, 304s that run no query."""
__version__ = "0.1.0"

from .hooks import asgi_wrapper  # noqa: E402,F401
