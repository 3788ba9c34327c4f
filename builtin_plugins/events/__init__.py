"""The built-in event types (login, logout, create-token, and the write events) for track_event."""
__version__ = "0.1.0"

from .hooks import register_events  # noqa: E402,F401
