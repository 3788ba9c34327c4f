"""HTTP caching of data pages: weak ETags from the database's content version, 304s that run no query."""
__version__ = "0.2.0"

from .hooks import asgi_wrapper  # noqa: E402,F401
from .versions import datasette_content_version  # noqa: E402

# ``datasette.content_version(db)``: other plugins (table_views) answer from their caches with it.
DATASETTE_METHODS = {"content_version": datasette_content_version}
