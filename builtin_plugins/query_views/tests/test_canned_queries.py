"""Canned queries at /<db>/<name>: configuration, the canned_queries hook, magic parameters."""
from __future__ import annotations

import json
import re
import time

import pytest
import pytest_asyncio
from bs4 import BeautifulSoup

from datasette import hookimpl

QUERIES = {
    "simple": "select pk, state from facetable order by pk",
    "by_state": {
        "sql": "select pk from facetable where state = :state order by pk",
        "title": "Rows by state",
        "description": "Pick a <state>",
    },
    "html_description": {"sql": "select 1 as one", "description_html": "<b>Bold</b> words", "hide_sql": True},
    "declared_params": {"sql": "select :a || :b as ab", "params": ["a", "b"]},
    "magic": {"sql": "select :_header_user_agent as ua, :_cookie_flavour as cookie, :_now_epoch as epoch, "
                     ":_now_date_utc as date, :_now_datetime_utc as dt, :_random_chars_8 as rnd, "
                     ":_header_x_missing as missing_header"},
    "actor": "select :_actor_id as id",
    "unknown_prefix": "select :_nope_x as x",
    "now_bad": "select :_now_yesterday as x",
    "writer": {"sql": "insert into facetable (state) values (:state)", "write": True},
}
CONFIG = {"databases": {"fixtures": {"queries": QUERIES}}}


class HeaderActor:
    """Actors come from an ``x-actor`` JSON header in these tests."""

    @hookimpl
    def actor_from_request(self, request):
        value = request.headers.get("x-actor")
        return json.loads(value) if value else None


@pytest_asyncio.fixture
async def cds(make_ds, register):
    register(HeaderActor())
    return await make_ds(config=CONFIG)


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


@pytest.mark.asyncio
async def test_string_canned_query_json(cds):
    response = await cds.client.get("/fixtures/simple.json")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "rows": [{"pk": 1, "state": "CA"}, {"pk": 2, "state": "CA"},
                                                    {"pk": 3, "state": "MI"}, {"pk": 4, "state": "NY"}],
                               "truncated": False}


@pytest.mark.asyncio
async def test_dict_canned_query_with_parameter(cds):
    response = await cds.client.get("/fixtures/by_state.json?state=MI")
    assert response.json()["rows"] == [{"pk": 3}]
    assert (await cds.client.get("/fixtures/by_state.json")).json()["rows"] == []


@pytest.mark.asyncio
async def test_canned_query_html(cds):
    response = await cds.client.get("/fixtures/by_state?state=CA")
    assert response.status_code == 200
    page = soup(response)
    assert page.body["class"] == ["query", "db-fixtures", "query-by_state"]
    assert page.find("h1").text.strip() == "Rows by state"
    assert page.find("div", {"class": "metadata-description"}).text.strip() == "Pick a <state>"
    assert page.find("pre", {"id": "sql-query"}).text == "select pk from facetable where state = :state order by pk"
    assert page.find("textarea") is None
    form = page.find("form", {"class": "sql"})
    assert form["action"] == "/fixtures/by_state"
    assert [(i["name"], i["value"]) for i in form.find_all("input", {"type": "text"})] == [("state", "CA")]
    edit = page.find("a", {"class": "canned-query-edit-sql"})
    assert edit["href"] == "/fixtures/-/query?sql=select+pk+from+facetable+where+state+%3D+%3Astate+order+by+pk&state=CA"
    assert [td.text for td in page.find("tbody").find_all("td")] == ["1", "2"]
    assert ("<!-- Templates considered: query-fixtures-by_state.html, query-fixtures.html, *query.html -->"
            in response.text)
    if "json" in cds.renderers:
        links = {a.text: a["href"] for a in page.find("p", {"class": "export-links"}).find_all("a")}
        assert links["json"] == "/fixtures/by_state.json?state=CA"


@pytest.mark.asyncio
async def test_untitled_canned_query_heading(cds):
    page = soup(await cds.client.get("/fixtures/simple"))
    assert page.find("h1").text.strip() == "fixtures: simple"


@pytest.mark.asyncio
async def test_hide_sql_and_description_html(cds):
    page = soup(await cds.client.get("/fixtures/html_description"))
    assert page.find("div", {"class": "metadata-description"}).find("b").text == "Bold"
    assert page.find("pre", {"id": "sql-query"}) is None
    link = page.find("span", {"class": "show-hide-sql"}).find("a")
    assert (link.text, link["href"]) == ("show", "/fixtures/html_description?_show_sql=1")
    page = soup(await cds.client.get("/fixtures/html_description?_show_sql=1"))
    assert page.find("pre", {"id": "sql-query"}).text == "select 1 as one"
    link = page.find("span", {"class": "show-hide-sql"}).find("a")
    assert (link.text, link["href"]) == ("hide", "/fixtures/html_description")
    hidden = [(i["name"], i["value"]) for i in page.find("form").find_all("input", {"type": "hidden"})]
    assert hidden == [("_show_sql", "1")]


@pytest.mark.asyncio
async def test_hide_sql_argument_on_canned_query(cds):
    page = soup(await cds.client.get("/fixtures/simple?_hide_sql=1"))
    assert page.find("pre", {"id": "sql-query"}) is None
    assert page.find("input", {"name": "sql"}) is None  # canned queries never send their SQL back


@pytest.mark.asyncio
async def test_declared_params_become_form_fields(cds):
    response = await cds.client.get("/fixtures/declared_params?a=x")
    names = [i["name"] for i in soup(response).find("form").find_all("input", {"type": "text"})]
    assert names == ["a", "b"]
    assert (await cds.client.get("/fixtures/declared_params.json?a=x&b=y")).json()["rows"] == [{"ab": "xy"}]


@pytest.mark.asyncio
async def test_magic_parameters(cds):
    before = int(time.time())
    response = await cds.client.get("/fixtures/magic.json?_now_epoch=5&_random_chars_8=given",
                                    headers={"User-Agent": "magic-agent"}, cookies={"flavour": "mint"})
    assert response.status_code == 200, response.text
    row = response.json()["rows"][0]
    assert row["ua"] == "magic-agent"
    assert row["cookie"] == "mint"
    assert before <= row["epoch"] <= int(time.time()) + 1  # the query string cannot override magic
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", row["dt"])
    assert len(row["rnd"]) == 8 and row["rnd"] != "given"
    assert row["missing_header"] == ""


@pytest.mark.asyncio
async def test_magic_parameters_are_not_form_fields(cds):
    page = soup(await cds.client.get("/fixtures/magic", cookies={"flavour": "mint"}))
    assert page.find("form").find_all("input", {"type": "text"}) == []


@pytest.mark.asyncio
async def test_actor_magic_parameter(cds):
    response = await cds.client.get("/fixtures/actor.json", headers={"x-actor": json.dumps({"id": "simon"})})
    assert response.json()["rows"] == [{"id": "simon"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("path,name", [
    ("/fixtures/actor.json", "_actor_id"),  # no actor
    ("/fixtures/magic.json", "_cookie_flavour"),  # no such cookie
    ("/fixtures/now_bad.json", "_now_yesterday"),
])
async def test_unresolvable_magic_parameter_is_400(cds, path, name):
    response = await cds.client.get(path)
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert data["error"] == f"You did not supply a value for binding parameter :{name}."


@pytest.mark.asyncio
async def test_unresolvable_magic_parameter_html(cds):
    response = await cds.client.get("/fixtures/actor")
    assert response.status_code == 400
    assert soup(response).find("p", {"class": "message-error"}).text == \
        "You did not supply a value for binding parameter :_actor_id."


@pytest.mark.asyncio
async def test_unknown_magic_prefix_is_null(cds):
    response = await cds.client.get("/fixtures/unknown_prefix.json?_nope_x=1")
    assert response.json()["rows"] == [{"x": None}]


@pytest.mark.asyncio
async def test_custom_magic_parameter_plugin(make_ds, register):
    class Magic:
        @hookimpl
        def register_magic_parameters(self):
            async def upper(key, request):
                return key.upper()
            return [("shout", upper)]

    register(Magic())
    ds = await make_ds(config={"databases": {"fixtures": {"queries": {"q": "select :_shout_hello as v"}}}})
    assert (await ds.client.get("/fixtures/q.json")).json()["rows"] == [{"v": "HELLO"}]


@pytest.mark.asyncio
async def test_canned_queries_hook(make_ds, register):
    class Queries:
        @hookimpl
        def canned_queries(self, datasette, database, actor):
            async def inner():
                if database != "fixtures":
                    return {}
                queries = {"from_hook": {"sql": "select :_actor_id as who", "title": "From a hook"}}
                if actor and actor.get("id") == "admin":
                    queries["admin_only"] = "select 'secret' as s"
                return queries
            return inner

    register(HeaderActor())
    register(Queries())
    ds = await make_ds()
    admin = {"x-actor": json.dumps({"id": "admin"})}
    response = await ds.client.get("/fixtures/from_hook.json", headers=admin)
    assert response.json()["rows"] == [{"who": "admin"}]
    assert soup(await ds.client.get("/fixtures/from_hook", headers=admin)).find("h1").text.strip() == "From a hook"
    assert (await ds.client.get("/fixtures/admin_only.json", headers=admin)).json()["rows"] == [{"s": "secret"}]
    response = await ds.client.get("/fixtures/admin_only.json")
    assert response.status_code == 404
    assert response.json()["error"] == "Table not found"


@pytest.mark.asyncio
async def test_missing_canned_query_is_table_not_found(cds):
    response = await cds.client.get("/fixtures/nope.json")
    assert response.status_code == 404
    assert response.json()["error"] == "Table not found"
    assert (await cds.client.get("/nope/simple.json")).status_code == 404


@pytest.mark.asyncio
async def test_top_canned_query_and_query_actions(make_ds, register):
    calls = []

    class Hooks:
        @hookimpl
        def query_actions(self, database, query_name, sql):
            calls.append((database, query_name, sql))
            return [{"href": "/-/x", "label": f"Act on {query_name}"}]

        @hookimpl
        def top_canned_query(self, datasette, request, database, query_name):
            return f"<p class='top-canned'>{database}/{query_name}</p>"

        @hookimpl
        def top_query(self):
            return "<p class='top-query'>not on canned pages</p>"

    register(Hooks())
    ds = await make_ds(config=CONFIG)
    page = soup(await ds.client.get("/fixtures/simple"))
    assert page.find("p", {"class": "top-canned"}).text == "fixtures/simple"
    assert page.find("p", {"class": "top-query"}) is None
    assert page.find("div", {"class": "page-action-menu"}).find("a").text.strip() == "Act on simple"
    assert calls == [("fixtures", "simple", QUERIES["simple"])]


@pytest.mark.asyncio
async def test_cache_headers(cds):
    response = await cds.client.get("/fixtures/simple")
    assert response.headers["cache-control"] == "max-age=5"
    assert response.headers["referrer-policy"] == "no-referrer"
    response = await cds.client.get("/fixtures/simple.json?_ttl=0")
    assert response.headers["cache-control"] == "no-cache"
    response = await cds.client.get("/fixtures/simple.json?_ttl=60")
    assert response.headers["cache-control"] == "max-age=60"
    response = await cds.client.get("/fixtures/actor.json")  # a 400 is not cached
    assert "cache-control" not in response.headers


@pytest.mark.asyncio
async def test_writable_canned_query_is_not_run_by_get(make_ds, register):
    register(HeaderActor())
    # write_api (which runs the POST) is disabled: this plugin alone never writes.
    cds = await make_ds(config=CONFIG, disabled_plugins=["write_api"])
    db = cds.get_database("fixtures")
    before = (await db.execute("select count(*) from facetable")).single_value()
    response = await cds.client.get("/fixtures/writer.json?state=ZZ")
    assert response.json() == {"ok": True, "rows": [], "truncated": False}
    form = soup(await cds.client.get("/fixtures/writer?state=ZZ")).find("form", {"class": "sql"})
    assert form["method"] == "post" and form["action"] == "/fixtures/writer"
    assert form.find("input", {"name": "csrftoken"}) is not None
    response = await cds.client.post("/fixtures/writer", data={"state": "ZZ"})
    assert response.status_code == 405
    assert "need the write_api plugin" in response.text
    assert (await db.execute("select count(*) from facetable")).single_value() == before


@pytest.mark.asyncio
async def test_post_to_read_only_canned_query_is_405(cds):
    response = await cds.client.post("/fixtures/simple.json")
    assert response.status_code == 405
    assert response.json() == {"ok": False, "error": "Method not allowed"}


@pytest.mark.asyncio
async def test_view_query_permission(make_ds, register):
    checks = []

    class Deny:
        @hookimpl
        def permission_allowed(self, actor, action, resource):
            checks.append((action, resource))
            if action == "view-query" and resource == ("fixtures", "simple") and actor is None:
                return False
            if action == "execute-sql" and actor is None:
                return False
            return None

    register(HeaderActor())
    register(Deny())
    ds = await make_ds(config=CONFIG)
    assert (await ds.client.get("/fixtures/simple.json")).status_code == 403
    assert ("view-query", ("fixtures", "simple")) in checks
    # Visible to a signed-in actor but not to anonymous users: private, padlock shown.
    response = await ds.client.get("/fixtures/simple", headers={"x-actor": json.dumps({"id": "a"})})
    assert response.status_code == 200
    assert "🔒" in soup(response).find("h1").text
    # Without execute-sql there is no "Edit SQL" link.
    page = soup(await ds.client.get("/fixtures/by_state"))
    assert page.find("a", {"class": "canned-query-edit-sql"}) is None


@pytest.mark.asyncio
async def test_canned_query_sql_error_json(make_ds):
    ds = await make_ds(config={"databases": {"fixtures": {"queries": {"broken": "select * from nope"}}}})
    response = await ds.client.get("/fixtures/broken.json")
    assert response.status_code == 400
    assert response.json()["error"] == "no such table: nope"
