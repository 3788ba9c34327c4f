"""The default magic parameters: each prefix, directly and through a canned query."""
from __future__ import annotations

import datetime
import re
import sqlite3

import pytest

from datasette.app import Datasette
from datasette.utils.asgi import Request
from datasette_builtins.magic_parameters import register_magic_parameters
from datasette_builtins.magic_parameters.magic import actor, cookie, header, now, random


def make_request(headers=None, actor_dict=None) -> Request:
    request = Request.fake("/fixtures/q")
    request.scope["headers"] = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    request.scope["actor"] = actor_dict
    return request


def test_hook_returns_every_prefix():
    assert [prefix for prefix, _ in register_magic_parameters(None)] == ["header", "actor", "cookie", "now", "random"]


def test_header_underscores_become_hyphens_and_missing_is_empty():
    request = make_request({"User-Agent": "agent/1", "X-Custom-Thing": "yes"})
    assert header("user_agent", request) == "agent/1"
    assert header("x_custom_thing", request) == "yes"
    assert header("not_sent", request) == ""


def test_actor_keys():
    assert actor("id", make_request(actor_dict={"id": "simon", "name": "Simon"})) == "simon"
    assert actor("name", make_request(actor_dict={"id": "simon", "name": "Simon"})) == "Simon"
    with pytest.raises(KeyError):
        actor("id", make_request())
    with pytest.raises(KeyError):
        actor("email", make_request(actor_dict={"id": "simon"}))


def test_cookie():
    request = make_request({"Cookie": "flavour=mint; other=1"})
    assert cookie("flavour", request) == "mint"
    with pytest.raises(KeyError):
        cookie("missing", request)


def test_now_formats():
    request = make_request()
    before = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    epoch = now("epoch", request)
    assert isinstance(epoch, int) and before <= epoch <= before + 2
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert now("date_utc", request) == today
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", now("datetime_utc", request))
    assert now("datetime_utc", request).startswith(today)
    with pytest.raises(KeyError):
        now("tomorrow", request)


def test_random_chars():
    request = make_request()
    values = {random("chars_12", request) for _ in range(5)}
    assert len(values) == 5
    assert all(len(v) == 12 and re.fullmatch(r"[A-Za-z0-9_-]+", v) for v in values)
    assert random("chars_0", request) == ""
    for bad in ("chars_x", "chars", "bytes_5", "chars_-1"):
        with pytest.raises(KeyError):
            random(bad, request)


@pytest.mark.asyncio
@pytest.mark.parametrize("disabled", [False, True])
async def test_through_a_canned_query(tmp_path, disabled):
    path = tmp_path / "data.db"
    sqlite3.connect(path).close()
    queries = {"q": "select :_header_user_agent as ua, :_now_date_utc as d, :_random_chars_4 as r"}
    ds = Datasette([str(path)], config={"databases": {"data": {"queries": queries}}},
                   disabled_plugins=["magic_parameters"] if disabled else [])
    try:
        response = await ds.client.get("/data/q.json", headers={"User-Agent": "tester"})
        assert response.status_code == 200, response.text
        row = response.json()["rows"][0]
        if disabled:  # no plugin claims the prefixes: they bind NULL
            assert row == {"ua": None, "d": None, "r": None}
        else:
            assert row["ua"] == "tester"
            assert row["d"] == datetime.datetime.now(datetime.timezone.utc).date().isoformat()
            assert len(row["r"]) == 4
    finally:
        ds.close()
