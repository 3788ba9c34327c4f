"""The .json output format, with _shape, _nl and _json options."""
__version__ = "0.1.0"

from .hooks import *  # noqa: E402,F401,F403
