"""The built-in look: base templates, app.css, /-/static/, the favicon and /-/patterns."""
__version__ = "0.2.0"

from .hooks import extra_template_vars, register_routes  # noqa: E402,F401
