"""/-/logout and the one-time /-/auth-token root login."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


@pytest.mark.asyncio
async def test_root_token_works_once(make_ds, recorder):
    ds = make_ds()
    ds._root_token = "s3cret-token"
    response = await ds.client.get("/-/auth-token?token=s3cret-token")
    assert response.status_code == 302 and response.headers["location"] == "/"
    cookie = response.cookies["ds_actor"]
    assert ds.unsign(cookie, "actor") == {"a": {"id": "root"}}
    assert (await ds.client.get("/-/actor.json", cookies={"ds_actor": cookie})).json() == {"actor": {"id": "root"}}
    assert [(e.name, e.actor) for e in recorder.events] == [("login", {"id": "root"})]

    again = await ds.client.get("/-/auth-token?token=s3cret-token")
    assert again.status_code == 403
    assert "Root token has already been used" in again.text
    assert "ds_actor" not in again.cookies
    # already signed in as root: just go home
    home = await ds.client.get("/-/auth-token?token=whatever", cookies={"ds_actor": cookie})
    assert home.status_code == 302 and "ds_actor" not in home.cookies


@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["?token=wrong", "", "?token=", "?token=%C3%A9t%C3%A9", "?token=s3cret-token%00"])
async def test_wrong_root_token(make_ds, query):
    ds = make_ds()
    ds._root_token = "s3cret-token"
    response = await ds.client.get("/-/auth-token" + query)
    assert response.status_code == 403
    assert "Invalid token" in response.text
    assert ds._root_token == "s3cret-token"  # a wrong guess does not burn the token


@pytest.mark.asyncio
async def test_no_root_token_configured(make_ds):
    ds = make_ds()
    response = await ds.client.get("/-/auth-token?token=")
    assert response.status_code == 403 and "Root token has already been used" in response.text


@pytest.mark.asyncio
async def test_logout(make_ds, recorder):
    ds = make_ds()
    assert (await ds.client.get("/-/logout")).headers["location"] == "/"
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    page = await ds.client.get("/-/logout", cookies=cookies)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("h1").text == "Log out"
    assert "You are logged in as alice" in soup.find("section", {"class": "content"}).text
    token = page.cookies["ds_csrftoken"]
    form = soup.find("form", {"action": "/-/logout"})
    assert form.find("input", {"name": "csrftoken"})["value"] == token

    response = await ds.client.post("/-/logout", data={"csrftoken": token},
                                    cookies={**cookies, "ds_csrftoken": token})
    assert response.status_code == 302 and response.headers["location"] == "/"
    assert any(h.startswith('ds_actor=""') for h in response.headers.get_list("set-cookie"))
    assert ds.unsign(response.cookies["ds_messages"], "messages") == [["You are now logged out", ds.WARNING]]
    assert [(e.name, e.actor) for e in recorder.events] == [("logout", {"id": "alice"})]


@pytest.mark.asyncio
async def test_logout_without_csrf_token_is_refused(make_ds):
    ds = make_ds()
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    response = await ds.client.post("/-/logout", data={}, cookies=cookies)
    assert response.status_code == 403


@pytest.mark.asyncio
async def test_events_plugin_disabled_still_logs_in(make_ds, recorder):
    ds = make_ds(disabled_plugins=["events"])
    ds._root_token = "t"
    response = await ds.client.get("/-/auth-token?token=t")
    assert response.status_code == 302 and "ds_actor" in response.cookies
    assert recorder.events == []
