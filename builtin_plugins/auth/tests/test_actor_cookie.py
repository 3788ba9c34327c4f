"""The signed ds_actor cookie: who it identifies, and what it never lets through."""
from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeSerializer

from datasette.utils import baseconv
from datasette.utils.asgi import Response


async def actor_for(ds, cookie: str):
    # a raw header, so cookies that httpx would refuse to encode get through too
    response = await ds.client.get("/-/actor.json", headers={"cookie": f"ds_actor={cookie}".encode("utf-8")})
    assert response.status_code == 200
    return response.json()["actor"]


@pytest.mark.asyncio
async def test_cookie_identifies_the_actor(make_ds):
    ds = make_ds()
    actor = {"id": "alice", "roles": ["staff"]}
    assert await actor_for(ds, ds.client.actor_cookie(actor)) == actor
    assert await actor_for(ds, ds.sign({"a": actor}, "actor")) == actor


@pytest.mark.asyncio
async def test_cookie_expiry(make_ds):
    ds = make_ds()
    future = baseconv.base62.encode(int(time.time()) + 600)
    past = baseconv.base62.encode(int(time.time()) - 1)
    assert await actor_for(ds, ds.sign({"a": {"id": "a"}, "e": future}, "actor")) == {"id": "a"}
    assert await actor_for(ds, ds.sign({"a": {"id": "a"}, "e": past}, "actor")) is None


@pytest.mark.asyncio
@pytest.mark.parametrize("make_cookie", [
    lambda ds: "garbage",
    lambda ds: "",
    lambda ds: "é.ü",
    lambda ds: ds.client.actor_cookie({"id": "alice"})[:-2] + "xx",                     # tampered signature
    lambda ds: URLSafeSerializer("another-secret", "actor").dumps({"a": {"id": "alice"}}),  # other secret
    lambda ds: ds.sign({"a": {"id": "alice"}}, "token"),                                  # wrong namespace
    lambda ds: ds.sign({"a": {"id": "alice"}, "e": "!!!"}, "actor"),                      # malformed expiry
    lambda ds: ds.sign({"a": {"id": "alice"}, "e": 12345}, "actor"),
    lambda ds: ds.sign({"actor": {"id": "alice"}}, "actor"),                              # no "a"
    lambda ds: ds.sign({"a": "alice"}, "actor"),                                          # actor not an object
    lambda ds: ds.sign(["a", {"id": "alice"}], "actor"),
], ids=["garbage", "empty", "non-ascii", "tampered", "other-secret", "other-namespace", "bad-expiry",
        "int-expiry", "no-actor", "string-actor", "list-payload"])
async def test_bad_cookies_mean_anonymous(make_ds, make_cookie):
    ds = make_ds(config={"databases": {"data": {"allow": {"id": "alice"}}}})
    cookie = make_cookie(ds)
    assert await actor_for(ds, cookie) is None
    response = await ds.client.get("/data.json", headers={"cookie": f"ds_actor={cookie}".encode("utf-8")})
    assert response.status_code == 403


@pytest.mark.asyncio
async def test_cookie_header_that_is_not_utf8(make_ds):
    ds = make_ds()
    response = await ds.client.get("/-/actor.json", headers={"cookie": b"ds_actor=\xff\xfe"})
    assert response.status_code == 200 and response.json() == {"actor": None}
    posted = await ds.client.post("/-/logout", headers={"cookie": b"ds_actor=\xff\xfe"})
    assert posted.status_code == 403  # the CSRF check cannot read it: refused, not a 500


@pytest.mark.asyncio
async def test_set_and_delete_actor_cookie(make_ds):
    ds = make_ds()
    response = Response.text("ok")
    ds.set_actor_cookie(response, {"id": "bob"})
    header = response._set_cookie_headers[0]
    assert header.startswith("ds_actor=") and "HttpOnly" in header and "Path=/" in header
    value = header.split(";")[0].split("=", 1)[1]
    assert ds.unsign(value, "actor") == {"a": {"id": "bob"}}
    assert await actor_for(ds, value) == {"id": "bob"}

    expiring = Response.text("ok")
    ds.set_actor_cookie(expiring, {"id": "bob"}, expire_after=60)
    payload = ds.unsign(expiring._set_cookie_headers[0].split(";")[0].split("=", 1)[1], "actor")
    assert abs(baseconv.base62.decode(payload["e"]) - (time.time() + 60)) < 5

    cleared = Response.text("ok")
    ds.delete_actor_cookie(cleared)
    assert cleared._set_cookie_headers[0].startswith('ds_actor=""') and "Max-Age=0" in cleared._set_cookie_headers[0]


@pytest.mark.asyncio
async def test_methods_vanish_with_the_plugin(make_ds):
    ds = make_ds(disabled_plugins=["auth"])
    with pytest.raises(AttributeError):
        ds.set_actor_cookie
    assert await actor_for(ds, ds.client.actor_cookie({"id": "alice"})) is None
    assert (await ds.client.get("/-/logout")).status_code == 404
