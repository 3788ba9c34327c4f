"""The datasette install / uninstall commands: pip in Datasette's environment, this datasette pinned."""
__version__ = "0.1.0"

from .hooks import register_commands  # noqa: E402,F401
