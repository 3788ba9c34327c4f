"""Hook implementations of {{ cookiecutter.hyphenated }}: only @hookimpl functions, each delegating."""
from datasette import hookimpl

from .views import about


@hookimpl
def register_routes():
    return [(r"^/-/{{ cookiecutter.hyphenated }}(?P<format>\.json)?$", about)]
