"""CSRF protection for form POSTs (asgi-csrf): the ds_csrftoken cookie, csrftoken() in templates, skip_csrf."""
from __future__ import annotations

__version__ = "0.1.0"

from .hooks import asgi_wrapper, skip_csrf  # noqa: E402,F401
