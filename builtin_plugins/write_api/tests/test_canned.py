"""Writable canned queries: POST /<db>/<query> with a form or JSON."""
from __future__ import annotations

import json

import pytest
import pytest_asyncio
from bs4 import BeautifulSoup

from .conftest import rows_of

QUERIES = {
    "add": {"sql": "insert into docs (title) values (:title)", "write": True},
    "add_msg": {"sql": "insert into docs (title) values (:title)", "write": True,
                "on_success_message": "Added!", "on_success_redirect": "/data/docs",
                "on_error_message": "Nope", "on_error_redirect": "/data?err=1"},
    "add_sql_msg": {"sql": "insert into docs (title) values (:title)", "write": True,
                    "on_success_message_sql": "select 'now ' || count(*) || ' rows, last ' || :title from docs"},
    "broken": {"sql": "insert into nope (title) values (:title)", "write": True},
    "retitle": {"sql": "update docs set title = :title", "write": True},
    "retitle_none": {"sql": "update docs set title = :title where id < 0", "write": True},
    "by_actor": {"sql": "insert into docs (title, age) values (:_actor_id, :_now_epoch)", "write": True},
    "docs": {"sql": "insert into docs (title) values ('shadowed')", "write": True},
    "read_only": "select * from docs",
    "private": {"sql": "insert into docs (title) values (:title)", "write": True, "allow": {"id": "admin"}},
}
CONFIG = {"databases": {"data": {"queries": QUERIES}}}


@pytest_asyncio.fixture
async def cds(make_ds):
    return await make_ds(config=CONFIG)


def messages(response, ds) -> list:
    cookie = response.cookies.get("ds_messages")
    return ds.unsign(cookie, "messages") if cookie else []


@pytest.mark.asyncio
async def test_form_post_runs_the_query_flashes_and_redirects(cds, db_path):
    response = await cds.client.post("/data/add", data={"title": "formed"})
    assert response.status_code == 302
    assert response.headers["location"] == "/data/add"
    assert messages(response, cds) == [["Query executed, 1 row affected", 1]]
    assert rows_of(db_path, "select title from docs where id = 3") == [("formed",)]


@pytest.mark.asyncio
async def test_the_flash_message_shows_on_the_next_page(cds):
    response = await cds.client.post("/data/add", data={"title": "formed"})
    page = await cds.client.get("/data/add", cookies={"ds_messages": response.cookies["ds_messages"]})
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("p", {"class": "message-info"}).text == "Query executed, 1 row affected"
    form = soup.find("form", {"class": "sql"})
    assert form["method"] == "post"


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["accept", "query_string", "form_field"])
async def test_json_response(cds, how):
    kwargs = {"data": {"title": "j"}}
    path = "/data/add"
    if how == "accept":
        kwargs["headers"] = {"accept": "application/json"}
    elif how == "query_string":
        path += "?_json=1"
    else:
        kwargs["data"]["_json"] = "1"
    response = await cds.client.post(path, **kwargs)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "Query executed, 1 row affected", "redirect": None}


@pytest.mark.asyncio
async def test_json_body(cds, db_path):
    response = await cds.client.post("/data/add", content=json.dumps({"title": "jsoned", "_json": 1}),
                                     headers={"content-type": "application/json"})
    assert response.json()["ok"] is True
    # values are bound as strings (upstream's behaviour)
    await cds.client.post("/data/add", content=json.dumps({"title": {"a": 1}}),
                          headers={"content-type": "application/json"})
    assert rows_of(db_path, "select title from docs where id > 2 order by id") == [("jsoned",), ("{'a': 1}",)]


@pytest.mark.asyncio
async def test_custom_messages_and_redirects(cds):
    response = await cds.client.post("/data/add_msg", data={"title": "m"})
    assert (response.status_code, response.headers["location"]) == (302, "/data/docs")
    assert messages(response, cds) == [["Added!", 1]]
    response = await cds.client.post("/data/add_msg", data={"title": "m", "_json": "1"})
    assert response.json() == {"ok": True, "message": "Added!", "redirect": "/data/docs"}
    response = await cds.client.post("/data/add_sql_msg", data={"title": "m", "_json": "1"})
    assert response.json() == {"ok": True, "message": "now 5 rows, last m", "redirect": None}


@pytest.mark.asyncio
async def test_errors(cds, db_path):
    response = await cds.client.post("/data/broken", data={"title": "m"})
    assert (response.status_code, response.headers["location"]) == (302, "/data/broken")
    assert messages(response, cds) == [["no such table: nope", 3]]
    response = await cds.client.post("/data/broken", data={"title": "m", "_json": "1"})
    assert response.json() == {"ok": False, "message": "no such table: nope", "redirect": None}
    response = await cds.client.post("/data/add", data={"_json": "1"})
    assert response.json() == {"ok": False, "message": "You did not supply a value for binding parameter :title.",
                               "redirect": None}
    response = await cds.client.post("/data/add_msg", data={})
    assert (response.headers["location"], messages(response, cds)) == ("/data?err=1", [["Nope", 3]])
    response = await cds.client.post("/data/add_msg", data={"_json": "1"})
    assert response.json() == {"ok": False, "message": "Nope", "redirect": "/data?err=1"}
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]


@pytest.mark.asyncio
async def test_rows_affected_count(cds):
    response = await cds.client.post("/data/retitle", data={"title": "all", "_json": "1"})
    assert response.json()["message"] == "Query executed, 2 rows affected"
    response = await cds.client.post("/data/retitle_none", data={"title": "all", "_json": "1"})
    assert response.json()["message"] == "Query executed, 0 rows affected"


@pytest.mark.asyncio
async def test_magic_parameters_cannot_be_overridden(cds, db_path):
    response = await cds.client.post("/data/by_actor", data={"_actor_id": "forged", "_json": "1"},
                                     headers={"x-actor": '{"id": "alice"}'})
    assert response.json()["ok"] is True
    [(title, age)] = rows_of(db_path, "select title, age from docs where id = 3")
    assert title == "alice" and isinstance(age, int) and age > 1_600_000_000
    response = await cds.client.post("/data/by_actor", data={"_json": "1"})
    assert response.json() == {"ok": False, "redirect": None,
                               "message": "You did not supply a value for binding parameter :_actor_id."}


@pytest.mark.asyncio
async def test_a_table_of_the_same_name_wins(cds, db_path):
    response = await cds.client.post("/data/docs", data={"title": "x"})
    assert response.status_code == 405
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]


@pytest.mark.asyncio
async def test_read_only_canned_query_post_is_405(cds):
    response = await cds.client.post("/data/read_only.json")
    assert response.status_code == 405


@pytest.mark.asyncio
async def test_view_query_permission(cds, db_path):
    response = await cds.client.post("/data/private", data={"title": "x"})
    assert response.status_code == 403
    response = await cds.client.post("/data/private", data={"title": "x", "_json": "1"},
                                     headers={"x-actor": '{"id": "admin"}'})
    assert response.json()["ok"] is True
    assert rows_of(db_path, "select title from docs where id = 3") == [("x",)]


@pytest.mark.asyncio
async def test_immutable_database(make_ds, db_path):
    ds = await make_ds(files=[], immutables=[db_path], config=CONFIG)
    response = await ds.client.post("/data/add", data={"title": "x"})
    assert response.status_code == 403
    assert "Database is immutable" in response.text
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]


@pytest.mark.asyncio
async def test_csrf_applies_to_cookie_authenticated_forms(cds, db_path):
    cookies = {"ds_actor": cds.client.actor_cookie({"id": "root"})}
    response = await cds.client.post("/data/add", data={"title": "no token"}, cookies=cookies)
    assert response.status_code == 403
    page = await cds.client.get("/data/add", cookies=cookies)
    csrftoken = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrftoken"})["value"]
    cookies["ds_csrftoken"] = page.cookies.get("ds_csrftoken") or csrftoken
    response = await cds.client.post("/data/add", data={"title": "with token", "csrftoken": csrftoken},
                                     cookies=cookies)
    assert response.status_code == 302
    assert rows_of(db_path, "select title from docs where id > 2") == [("with token",)]


@pytest.mark.asyncio
async def test_oversized_submission(make_ds):
    ds = await make_ds(config=CONFIG, settings={"max_post_body_bytes": 100})
    response = await ds.client.post("/data/add?_json=1", data={"title": "x" * 500})
    assert response.status_code == 413
    assert response.json() == {"ok": False, "message": "Request body too large, maximum allowed is 100 bytes",
                               "redirect": None}
    response = await ds.client.post("/data/add", data={"title": "x" * 500})
    assert messages(response, ds) == [["Request body too large, maximum allowed is 100 bytes", 3]]
