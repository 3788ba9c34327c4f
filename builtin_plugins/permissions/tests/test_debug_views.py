"""/-/permissions, /-/allow-debug, /-/messages and the debug menu."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from .conftest import cookies_for

ROOT = {"id": "root"}


async def post_form(ds, path, data, actor=ROOT):
    """A form POST carrying a valid CSRF token, as a browser would send it."""
    cookies = cookies_for(ds, actor)
    page = await ds.client.get("/-/messages", cookies=cookies)
    token = page.cookies.get("ds_csrftoken")
    if token:
        cookies["ds_csrftoken"] = token
        data = {**data, "csrftoken": token}
    return await ds.client.post(path, data=data, cookies=cookies)


@pytest.mark.asyncio
async def test_permissions_page_needs_permissions_debug(make_ds):
    ds = make_ds()
    assert (await ds.client.get("/-/permissions")).status_code == 403
    assert (await ds.client.get("/-/permissions", cookies=cookies_for(ds, {"id": "alice"}))).status_code == 403
    response = await ds.client.get("/-/permissions", cookies=cookies_for(ds, ROOT))
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    options = [o["value"] for o in soup.find("select", {"name": "permission"}).find_all("option")]
    assert len(options) == 14 and options[0] == "view-instance"
    registered = json.loads(soup.find_all("pre")[-1].text)
    assert registered[3] == {"name": "view-table", "abbr": "vt", "description": "View table",
                             "takes_database": True, "takes_resource": True, "default": True}
    actions = [span.text for span in soup.select(".check .check-action")]
    assert actions[:2] == ["permissions-debug", "view-instance"]  # newest first


@pytest.mark.asyncio
async def test_permissions_page_filters(make_ds):
    ds = make_ds(config={"databases": {"private": {"allow": {"id": "alice"}}}})
    await ds.client.get("/private.json", cookies=cookies_for(ds, {"id": "alice"}))
    root = cookies_for(ds, ROOT)
    everything = await ds.client.get("/-/permissions", cookies=root)
    assert "<strong>Resource:</strong> private" in everything.text
    mine = await ds.client.get("/-/permissions?filter=only-yours", cookies=root)
    others = await ds.client.get("/-/permissions?filter=exclude-yours", cookies=root)
    assert '{"id": "alice"}' not in mine.text and '{"id": "root"}' in mine.text
    assert '{"id": "alice"}' in others.text


@pytest.mark.asyncio
async def test_permissions_post_runs_a_check(make_ds):
    ds = make_ds(config={"databases": {"private": {"allow": {"id": "alice"}}}})
    response = await post_form(ds, "/-/permissions", {
        "actor": '{"id": "bob"}', "permission": "view-database", "resource_1": "private", "resource_2": ""})
    assert response.status_code == 200
    assert response.json() == {"actor": {"id": "bob"}, "permission": "view-database", "resource": "private",
                               "result": False, "default": True}
    response = await post_form(ds, "/-/permissions", {
        "actor": '{"id": "bob"}', "permission": "view-table", "resource_1": "public", "resource_2": "items"})
    assert response.json()["resource"] == ["public", "items"]
    assert response.json()["result"] == "USE_DEFAULT"
    response = await post_form(ds, "/-/permissions", {"actor": '{"id": "root"}', "permission": "debug-menu"})
    assert response.json() == {"actor": {"id": "root"}, "permission": "debug-menu", "resource": [],
                               "result": True, "default": False}


@pytest.mark.asyncio
@pytest.mark.parametrize("data,error", [
    ({"actor": "{not json", "permission": "view-instance"}, "Actor JSON error"),
    ({"actor": "[1, 2]", "permission": "view-instance"}, "Actor must be a JSON object or null"),
    ({"actor": "null", "permission": "no-such"}, "Unknown permission: no-such"),
    ({"actor": "null"}, "Unknown permission: "),
])
async def test_permissions_post_bad_input_is_400(make_ds, data, error):
    ds = make_ds()
    response = await post_form(ds, "/-/permissions", data)
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["error"].startswith(error)


@pytest.mark.asyncio
async def test_permissions_post_needs_permissions_debug(make_ds):
    ds = make_ds()
    response = await post_form(ds, "/-/permissions", {"actor": "null", "permission": "view-instance"},
                               actor={"id": "alice"})
    assert response.status_code == 403


@pytest.mark.asyncio
@pytest.mark.parametrize("actor,allow,expected", [
    ('{"id": "x"}', '{"id": ["x"]}', "Result: allow"),
    ('{"id": "y"}', '{"id": "x"}', "Result: deny"),
    ("null", '{"unauthenticated": true}', "Result: allow"),
    ("{bad", '{"id": "x"}', "Actor JSON error: "),
    ('{"id": "x"}', "[1]", "Invalid allow block: expected true, false"),
    ("5", '{"id": "x"}', "Actor must be a JSON object or null"),
])
async def test_allow_debug(make_ds, actor, allow, expected):
    ds = make_ds(config={"allow": False})  # no view-instance check, as upstream
    response = await ds.client.get("/-/allow-debug", params={"actor": actor, "allow": allow})
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    messages = [p.text for p in soup.select("p.message-info, p.message-error, p.message-warning")]
    assert len(messages) == 1 and messages[0].startswith(expected)
    assert soup.find("textarea", {"name": "allow"}) is not None


@pytest.mark.asyncio
async def test_allow_debug_defaults(make_ds):
    ds = make_ds()
    response = await ds.client.get("/-/allow-debug")
    soup = BeautifulSoup(response.text, "html.parser")
    assert json.loads(soup.find("textarea", {"name": "actor"}).text) == {"id": "root"}
    assert json.loads(soup.find("textarea", {"name": "allow"}).text) == {"id": "*"}
    assert "Result: allow" in response.text


@pytest.mark.asyncio
async def test_messages_debug(make_ds):
    ds = make_ds()
    page = await ds.client.get("/-/messages")
    assert page.status_code == 200 and 'name="message_type"' in page.text
    response = await post_form(ds, "/-/messages", {"message": "Hello <b>", "message_type": "all"})
    assert response.status_code == 302 and response.headers["location"] == "/"
    shown = await ds.client.get("/-/messages", cookies={"ds_messages": response.cookies["ds_messages"]})
    soup = BeautifulSoup(shown.text, "html.parser")
    assert [p["class"][0] for p in soup.select("p[class^=message-]")] == [
        "message-info", "message-warning", "message-error"]
    assert soup.select_one("p.message-info").text == "Hello <b>"
    bad = await post_form(ds, "/-/messages", {"message": "x", "message_type": "SHOUT"})
    assert bad.status_code == 400


@pytest.mark.asyncio
async def test_messages_debug_needs_view_instance(make_ds):
    ds = make_ds(config={"allow": False})
    assert (await ds.client.get("/-/messages", cookies=cookies_for(ds, ROOT))).status_code == 403


@pytest.mark.asyncio
async def test_debug_menu_for_actors_with_debug_menu(make_ds):
    ds = make_ds(config={"permissions": {"debug-menu": {"id": "alice"}}})
    for actor, shown in ((None, False), ({"id": "bob"}, False), ({"id": "alice"}, True), (ROOT, True)):
        soup = BeautifulSoup((await ds.client.get("/-/allow-debug", cookies=cookies_for(ds, actor))).text,
                             "html.parser")
        labels = [a.text for a in soup.select(".nav-menu-inner a")]
        assert ("Debug permissions" in labels) is shown, actor
        if shown:
            assert labels == ["Databases", "Installed plugins", "Version info", "Settings",
                              "Debug permissions", "Debug messages", "Debug allow rules",
                              "Debug threads", "Debug actor", "Pattern portfolio"]
