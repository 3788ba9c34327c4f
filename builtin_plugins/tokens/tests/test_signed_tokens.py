"""dstok_ tokens: their exact format, Bearer authentication, and everything that is not a valid token."""
from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeSerializer

from .conftest import bearer


async def actor_for(ds, token: str):
    response = await ds.client.get("/-/actor.json", headers=bearer(token))
    assert response.status_code == 200
    return response.json()["actor"]


@pytest.mark.asyncio
async def test_token_format(make_ds):
    ds = make_ds(secret="sekrit")
    await ds.invoke_startup()
    before = int(time.time())
    token = ds.create_token("alice", expires_after=3600, restrict_all=["view-instance", "custom-action"],
                            restrict_database={"data": ["insert-row", "view-table"]},
                            restrict_resource={"data": {"items": ["update-row"]}})
    assert token.startswith("dstok_")
    payload = URLSafeSerializer("sekrit", "token").loads(token[len("dstok_"):])
    assert list(payload) == ["a", "t", "d", "_r"]
    assert payload["a"] == "alice" and payload["d"] == 3600 and before <= payload["t"] <= time.time()
    assert payload["_r"] == {"a": ["vi", "custom-action"], "d": {"data": ["ir", "vt"]},
                             "r": {"data": {"items": ["ur"]}}}
    plain = URLSafeSerializer("sekrit", "token").loads(ds.create_token("bob")[len("dstok_"):])
    assert list(plain) == ["a", "t"]


@pytest.mark.asyncio
async def test_bearer_token_authenticates(make_ds):
    ds = make_ds()
    await ds.invoke_startup()
    assert await actor_for(ds, ds.create_token("alice")) == {"id": "alice", "token": "dstok"}
    token = ds.create_token("alice", expires_after=100, restrict_all=["vi"])
    actor = await actor_for(ds, token)
    created = ds.unsign(token[len("dstok_"):], "token")["t"]
    assert actor == {"id": "alice", "token": "dstok", "_r": {"a": ["vi"]}, "token_expires": created + 100}


@pytest.mark.asyncio
@pytest.mark.parametrize("make_token", [
    lambda ds: "dstok_" + URLSafeSerializer("other-secret", "token").dumps({"a": "root", "t": int(time.time())}),
    lambda ds: ds.create_token("alice")[:-3] + "abc",                                # edited signature
    lambda ds: "dstok_" + ds.sign({"a": "root", "t": int(time.time())}, "default"),  # wrong namespace
    lambda ds: "dstok_" + ds.sign({"a": "root", "t": int(time.time()) - 100, "d": 10}, "token"),  # expired
    lambda ds: "dstok_" + ds.sign({"a": "root", "t": "now"}, "token"),             # non-int t
    lambda ds: "dstok_" + ds.sign({"a": "root", "t": True}, "token"),
    lambda ds: "dstok_" + ds.sign({"a": "root"}, "token"),                         # no t
    lambda ds: "dstok_" + ds.sign({"t": int(time.time())}, "token"),               # no a
    lambda ds: "dstok_" + ds.sign({"a": {"id": "root"}, "t": int(time.time())}, "token"),
    lambda ds: "dstok_" + ds.sign({"a": "root", "t": int(time.time()), "d": "1h"}, "token"),
    lambda ds: "dstok_" + ds.sign(["root"], "token"),
    lambda ds: ds.create_token("alice")[len("dstok_"):],                          # no prefix
    lambda ds: "dstok_not-a-token",
    lambda ds: "dstok_",
])
async def test_invalid_tokens_are_anonymous(make_ds, make_token):
    ds = make_ds(config={"databases": {"data": {"allow": {"id": "root"}}}})
    await ds.invoke_startup()
    token = make_token(ds)
    assert await actor_for(ds, token) is None
    response = await ds.client.get("/data.json", headers=bearer(token))
    assert response.status_code == 403


@pytest.mark.asyncio
async def test_hand_edited_payload_is_anonymous(make_ds):
    import base64
    import json

    ds = make_ds()
    await ds.invoke_startup()
    token = ds.create_token("alice")
    body, signature = token[len("dstok_"):].rsplit(".", 1)
    edited = json.dumps({"a": "root", "t": int(time.time())}, separators=(",", ":")).encode()
    forged = "dstok_" + base64.urlsafe_b64encode(edited).decode().rstrip("=") + "." + signature
    assert await actor_for(ds, forged) is None


@pytest.mark.asyncio
async def test_authorization_header_variants(make_ds):
    ds = make_ds()
    await ds.invoke_startup()
    token = ds.create_token("alice")
    for header in (f"bearer {token}", f"Token {token}", token, f"Bearer  {token}"):
        response = await ds.client.get("/-/actor.json", headers={"Authorization": header})
        assert response.json() == {"actor": None}, header


@pytest.mark.asyncio
async def test_allow_signed_tokens_off(make_ds):
    ds = make_ds(settings={"allow_signed_tokens": False})
    await ds.invoke_startup()
    assert await actor_for(ds, ds.create_token("alice")) is None


@pytest.mark.asyncio
async def test_max_signed_tokens_ttl(make_ds):
    ds = make_ds(settings={"max_signed_tokens_ttl": 10})
    await ds.invoke_startup()
    created = int(time.time())
    forever = "dstok_" + ds.sign({"a": "alice", "t": created}, "token")
    assert (await actor_for(ds, forever))["token_expires"] == created + 10
    long = "dstok_" + ds.sign({"a": "alice", "t": created, "d": 1000}, "token")
    assert (await actor_for(ds, long))["token_expires"] == created + 10
    short = "dstok_" + ds.sign({"a": "alice", "t": created, "d": 5}, "token")
    assert (await actor_for(ds, short))["token_expires"] == created + 5
    old = "dstok_" + ds.sign({"a": "alice", "t": created - 60}, "token")
    assert await actor_for(ds, old) is None


@pytest.mark.asyncio
async def test_bearer_token_beats_cookie(make_ds):
    ds = make_ds()
    await ds.invoke_startup()
    response = await ds.client.get("/-/actor.json", headers=bearer(ds.create_token("alice")),
                                   cookies={"ds_actor": ds.client.actor_cookie({"id": "bob"})})
    assert response.json()["actor"]["id"] == "alice"


@pytest.mark.asyncio
async def test_restricted_token_reads_one_table_only(make_ds):
    ds = make_ds(config={"databases": {"data": {"queries": {"q": "select 1 as one"}}}})
    await ds.invoke_startup()
    token = ds.create_token("alice", restrict_resource={"data": {"items": ["view-table"]}})
    headers = bearer(token)
    response = await ds.client.get("/data/items.json", headers=headers)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["rows"]] == ["a", "b"]
    assert (await ds.client.get("/data/items/1.json", headers=headers)).status_code == 200
    database = await ds.client.get("/data.json", headers=headers)
    assert database.status_code == 200
    assert [t["name"] for t in database.json()["tables"]] == ["items"]
    for path in ("/data/other.json", "/data/other", "/data/other/1.json", "/data/q.json",
                 "/data/-/query.json?sql=select+1", "/data/odd~3Aname~2Fx.json"):
        response = await ds.client.get(path, headers=headers)
        assert response.status_code == 403, path
    # the same actor without the token is not restricted
    unrestricted = bearer(ds.create_token("alice"))
    assert (await ds.client.get("/data/other.json", headers=unrestricted)).status_code == 200


@pytest.mark.asyncio
async def test_restrictions_cannot_widen(make_ds):
    ds = make_ds(config={"databases": {"data": {"allow": {"id": "bob"}}}})
    await ds.invoke_startup()
    token = ds.create_token("alice", restrict_all=["view-database", "view-table", "insert-row"])
    assert (await ds.client.get("/data.json", headers=bearer(token))).status_code == 403
    actor = {"id": "alice", "token": "dstok", "_r": {"a": ["ir"]}}
    assert await ds.permission_allowed(actor, "insert-row", ("data", "items")) is False


@pytest.mark.asyncio
async def test_a_remembered_token_still_expires(make_ds):
    """Verified signatures are remembered, but expiry is checked on every request."""
    from datasette_builtins.tokens.signed import _verified, actor_from_token

    ds = make_ds()
    await ds.invoke_startup()
    created = int(time.time())
    token = "dstok_" + ds.sign({"a": "alice", "t": created, "d": 60}, "token")
    assert actor_from_token(ds, token, now=created + 1)["id"] == "alice"
    assert token in _verified[ds]
    assert actor_from_token(ds, token, now=created + 61) is None  # remembered, and expired
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert actor_from_token(ds, forged, now=created + 1) is None
    assert forged not in _verified[ds]  # only tokens whose signature checked out are kept
