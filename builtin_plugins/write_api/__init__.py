"""The JSON write API (insert, upsert, update, delete, create, drop), writable canned queries and /-/api."""
__version__ = "0.1.0"

from datasette.settings import Setting  # noqa: E402

SETTINGS = [
    Setting("max_insert_rows", 100, "Maximum rows that can be inserted at a time using the bulk insert API"),
    Setting("max_post_body_bytes", 2 * 1024 * 1024,
            "Maximum size in bytes of a POST body accepted by the write API and writable canned queries"),
]

from .hooks import register_routes  # noqa: E402,F401
