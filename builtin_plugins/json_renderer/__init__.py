"""The .json output format, with _shape, _nl, _json and _json_infinity options."""
__version__ = "0.1.0"

from .hooks import register_output_renderer  # noqa: E402,F401
