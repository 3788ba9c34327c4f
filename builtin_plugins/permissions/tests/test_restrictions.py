"""Token restrictions (``_r``): they only ever narrow what an actor may do."""
from __future__ import annotations

import pytest
import pytest_asyncio

from datasette_builtins.permissions.restrictions import restrictions_allow_action


@pytest_asyncio.fixture
async def ds(make_ds):
    datasette = make_ds()
    await datasette.invoke_startup()
    return datasette


CASES = [
    # (restrictions, action, resource, allowed)
    ({"a": ["vt"]}, "view-table", ("public", "items"), True),
    ({"a": ["view-table"]}, "view-table", ("public", "items"), True),
    ({"a": ["vt"]}, "insert-row", ("public", "items"), False),
    ({"d": {"public": ["ir"]}}, "insert-row", ("public", "items"), True),
    ({"d": {"public": ["ir"]}}, "insert-row", ("private", "secrets"), False),
    ({"d": {"public": ["ct"]}}, "create-table", "public", True),
    ({"r": {"public": {"items": ["vt"]}}}, "view-table", ("public", "items"), True),
    ({"r": {"public": {"items": ["vt"]}}}, "view-table", ("public", "has/slash"), False),
    ({"r": {"public": {"items": ["vt"]}}}, "view-table", ("private", "items"), False),
    # view-instance is implied by any action that implies viewing
    ({"r": {"public": {"items": ["vt"]}}}, "view-instance", None, True),
    ({"d": {"public": ["es"]}}, "view-instance", None, True),
    ({"a": ["ir"]}, "view-instance", None, False),
    ({"a": ["no-such-action"]}, "view-instance", None, False),
    # view-database by database-scoped ones, for that database only
    ({"r": {"public": {"items": ["vt"]}}}, "view-database", "public", True),
    ({"r": {"public": {"items": ["vt"]}}}, "view-database", "private", False),
    ({"a": ["vq"]}, "view-database", "private", True),
    ({"d": {"public": ["dt"]}}, "view-database", "public", False),
    # malformed restrictions only take access away
    ("not a dict", "view-instance", None, False),
    ({"a": "vt"}, "view-table", ("public", "items"), False),
    ({"d": ["public"]}, "view-database", "public", False),
    ({"r": {"public": ["items"]}}, "view-table", ("public", "items"), False),
    ({"a": [["vt"], None, 5]}, "view-table", ("public", "items"), False),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("restrictions,action,resource,allowed", CASES)
async def test_restrictions_allow_action(ds, restrictions, action, resource, allowed):
    assert restrictions_allow_action(ds, restrictions, action, resource) is allowed
    actor = {"id": "root", "_r": restrictions}
    result = await ds.permission_allowed(actor, action, resource)
    if allowed:  # restrictions have no opinion: the usual rules apply (root may insert-row...)
        assert result == await ds.permission_allowed({"id": "root"}, action, resource)
    else:
        assert result is False


@pytest.mark.asyncio
async def test_restrictions_never_grant(ds):
    actor = {"id": "alice", "_r": {"a": ["ir", "pd"]}}
    assert await ds.permission_allowed(actor, "insert-row", ("public", "items")) is False
    assert await ds.permission_allowed(actor, "permissions-debug") is False


@pytest.mark.asyncio
async def test_restrictions_are_not_mutated(ds):
    restrictions = {"a": ["vt"], "d": {"public": ["vd"]}, "r": {"public": {"items": ["vq"]}}}
    actor = {"id": "alice", "_r": restrictions}
    for action in ("view-instance", "view-database"):
        await ds.permission_allowed(actor, action, "public")
    assert restrictions == {"a": ["vt"], "d": {"public": ["vd"]}, "r": {"public": {"items": ["vq"]}}}
