"""The fourteen built-in permissions: registration and the default for each kind of actor."""
from __future__ import annotations

import pytest

from datasette.app import Datasette
from datasette.utils.asgi import Forbidden

ANONYMOUS, ALICE, ROOT = None, {"id": "alice"}, {"id": "root"}
ROOT_POWERS = {"permissions-debug", "debug-menu", "insert-row", "create-table", "alter-table",
               "drop-table", "delete-row", "update-row"}

# name, abbr, takes_database, takes_resource, default, implies_can_view, resource to check
BUILTINS = [
    ("view-instance", "vi", False, False, True, False, None),
    ("view-database", "vd", True, False, True, True, "public"),
    ("view-database-download", "vdd", True, False, True, False, "public"),
    ("view-table", "vt", True, True, True, True, ("public", "items")),
    ("view-query", "vq", True, True, True, True, ("public", "q")),
    ("execute-sql", "es", True, False, True, True, "public"),
    ("permissions-debug", "pd", False, False, False, False, None),
    ("debug-menu", "dm", False, False, False, False, None),
    ("insert-row", "ir", True, True, False, False, ("public", "items")),
    ("delete-row", "dr", True, True, False, False, ("public", "items")),
    ("update-row", "ur", True, True, False, False, ("public", "items")),
    ("create-table", "ct", True, False, False, False, "public"),
    ("alter-table", "at", True, True, False, False, ("public", "items")),
    ("drop-table", "dt", True, True, False, False, ("public", "items")),
]


@pytest.mark.asyncio
async def test_registers_the_fourteen_builtin_permissions(make_ds):
    ds = make_ds()
    await ds.invoke_startup()
    assert list(ds.permissions) == [row[0] for row in BUILTINS]
    for name, abbr, takes_database, takes_resource, default, implies_can_view, _ in BUILTINS:
        permission = ds.permissions[name]
        assert (permission.abbr, permission.takes_database, permission.takes_resource,
                permission.default, permission.implies_can_view) == (
            abbr, takes_database, takes_resource, default, implies_can_view)
        assert permission.description
        assert ds.get_permission(abbr) is permission
    with pytest.raises(KeyError):
        ds.get_permission("no-such-permission")


@pytest.mark.asyncio
@pytest.mark.parametrize("row", BUILTINS, ids=[row[0] for row in BUILTINS])
async def test_default_for_each_actor(make_ds, row):
    name, _, _, _, default, _, resource = row
    ds = make_ds(config={"databases": {"public": {"queries": {"q": "select 1"}}}})
    await ds.invoke_startup()
    for actor in (ANONYMOUS, ALICE, ROOT):
        expected = True if (actor == ROOT and name in ROOT_POWERS) else default
        assert await ds.permission_allowed(actor, name, resource) is expected, actor
        check = ds._permission_checks[-1]
        assert (check["actor"], check["action"], check["resource"]) == (actor, name, resource)
        # the pages' cascade helper (default=None) agrees
        if expected:
            await ds.ensure_permissions(actor, [(name, resource)])


@pytest.mark.asyncio
async def test_execute_sql_default_follows_default_allow_sql(make_ds):
    ds = make_ds(settings={"default_allow_sql": False}, config={"allow_sql": {"id": "alice"}})
    await ds.invoke_startup()
    assert ds.permissions["execute-sql"].default is False
    assert await ds.permission_allowed(ANONYMOUS, "execute-sql", "public") is False
    assert await ds.permission_allowed(ROOT, "execute-sql", "public") is False
    assert await ds.permission_allowed(ALICE, "execute-sql", "public") is True  # allow_sql still grants
    # the default as pages see it (ensure_permissions passes default=None): a refusal
    with pytest.raises(Forbidden):
        await ds.ensure_permissions(ANONYMOUS, [("execute-sql", "public")])


@pytest.mark.asyncio
async def test_default_allow_sql_switched_off_at_runtime(make_ds):
    ds = make_ds()
    await ds.invoke_startup()
    assert await ds.permission_allowed(ALICE, "execute-sql", "public") is True
    ds._settings["default_allow_sql"] = False  # as upstream's tests do
    assert await ds.permission_allowed(ALICE, "execute-sql", "public") is False


@pytest.mark.asyncio
async def test_disabling_the_plugin_leaves_everything_to_other_plugins(db_paths):
    ds = Datasette(db_paths, disabled_plugins=["permissions"])
    try:
        await ds.invoke_startup()
        assert "view-instance" not in ds.permissions
        assert "default_allow_sql" not in ds.settings_dict()
        response = await ds.client.get("/-/permissions")
        assert response.status_code == 404
        assert (await ds.client.get("/public/items.json")).status_code == 200
    finally:
        ds.close()
