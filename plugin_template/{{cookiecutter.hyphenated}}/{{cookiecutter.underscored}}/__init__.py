"""{{ cookiecutter.description or cookiecutter.plugin_name }}"""
__version__ = "0.1.0"

from .hooks import register_routes  # noqa: E402,F401
