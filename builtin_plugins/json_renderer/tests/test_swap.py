"""Renderers are swappable: a newer plugin's ``json`` wins, and the built-in can be switched off."""
from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from datasette.cli import cli

REPLACEMENT = textwrap.dedent('''
    import json
    from datasette import hookimpl, Response

    @hookimpl
    def register_output_renderer(datasette):
        def render(data, columns, rows):
            body = {"replaced": True, "columns": list(columns), "count": len(rows)}
            return Response(json.dumps(body), content_type="application/vnd.test+json")
        return {"extension": "json", "render": render}
''')
EXPECTED = {"replaced": True, "columns": ["id", "content"], "count": 4}


@pytest.fixture
def plugins_dir(tmp_path):
    directory = tmp_path / "plugins"
    directory.mkdir()
    (directory / "other_json.py").write_text(REPLACEMENT)
    return str(directory)


@pytest.mark.asyncio
async def test_newer_plugin_replaces_builtin_while_it_is_enabled(make_ds, plugins_dir):
    ds = make_ds(plugins_dir=plugins_dir)
    assert not ds._disabled_plugins
    response = await ds.client.get("/fixtures/simple_primary_key.json")
    assert response.headers["content-type"] == "application/vnd.test+json"
    assert response.json() == EXPECTED


@pytest.mark.asyncio
async def test_disabled_builtin_means_no_json(make_ds):
    ds = make_ds(disabled_plugins=["json_renderer"])
    assert "json" not in ds.renderers
    assert (await ds.client.get("/fixtures/simple_primary_key.json")).status_code == 404
    assert (await ds.client.get("/fixtures/simple_primary_key.csv")).status_code == 200


@pytest.mark.asyncio
async def test_disabled_builtin_with_replacement(make_ds, plugins_dir):
    ds = make_ds(disabled_plugins=["json_renderer"], plugins_dir=plugins_dir)
    response = await ds.client.get("/fixtures/simple_primary_key.json")
    assert response.status_code == 200
    assert response.json() == EXPECTED


def test_cli_disable_plugin(db_path, make_ds, plugins_dir):
    make_ds()  # registers the stand-in views for the CLI's instance too
    runner = CliRunner()
    path = "/fixtures/simple_primary_key.json?_shape=arrayfirst"
    assert runner.invoke(cli, ["serve", db_path, "--get", path]).output.strip() == '["1","2","3","4"]'
    disabled = runner.invoke(cli, ["serve", db_path, "--disable-plugin", "json_renderer", "--get", path])
    assert disabled.exit_code == 1 and "404" in disabled.output
    replaced = runner.invoke(cli, ["serve", db_path, "--disable-plugin", "json_renderer",
                                   "--plugins-dir", plugins_dir, "--get", path])
    assert replaced.exit_code == 0, replaced.output
    assert replaced.output.strip() == '{"replaced": true, "columns": ["id", "content"], "count": 4}'
