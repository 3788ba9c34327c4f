"""The `datasette publish` command group, its `publish_subcommand` hook, and `datasette package`."""
__version__ = "0.1.0"

from . import hookspecs  # noqa: E402,F401  (offered to other plugins; the kernel adds it)
from .hooks import register_commands  # noqa: E402,F401
