"""The built-in look: base templates, app.css, the /-/static/ route and the favicon."""
__version__ = "0.1.0"

from .hooks import extra_template_vars, register_routes  # noqa: E402,F401
