"""`datasette publish fly`: deploy databases to Fly Machines through flyctl."""
__version__ = "0.1.0"

from .hooks import publish_subcommand  # noqa: E402,F401
