"""Fixtures for the csrf tests: a Datasette with a route that echoes what a POST carried."""
from __future__ import annotations

import os

import pytest

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.utils.asgi import Response

os.environ.setdefault("DATASETTE_LOAD_PLUGINS", "")  # keep installed third-party plugins out


class EchoPlugin:
    """``POST /-/echo`` answers with the body it received and the actor."""

    @hookimpl
    def register_routes(self, datasette):
        async def echo(request):
            body = (await request.post_body()).decode("utf-8", "replace")
            return Response.json({"body": body, "actor": request.actor})
        return [(r"/-/echo$", echo)]


@pytest.fixture
def make_ds():
    """``make_ds(**kwargs)``: an in-memory Datasette with the echo route, closed afterwards."""
    plugin = EchoPlugin()
    pm.register(plugin, name="csrf-test-echo")
    made: list[Datasette] = []

    def factory(**kwargs) -> Datasette:
        datasette = Datasette(memory=True, **kwargs)
        made.append(datasette)
        return datasette

    yield factory
    for datasette in made:
        datasette.close()
    pm.unregister(plugin)


@pytest.fixture
def register():
    """``register(plugin)``: add a plugin object to ``pm`` for this test only."""
    added = []

    def add(plugin, name=None):
        pm.register(plugin, name=name or f"test-plugin-{id(plugin)}")
        added.append(plugin)
        return plugin

    yield add
    for plugin in added:
        pm.unregister(plugin)
