"""Hook implementations of {{ cookiecutter.hyphenated }}."""
from datasette import Response, hookimpl

from . import __version__


async def hello(datasette):
    return Response.json({"plugin": "{{ cookiecutter.hyphenated }}", "version": __version__})


@hookimpl
def register_routes(datasette):
    return [(r"^/-/{{ cookiecutter.hyphenated }}$", hello)]
