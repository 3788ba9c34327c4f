"""Magic parameters for canned queries: _actor_, _header_, _cookie_, _now_, _random_chars_."""
__version__ = "0.1.0"

from .hooks import register_magic_parameters  # noqa: E402,F401
