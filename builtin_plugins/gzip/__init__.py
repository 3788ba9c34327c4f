"""gzip compression of HTML, JSON, CSV and other text responses, streamed ones included."""
__version__ = "0.1.1"

from .hooks import asgi_wrapper  # noqa: E402,F401
