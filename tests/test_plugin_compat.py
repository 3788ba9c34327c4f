"""Upstream behaviours that published plugins rely on (found by tests/test_real_plugins.py).

Each test here stands in, in the default suite, for a real plugin that needs it.
"""
from __future__ import annotations

import types

import pytest
from pluggy import HookspecMarker

from datasette import plugins as plugin_loader
from datasette.app import Datasette
from datasette.plugins import pm


def test_plugin_that_adds_its_own_hookspecs_at_import_loads():
    """datasette-block-robots calls pm.add_hookspecs(hookspecs) on import and has a
    ``hookspecs`` submodule, which the loader would otherwise add a second time."""
    specs = types.ModuleType("compat_plugin.hookspecs")
    hookspec = HookspecMarker("datasette")

    @hookspec
    def compat_plugin_extra_lines(datasette, request):
        """A hook only this test offers."""

    specs.compat_plugin_extra_lines = compat_plugin_extra_lines
    plugin = types.ModuleType("compat_plugin")
    plugin.hookspecs = specs
    pm.add_hookspecs(specs)  # what the plugin does when imported
    plugin_loader._add_plugin_hookspecs(plugin)  # what loading it then does: no ValueError
    assert pm.hook.compat_plugin_extra_lines.spec.namespace is specs


@pytest.fixture
def ds_with_metadata(make_ds):
    return make_ds(memory=True, metadata={
        "title": "Instance", "license": "CC0",
        "databases": {"_memory": {"title": "Memory", "tables": {"t": {"title": "Table T"}}}}},
        config={"databases": {"_memory": {"queries": {"recent": {"sql": "select 1", "title": "Recent"}}}}})


def test_synchronous_metadata_method(ds_with_metadata):
    """datasette-atom reads canned query titles with datasette.metadata(database=...)."""
    ds = ds_with_metadata
    assert ds.metadata()["title"] == "Instance"
    database = ds.metadata(database="_memory")
    assert database["title"] == "Memory"
    assert database["queries"]["recent"]["title"] == "Recent"
    assert ds.metadata(database="_memory", table="t") == {"title": "Table T"}
    assert ds.metadata("title", database="_memory", table="t") == "Table T"
    assert ds.metadata("license", database="_memory", table="t") == "CC0"
    assert ds.metadata("license", database="_memory", table="t", fallback=False) is None
    assert ds.metadata(database="nope") == {}


@pytest.mark.asyncio
async def test_crumbs_nav_macro_for_plugin_templates(make_ds, tmp_path):
    """datasette-copyable's template calls crumbs.nav(request=, database=, table=)."""
    (tmp_path / "copy.html").write_text(
        '{% extends "base.html" %}{% block crumbs %}'
        '{{ crumbs.nav(request=request, database=database, table=table) }}{% endblock %}')
    ds = make_ds(memory=True, template_dir=str(tmp_path))
    await ds.invoke_startup()
    html = await ds.render_template("copy.html", {"database": "_memory", "table": "t"})
    crumbs = html.split('<p class="crumbs">')[1].split("</p>")[0].split()
    assert crumbs == ['<a', 'href="/">home</a>', '/', '<a', 'href="/_memory">_memory</a>', '/',
                      '<a', 'href="/_memory/t">t</a>']
    assert "href=\"/_memory\"" not in (await ds.render_template("copy.html", {})).split("</nav>")[0]
