"""Malformed allow blocks in configuration stop startup, naming where they are."""
from __future__ import annotations

import pytest

from datasette.utils import StartupError


@pytest.mark.asyncio
@pytest.mark.parametrize("config,where", [
    ({"allow": "alice"}, "allow"),
    ({"allow_sql": ["alice"]}, "allow_sql"),
    ({"allow": {"id": {"nested": 1}}}, "allow"),
    ({"allow": {"id": ["a", {"b": 1}]}}, "allow"),
    ({"permissions": ["debug-menu"]}, "permissions"),
    ({"permissions": {"debug-menu": 5}}, "permissions.debug-menu"),
    ({"databases": {"private": {"allow": [1, 2]}}}, "databases.private.allow"),
    ({"databases": {"private": {"allow_sql": "yes"}}}, "databases.private.allow_sql"),
    ({"databases": {"private": {"permissions": {"insert-row": "bob"}}}}, "databases.private.permissions.insert-row"),
    ({"databases": {"private": {"tables": {"secrets": {"allow": 1}}}}}, "databases.private.tables.secrets.allow"),
    ({"databases": {"private": {"tables": {"secrets": {"permissions": {"vt": []}}}}}},
     "databases.private.tables.secrets.permissions.vt"),
    ({"databases": {"private": {"queries": {"q": {"sql": "select 1", "allow": "x"}}}}},
     "databases.private.queries.q.allow"),
])
async def test_malformed_allow_block_is_a_startup_error(make_ds, config, where):
    ds = make_ds(config=config)
    with pytest.raises(StartupError) as error:
        await ds.invoke_startup()
    assert f"Invalid allow block in {where}:" in str(error.value) or \
        f"Invalid permissions in {where}:" in str(error.value)


@pytest.mark.asyncio
async def test_well_formed_blocks_start(make_ds):
    ds = make_ds(config={
        "allow": {"id": ["alice", "bob"], "roles": "staff", "unauthenticated": False},
        "allow_sql": None,
        "permissions": {"debug-menu": True, "insert-row": {"id": "*"}, "x": None},
        "databases": {"private": {"allow": False, "tables": {"secrets": {"allow": {"id": 5}}},
                                  "queries": {"q": "select 1"}}, "public": None},
    })
    await ds.invoke_startup()
    assert await ds.permission_allowed({"id": "alice"}, "view-instance") is True


def test_cli_reports_the_place(db_paths, tmp_path):
    from click.testing import CliRunner

    from datasette.cli import cli

    config = tmp_path / "datasette.yaml"
    config.write_text("databases:\n  private:\n    allow: [alice]\n")
    result = CliRunner().invoke(cli, ["serve", *db_paths, "-c", str(config), "--get", "/.json"])
    assert result.exit_code != 0
    assert "databases.private.allow" in result.output
