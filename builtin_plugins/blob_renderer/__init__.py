"""The .blob output format: download one BLOB cell of a row."""
__version__ = "0.1.0"

from .hooks import register_output_renderer  # noqa: E402,F401
