"""The .csv output format, including streaming every row with _stream=on."""
__version__ = "0.1.0"

from .hooks import *  # noqa: E402,F401,F403
