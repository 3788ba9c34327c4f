"""The /-/create-token page and the ``datasette create-token`` command."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from datasette.cli import cli

from .conftest import bearer


async def form_post(ds, cookies, data):
    page = await ds.client.get("/-/create-token", cookies=cookies)
    assert page.status_code == 200
    token = page.cookies["ds_csrftoken"]
    return await ds.client.post("/-/create-token", data={**data, "csrftoken": token},
                                cookies={**cookies, "ds_csrftoken": token})


def created_token(response) -> str:
    soup = BeautifulSoup(response.text, "html.parser")
    return soup.find("input", {"class": "copyable"})["value"]


@pytest.mark.asyncio
async def test_create_token_form(make_ds):
    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    response = await ds.client.get("/-/create-token", cookies=cookies)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    names = [i["name"] for i in soup.select("#restrict-permissions input[type=checkbox]")]
    assert "all:view-instance" in names and "all:drop-table" in names
    assert "database:data:create-table" in names and "database:data:view-instance" not in names
    assert "resource:data:items:insert-row" in names and "resource:data:items:create-table" not in names
    assert "resource:data:odd~3Aname~2Fx:view-table" in names
    assert "with the same abilities as your current user, alice" in soup.text


@pytest.mark.asyncio
async def test_create_token_form_lists_only_what_the_actor_can_see(make_ds):
    ds = make_ds(config={"databases": {"data": {"tables": {"other": {"allow": {"id": "bob"}}}}}})
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    soup = BeautifulSoup((await ds.client.get("/-/create-token", cookies=cookies)).text, "html.parser")
    assert [h.text for h in soup.select("#restrict-permissions h3")] == ["data: items", "data: odd:name/x"]
    hidden = make_ds(config={"databases": {"data": {"allow": False}}})
    soup = BeautifulSoup((await hidden.client.get("/-/create-token", cookies=cookies)).text, "html.parser")
    assert soup.select("#restrict-permissions h3") == []
    assert "database:data:view-table" not in str(soup)


@pytest.mark.asyncio
async def test_create_token_post(make_ds, recorder):
    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    response = await form_post(ds, cookies, {
        "expire_type": "hours", "expire_duration": "2", "all:view-instance": "on",
        "database:data:insert-row": "on", "resource:data:odd~3Aname~2Fx:view-table": "on"})
    assert response.status_code == 200
    token = created_token(response)
    payload = ds.unsign(token[len("dstok_"):], "token")
    assert payload["a"] == "alice" and payload["d"] == 7200
    assert payload["_r"] == {"a": ["vi"], "d": {"data": ["ir"]}, "r": {"data": {"odd:name/x": ["vt"]}}}
    details = BeautifulSoup(response.text, "html.parser").select_one("section.content details pre").text
    assert json.loads(details) == payload
    actor = (await ds.client.get("/-/actor.json", headers=bearer(token))).json()["actor"]
    assert actor["id"] == "alice" and actor["token"] == "dstok"
    assert len(recorder.events) == 1
    event = recorder.events[0]
    assert (event.name, event.actor, event.expires_after) == ("create-token", {"id": "alice"}, 7200)
    assert event.restrict_all == ["view-instance"]
    assert event.restrict_database == {"data": ["insert-row"]}
    assert event.restrict_resource == {"data": {"odd:name/x": ["view-table"]}}


@pytest.mark.asyncio
async def test_token_that_never_expires(make_ds):
    ds = make_ds()
    response = await form_post(ds, {"ds_actor": ds.client.actor_cookie({"id": "alice"})}, {"expire_type": ""})
    payload = ds.unsign(created_token(response)[len("dstok_"):], "token")
    assert list(payload) == ["a", "t"]


@pytest.mark.asyncio
@pytest.mark.parametrize("data,error", [
    ({"expire_type": "minutes", "expire_duration": "x"}, "Invalid expire duration"),
    ({"expire_type": "minutes", "expire_duration": "-3"}, "Invalid expire duration"),
    ({"expire_type": "minutes", "expire_duration": "0"}, "Invalid expire duration"),
    ({"expire_type": "minutes"}, "Invalid expire duration"),
    ({"expire_type": "weeks", "expire_duration": "3"}, "Invalid expire duration unit"),
])
async def test_bad_expiry_creates_no_token(make_ds, recorder, data, error):
    ds = make_ds()
    response = await form_post(ds, {"ds_actor": ds.client.actor_cookie({"id": "alice"})}, data)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert [p.text for p in soup.select("p.message-error")] == [error]
    assert soup.find("input", {"class": "copyable"}) is None
    assert recorder.events == []


@pytest.mark.asyncio
@pytest.mark.parametrize("actor,settings,message", [
    (None, {}, "You must be logged in to create a token"),
    ({"name": "x"}, {}, "You must be logged in as an actor with an ID to create a token"),
    ({"id": "x", "token": "dstok"}, {}, "Token authentication cannot be used to create additional tokens"),
    ({"id": "x"}, {"allow_signed_tokens": False}, "Signed tokens are not enabled for this Datasette instance"),
])
async def test_create_token_forbidden(make_ds, actor, settings, message):
    ds = make_ds(settings=settings)
    cookies = {"ds_actor": ds.client.actor_cookie(actor)} if actor else {}
    for method in ("GET", "POST"):
        response = await ds.client.request(method, "/-/create-token", cookies=cookies)
        assert response.status_code == 403
        if method == "GET":
            assert message in response.text


@pytest.mark.asyncio
async def test_token_authenticated_actor_cannot_create_tokens(make_ds):
    ds = make_ds()
    await ds.invoke_startup()
    response = await ds.client.get("/-/create-token", headers=bearer(ds.create_token("alice")))
    assert response.status_code == 403


def test_cli_create_token():
    result = CliRunner().invoke(cli, ["create-token", "root", "--secret", "sekrit", "-e", "60",
                                      "-a", "view-instance", "-a", "bogus", "-d", "db1", "insert-row",
                                      "-r", "db1", "t1", "vt", "--debug"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    token = lines[0]
    assert token.startswith("dstok_")
    assert lines[1:4] == ["", "Decoded:", ""]
    decoded = json.loads("\n".join(lines[4:]))
    assert decoded == {"a": "root", "t": decoded["t"], "d": 60,
                       "_r": {"a": ["vi", "bogus"], "d": {"db1": ["ir"]}, "r": {"db1": {"t1": ["vt"]}}}}
    from itsdangerous import URLSafeSerializer
    assert URLSafeSerializer("sekrit", "token").loads(token[len("dstok_"):]) == decoded
    assert result.stderr == "  Unknown permission: bogus \n"


def test_cli_create_token_needs_secret(monkeypatch):
    monkeypatch.delenv("DATASETTE_SECRET", raising=False)
    result = CliRunner().invoke(cli, ["create-token", "root"])
    assert result.exit_code == 2 and "--secret" in result.output
    monkeypatch.setenv("DATASETTE_SECRET", "from-env")
    result = CliRunner().invoke(cli, ["create-token", "root"])
    from itsdangerous import URLSafeSerializer
    assert URLSafeSerializer("from-env", "token").loads(result.stdout.strip()[len("dstok_"):])["a"] == "root"


def test_cli_create_token_plugins_dir(tmp_path):
    (tmp_path / "perms.py").write_text(
        "from datasette import hookimpl, Permission\n"
        "@hookimpl\n"
        "def register_permissions(datasette):\n"
        "    return [Permission('my-action', 'ma', 'Mine', False, False, False)]\n")
    from datasette.plugins import pm

    try:
        result = CliRunner().invoke(cli, ["create-token", "root", "--secret", "s", "-a", "my-action",
                                          "--plugins-dir", str(tmp_path), "--debug"])
    finally:  # the plugins-dir module joined the process-wide plugin manager
        if pm.get_plugin("perms.py") is not None:
            pm.unregister(name="perms.py")
    assert result.exit_code == 0, result.output
    assert '"ma"' in result.stdout and "Unknown permission" not in result.stderr
