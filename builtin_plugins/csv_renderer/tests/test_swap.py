"""Renderers are swappable: a newer plugin's ``csv`` wins, and the built-in can be switched off."""
from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from datasette.cli import cli

REPLACEMENT = textwrap.dedent('''
    from datasette import hookimpl, Response

    @hookimpl
    def register_output_renderer(datasette):
        def render(rows, columns):
            lines = ["|".join(columns)] + ["|".join(str(v) for v in row) for row in rows]
            return Response.text("\\n".join(lines), headers={"x-renderer": "replacement"})
        return {"extension": "csv", "render": render}
''')
EXPECTED = "id|content\n1|hello\n2|world\n3|\n4|None"


@pytest.fixture
def plugins_dir(tmp_path):
    directory = tmp_path / "plugins"
    directory.mkdir()
    (directory / "pipe_csv.py").write_text(REPLACEMENT)
    return str(directory)


@pytest.mark.asyncio
async def test_newer_plugin_replaces_builtin_while_it_is_enabled(make_ds, plugins_dir):
    ds = make_ds(plugins_dir=plugins_dir)
    assert "csv_renderer" not in [getattr(p, "__name__", "") for p in ds._disabled_plugins]
    assert ds.setting("max_csv_mb") == 100  # the built-in is still there
    response = await ds.client.get("/fixtures/simple_primary_key.csv")
    assert response.status_code == 200
    assert response.headers["x-renderer"] == "replacement"
    assert response.text == EXPECTED


@pytest.mark.asyncio
async def test_disabled_builtin_means_no_csv(make_ds):
    ds = make_ds(disabled_plugins=["csv_renderer"])
    assert "csv" not in ds.renderers
    assert ds.setting("allow_csv_stream") is None  # its settings go with it
    assert (await ds.client.get("/fixtures/simple_primary_key.csv")).status_code == 404
    assert (await ds.client.get("/fixtures/simple_primary_key.json")).status_code == 200


@pytest.mark.asyncio
async def test_disabled_builtin_with_replacement(make_ds, plugins_dir):
    ds = make_ds(disabled_plugins=["csv_renderer"], plugins_dir=plugins_dir)
    response = await ds.client.get("/fixtures/simple_primary_key.csv")
    assert response.status_code == 200
    assert response.text == EXPECTED


def test_cli_disable_plugin(db_path, make_ds, plugins_dir):
    make_ds()  # registers the stand-in views for the CLI's instance too
    runner = CliRunner()
    path = "/fixtures/simple_primary_key.csv"
    builtin = runner.invoke(cli, ["serve", db_path, "--get", path])
    assert builtin.exit_code == 0, builtin.output
    assert builtin.output.splitlines()[:2] == ["id,content", "1,hello"]
    disabled = runner.invoke(cli, ["serve", db_path, "--disable-plugin", "csv_renderer", "--get", path])
    assert disabled.exit_code == 1 and "404" in disabled.output
    replaced = runner.invoke(cli, ["serve", db_path, "--disable-plugin", "csv_renderer",
                                   "--plugins-dir", plugins_dir, "--get", path])
    assert replaced.exit_code == 0, replaced.output
    assert replaced.output.strip() == EXPECTED
