"""Hashed URL mode: /db-<hash>/... URLs for immutable databases, served with far-future cache headers."""
__version__ = "0.1.0"

from datasette.settings import Setting  # noqa: E402

from .hooks import asgi_wrapper, startup  # noqa: E402,F401

SETTINGS = [
    Setting("hash_urls", False, "Include DB file contents hash in URLs, for far-future caching"),
    Setting("default_cache_ttl_hashed", 365 * 24 * 60 * 60, "Default HTTP cache TTL for hashed URL pages"),
]
