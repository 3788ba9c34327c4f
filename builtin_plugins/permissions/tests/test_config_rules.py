"""Rules from configuration: allow blocks, allow_sql, permissions blocks, root's powers and limits."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from .conftest import cookies_for

ALICE, BOB, ROOT = {"id": "alice"}, {"id": "bob"}, {"id": "root"}
PRIVATE_CONFIG = {"databases": {"private": {"allow": {"id": "alice"}}}}


@pytest.mark.asyncio
async def test_private_database_is_hidden_and_forbidden_for_anonymous(make_ds):
    ds = make_ds(config=PRIVATE_CONFIG)
    for path in ("/private", "/private.json"):
        response = await ds.client.get(path)
        assert response.status_code == 403, path
        assert "secrets" not in response.text
    index = await ds.client.get("/.json")
    assert list(index.json()["databases"]) == ["public"]
    html = await ds.client.get("/")
    assert 'href="/private"' not in html.text and 'href="/public"' in html.text
    # root obeys allow blocks for viewing, like everyone else
    assert (await ds.client.get("/private.json", cookies=cookies_for(ds, ROOT))).status_code == 403


@pytest.mark.asyncio
async def test_private_database_is_shown_to_alice_with_a_padlock(make_ds):
    ds = make_ds(config=PRIVATE_CONFIG)
    alice = cookies_for(ds, ALICE)
    index = (await ds.client.get("/.json", cookies=alice)).json()["databases"]
    assert index["private"]["private"] is True and index["public"]["private"] is False
    database = await ds.client.get("/private.json", cookies=alice)
    assert database.status_code == 200
    assert database.json()["private"] is True
    assert {t["name"] for t in database.json()["tables"]} >= {"secrets", "notes"}
    page = BeautifulSoup((await ds.client.get("/", cookies=alice)).text, "html.parser")
    heading = page.find("a", href="/private").parent
    assert heading.find("span", {"class": "private"}) is not None
    assert page.find("a", href="/public").parent.find("span", {"class": "private"}) is None
    database_page = BeautifulSoup((await ds.client.get("/private", cookies=alice)).text, "html.parser")
    assert database_page.find("h1").find("span", {"class": "private"}) is not None


@pytest.mark.asyncio
async def test_private_database_tables_follow_the_database(make_ds):
    ds = make_ds(config=PRIVATE_CONFIG)
    for path in ("/private/secrets", "/private/secrets.json", "/private/secrets/1.json"):
        assert (await ds.client.get(path)).status_code == 403, path
    response = await ds.client.get("/private/secrets.json", cookies=cookies_for(ds, ALICE))
    assert response.status_code == 200
    assert [row["secret"] for row in response.json()["rows"]] == ["s1", "s2"]


@pytest.mark.asyncio
@pytest.mark.parametrize("config,actor,action,resource,expected", [
    # instance-level allow
    ({"allow": {"id": "alice"}}, ALICE, "view-instance", None, True),
    ({"allow": {"id": "alice"}}, None, "view-instance", None, False),
    ({"allow": False}, ROOT, "view-instance", None, False),
    ({"allow": {}}, ALICE, "view-instance", None, False),
    ({"allow": None}, ALICE, "view-instance", None, None),
    # database, table and view allow blocks
    ({"databases": {"private": {"allow": {"id": "*"}}}}, BOB, "view-database", "private", True),
    ({"databases": {"private": {"allow": {"id": "*"}}}}, None, "view-database", "private", False),
    ({"databases": {"private": {"tables": {"secrets": {"allow": {"id": "bob"}}}}}}, BOB,
     "view-table", ("private", "secrets"), True),
    ({"databases": {"private": {"tables": {"secrets": {"allow": {"id": "bob"}}}}}}, ALICE,
     "view-table", ("private", "secrets"), False),
    ({"databases": {"private": {"tables": {"secrets": {"allow": {"id": "bob"}}}}}}, ALICE,
     "view-table", ("private", "notes"), None),
    ({"databases": {"private": {"tables": {"secret_view": {"allow": False}}}}}, ALICE,
     "view-table", ("private", "secret_view"), False),
    # allow_sql at database level wins over instance level
    ({"allow_sql": {"id": "alice"}}, ALICE, "execute-sql", "public", True),
    ({"allow_sql": {"id": "alice"}}, BOB, "execute-sql", "public", False),
    ({"allow_sql": False, "databases": {"public": {"allow_sql": {"id": "bob"}}}}, BOB,
     "execute-sql", "public", True),
    ({"allow_sql": False, "databases": {"public": {"allow_sql": {"id": "bob"}}}}, BOB,
     "execute-sql", "private", False),
    # unauthenticated
    ({"allow": {"unauthenticated": True}}, None, "view-instance", None, True),
    ({"allow": {"unauthenticated": True}}, ALICE, "view-instance", None, False),
])
async def test_allow_blocks(make_ds, config, actor, action, resource, expected):
    ds = make_ds(config=config)
    await ds.invoke_startup()
    assert await ds.permission_allowed(actor, action, resource, default=None) is expected


@pytest.mark.asyncio
async def test_canned_query_allow_block(make_ds):
    ds = make_ds(config={"databases": {"public": {"queries": {
        "open": "select 1", "closed": {"sql": "select 2", "allow": {"id": "alice"}}}}}})
    await ds.invoke_startup()
    assert await ds.permission_allowed(ALICE, "view-query", ("public", "closed")) is True
    assert await ds.permission_allowed(BOB, "view-query", ("public", "closed")) is False
    assert await ds.permission_allowed(None, "view-query", ("public", "open"), default=None) is None
    assert await ds.permission_allowed(None, "view-query", ("public", "missing"), default=None) is None


@pytest.mark.asyncio
async def test_permissions_blocks_at_every_level(make_ds):
    ds = make_ds(config={
        "permissions": {"debug-menu": {"id": "alice"}},
        "databases": {"public": {
            "permissions": {"create-table": {"id": "bob"}},
            "tables": {"items": {"permissions": {"insert-row": {"id": "bob"}}}},
            "queries": {"q": {"sql": "select 1", "permissions": {"view-query": {"id": "bob"}}}},
        }},
    })
    await ds.invoke_startup()
    assert await ds.permission_allowed(ALICE, "debug-menu") is True
    assert await ds.permission_allowed(BOB, "debug-menu") is False
    assert await ds.permission_allowed(BOB, "create-table", "public") is True
    assert await ds.permission_allowed(BOB, "create-table", "private") is False
    assert await ds.permission_allowed(BOB, "insert-row", ("public", "items")) is True
    assert await ds.permission_allowed(BOB, "insert-row", ("public", "has/slash")) is False
    assert await ds.permission_allowed(ALICE, "insert-row", ("public", "items")) is False
    assert await ds.permission_allowed(BOB, "view-query", ("public", "q")) is True
    assert await ds.permission_allowed(ALICE, "view-query", ("public", "q")) is False
    # custom actions of other plugins work the same way
    ds.config = {"permissions": {"my-plugin-action": {"id": "alice"}}}
    assert await ds.permission_allowed(ALICE, "my-plugin-action", default=False) is True
    assert await ds.permission_allowed(BOB, "my-plugin-action", default=True) is False


@pytest.mark.asyncio
async def test_instance_permissions_block_decides_before_database_block(make_ds):
    ds = make_ds(config={"permissions": {"insert-row": {"id": "alice"}},
                         "databases": {"public": {"permissions": {"insert-row": {"id": "bob"}}}}})
    await ds.invoke_startup()
    assert await ds.permission_allowed(ALICE, "insert-row", ("public", "items")) is True
    assert await ds.permission_allowed(BOB, "insert-row", ("public", "items")) is False


@pytest.mark.asyncio
@pytest.mark.parametrize("block", [False, {}])
async def test_false_or_empty_permissions_block_denies(make_ds, block):
    # upstream 1.0a19 ignored these (so the default allowed); here a present block decides
    ds = make_ds(config={"permissions": {"view-instance": block}})
    await ds.invoke_startup()
    assert await ds.permission_allowed(ALICE, "view-instance") is False
    assert (await ds.client.get("/.json", cookies=cookies_for(ds, ALICE))).status_code == 403


@pytest.mark.asyncio
async def test_root_powers_and_their_limits(make_ds):
    ds = make_ds(config={"allow": {"id": "alice"}, "permissions": {"insert-row": False}})
    await ds.invoke_startup()
    assert await ds.permission_allowed(ROOT, "view-instance") is False  # allow blocks bind root
    assert await ds.permission_allowed(ROOT, "insert-row", ("public", "items")) is True
    assert await ds.permission_allowed(ROOT, "permissions-debug") is True
    assert await ds.permission_allowed({"id": "ROOT"}, "permissions-debug") is False


@pytest.mark.asyncio
@pytest.mark.parametrize("resource", [("private",), ("private", "secrets", "extra"), (), ["private", "notes"],
                                      ("private", None), 5, {"db": "private"}])
async def test_odd_resources_never_raise(make_ds, resource):
    ds = make_ds(config={"databases": {"private": {"allow": False, "tables": {"notes": {"allow": False}}}}})
    await ds.invoke_startup()
    for action in ("view-instance", "view-database", "view-table", "view-query", "execute-sql", "insert-row"):
        assert await ds.permission_allowed(ALICE, action, resource) in (True, False, None)


@pytest.mark.asyncio
async def test_tables_views_and_queries_are_hidden_and_forbidden(make_ds):
    ds = make_ds(config={"databases": {"private": {
        "tables": {"secrets": {"allow": {"id": "alice"}}, "secret_view": {"allow": {"id": "alice"}}},
        "queries": {"q_open": "select 1", "q_closed": {"sql": "select 2", "allow": {"id": "alice"}}},
    }}})
    alice = cookies_for(ds, ALICE)
    anonymous = (await ds.client.get("/private.json")).json()
    assert [t["name"] for t in anonymous["tables"]] == ["notes"]
    assert anonymous["views"] == []
    assert [q["name"] for q in anonymous["queries"]] == ["q_open"]
    index = (await ds.client.get("/.json")).json()["databases"]["private"]
    assert [t["name"] for t in index["tables_and_views_truncated"]] == ["notes"]
    for path in ("/private/secrets.json", "/private/secret_view.json", "/private/q_closed.json",
                 "/private/secrets/1.json"):
        assert (await ds.client.get(path)).status_code == 403, path
    seen = (await ds.client.get("/private.json", cookies=alice)).json()
    assert {t["name"]: t["private"] for t in seen["tables"]} == {"secrets": True, "notes": False}
    assert seen["views"] == [{"name": "secret_view", "private": True}]
    assert {q["name"]: q["private"] for q in seen["queries"]} == {"q_open": False, "q_closed": True}
    for path in ("/private/secrets.json", "/private/secret_view.json", "/private/q_closed.json"):
        assert (await ds.client.get(path, cookies=alice)).status_code == 200, path


@pytest.mark.asyncio
async def test_allow_sql_controls_arbitrary_queries(make_ds):
    ds = make_ds(config={"databases": {"public": {"allow_sql": {"id": "alice"}}}})
    assert (await ds.client.get("/public/-/query.json?sql=select+1")).status_code == 403
    assert (await ds.client.get("/public.json")).json()["allow_execute_sql"] is False
    alice = cookies_for(ds, ALICE)
    response = await ds.client.get("/public/-/query.json?sql=select+1+as+one", cookies=alice)
    assert response.status_code == 200 and response.json()["rows"] == [{"one": 1}]
    assert (await ds.client.get("/public.json", cookies=alice)).json()["allow_execute_sql"] is True
    # other databases keep the default
    assert (await ds.client.get("/private/-/query.json?sql=select+1")).status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize("config", [
    {"allow_sql": True, "databases": {"private": {"allow": {"id": "alice"}}}},
    {"databases": {"private": {"allow": {"id": "alice"}, "allow_sql": True}}},
    {"permissions": {"execute-sql": True}, "databases": {"private": {"allow": {"id": "alice"}}}},
    {"allow": {"id": "alice"}, "allow_sql": True},
])
async def test_allow_sql_never_opens_a_hidden_database(make_ds, config):
    # upstream 1.0a19 served these queries to anyone
    ds = make_ds(config=config)
    path = "/private/-/query.json?sql=select+*+from+secrets"
    assert (await ds.client.get(path)).status_code == 403
    assert (await ds.client.get(path, cookies=cookies_for(ds, BOB))).status_code == 403
    response = await ds.client.get(path, cookies=cookies_for(ds, ALICE))
    assert response.status_code == 200 and len(response.json()["rows"]) == 2
