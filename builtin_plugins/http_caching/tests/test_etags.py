"""ETags on data pages, 304 Not Modified without running SQL, and what changes a tag."""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys

import pytest

from .conftest import call

DATA_PAGES = [
    "/data", "/data.json", "/data/items", "/data/items.json", "/data/items.csv", "/data/items/3",
    "/data/items/3.json", "/data/pairs/x,y.json", "/data/cheap.json", "/data/-/query?sql=select+1",
    "/data/-/query.json?sql=select+count(*)+from+items",
]
WEAK_TAG = re.compile(r'W/"[0-9a-f]{24}"')


@pytest.mark.asyncio
@pytest.mark.parametrize("path", DATA_PAGES)
async def test_every_data_page_has_an_etag_and_revalidates_with_304(make_ds, db_path, path):
    ds = make_ds([db_path])
    response = await ds.client.get(path)
    assert response.status_code == 200
    tag = response.headers["etag"]
    assert WEAK_TAG.fullmatch(tag)
    assert "Accept-Encoding" in response.headers["vary"]
    again = await ds.client.get(path)
    assert again.headers["etag"] == tag  # stable while nothing changes
    revalidated = await ds.client.get(path, headers={"if-none-match": tag})
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert revalidated.headers["etag"] == tag
    # Weak comparison, lists of tags, strong spellings of the same tag
    listed = await ds.client.get(path, headers={"if-none-match": f'"nope", {tag[2:]}'})
    assert listed.status_code == 304
    other = await ds.client.get(path, headers={"if-none-match": 'W/"0123456789abcdef01234567", *'})
    assert other.status_code == 200


@pytest.mark.asyncio
async def test_304_keeps_the_cache_control_of_the_page(make_ds, db_path):
    ds = make_ds([db_path])
    page = await ds.client.get("/data/items.json?_ttl=60")
    assert page.headers["cache-control"] == "max-age=60"
    revalidated = await ds.client.get("/data/items.json?_ttl=60", headers={"if-none-match": page.headers["etag"]})
    assert revalidated.status_code == 304 and revalidated.headers["cache-control"] == "max-age=60"


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/data/items", "/data/items.json?_shape=array", "/data/items/3.json",
                                  "/data/-/query.json?sql=select+*+from+items"])
async def test_a_304_runs_no_sql_at_all(make_ds, db_path, sql_counter, path):
    ds = make_ds([db_path])
    tag = (await ds.client.get(path)).headers["etag"]
    assert any("items" in sql for sql in sql_counter.statements)  # the page itself did run queries
    before = len(sql_counter.statements)
    for _ in range(3):
        assert (await ds.client.get(path, headers={"if-none-match": tag})).status_code == 304
    assert sql_counter.statements[before:] == []


@pytest.mark.asyncio
async def test_a_write_through_the_write_thread_changes_the_etag(make_ds, db_path):
    ds = make_ds([db_path])
    first = await ds.client.get("/data/items/3.json")
    tag = first.headers["etag"]
    await ds.get_database("data").execute_write("update items set name = 'changed' where id = 3")
    after = await ds.client.get("/data/items/3.json", headers={"if-none-match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag
    assert after.json()["rows"][0]["name"] == "changed"


@pytest.mark.asyncio
@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
async def test_a_write_by_another_process_changes_the_etag(make_ds, db_path, journal_mode):
    sqlite3.connect(db_path).execute(f"pragma journal_mode={journal_mode}").fetchall()
    ds = make_ds([db_path])
    await ds.client.get("/data/items.json")  # in WAL mode the first page's tag predates its -shm file
    tag = (await ds.client.get("/data/items.json")).headers["etag"]
    assert (await ds.client.get("/data/items.json", headers={"if-none-match": tag})).status_code == 304
    script = (f"import sqlite3; c = sqlite3.connect({db_path!r}); "
              "c.execute(\"update items set price = price + 1 where id = 1\"); c.commit()")
    subprocess.run([sys.executable, "-c", script], check=True)
    after = await ds.client.get("/data/items.json", headers={"if-none-match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag
    assert after.json()["rows"][0]["price"] == 2.5


@pytest.mark.asyncio
async def test_two_instances_serving_one_file_agree_on_tags(make_ds, db_path):
    # What --workers relies on: a tag from one worker revalidates on another.
    one, two = make_ds([db_path], secret="s"), make_ds([db_path], secret="s")
    tag = (await one.client.get("/data/items")).headers["etag"]
    assert (await two.client.get("/data/items", headers={"if-none-match": tag})).status_code == 304


@pytest.mark.asyncio
async def test_tags_depend_on_the_request_and_the_instance(make_ds, db_path):
    ds = make_ds([db_path])

    async def tag(path="/data/items.json", **headers):
        return (await ds.client.get(path, headers=headers)).headers["etag"]

    plain = await tag()
    assert await tag("/data/items.json?_size=5") != plain
    assert await tag(cookie="ds_actor=someone") != plain
    assert await tag(authorization="Bearer abc") != plain
    assert await tag(**{"accept-encoding": "identity"}) != plain  # the client sends gzip by default
    assert await tag(host="example.com") != plain
    ds._settings["default_page_size"] = 7  # tests (and upstream's) change settings at run time
    assert await tag() != plain


@pytest.mark.asyncio
@pytest.mark.parametrize("path, headers", [
    ("/data/items.json?_ttl=0", {}),  # _ttl=0: not to be cached at all
    ("/-/versions.json", {}),  # not a data page
    ("/data/items.json", {"cookie": "ds_messages=x"}),  # messages are shown once
])
async def test_no_etag(make_ds, db_path, path, headers):
    ds = make_ds([db_path])
    response = await ds.client.get(path, headers=headers)
    assert response.status_code == 200 and "etag" not in response.headers


@pytest.mark.asyncio
async def test_no_etag_for_memory_databases_or_with_reload(make_ds, db_path):
    ds = make_ds(memory=True)
    assert "etag" not in (await ds.client.get("/_memory/-/query.json?sql=select+1")).headers
    reloading = make_ds([db_path], cache_headers=False)  # what --reload passes
    response = await reloading.client.get("/data/items.json")
    assert "etag" not in response.headers and "cache-control" not in response.headers


@pytest.mark.asyncio
async def test_posts_and_downloads_pass_through(make_ds, db_path):
    ds = make_ds(immutables=[db_path])
    await ds.invoke_startup()
    download = await ds.client.get("/data.db")
    assert download.headers["etag"] == f'"{ds.get_database("data").hash}"'  # its own, untouched
    posted = await ds.client.post("/data/items.json")
    assert "etag" not in posted.headers


@pytest.mark.asyncio
async def test_head_requests(make_ds, db_path):
    ds = make_ds([db_path])
    tag = (await ds.client.get("/data/items")).headers["etag"]
    head = await ds.client.head("/data/items")
    assert head.status_code == 200 and head.headers["etag"] == tag
    assert (await ds.client.head("/data/items", headers={"if-none-match": tag})).status_code == 304


@pytest.mark.asyncio
async def test_immutable_databases_are_tagged_by_their_hash(make_ds, db_path):
    ds = make_ds(immutables=[db_path])
    db = ds.get_database("data")
    before = (await ds.client.get("/data/items.json")).headers["etag"]  # startup hashes in the background
    db.hash  # noqa: B018 - wait for it
    assert db.cached_hash
    tag = (await ds.client.get("/data/items.json")).headers["etag"]
    assert (await ds.client.get("/data/items.json", headers={"if-none-match": tag})).status_code == 304
    assert before  # tagged (by size, mtime and inode) even before the hash was known


@pytest.mark.asyncio
async def test_cors_headers_on_304(make_ds, db_path):
    ds = make_ds([db_path], cors=True)
    tag = (await ds.client.get("/data/items.json")).headers["etag"]
    revalidated = await ds.client.get("/data/items.json", headers={"if-none-match": tag})
    assert revalidated.status_code == 304
    assert revalidated.headers["access-control-allow-origin"] == "*"


@pytest.mark.asyncio
async def test_base_url(make_ds, db_path):
    ds = make_ds([db_path], settings={"base_url": "/prefix/"})
    page = await ds.client.get("/data/items.json")  # the client adds the prefix
    assert page.status_code == 200 and page.url.path == "/prefix/data/items.json"
    revalidated = await ds.client.get("/data/items.json", headers={"if-none-match": page.headers["etag"]})
    assert revalidated.status_code == 304


@pytest.mark.asyncio
async def test_responses_that_set_cookies_get_no_etag(make_ds, db_path):
    from datasette import hookimpl
    from datasette.plugins import pm

    class SetsCookie:
        @hookimpl
        def asgi_wrapper(self):
            def wrap(app):
                async def inner(scope, receive, send):
                    async def cookie_send(message):
                        if message["type"] == "http.response.start":
                            message = {**message, "headers": [*message["headers"], (b"set-cookie", b"a=b")]}
                        await send(message)
                    await app(scope, receive, cookie_send)
                return inner
            return wrap

    plugin = SetsCookie()
    pm.register(plugin, name="http-caching-test-sets-cookie")
    try:
        ds = make_ds([db_path])
        status, headers, _, _ = await call(ds.app(), "/data/items.json")
        assert status == 200 and "etag" not in headers
    finally:
        pm.unregister(plugin)


@pytest.mark.asyncio
async def test_disabled_plugin_means_no_etags(make_ds, db_path):
    ds = make_ds([db_path], disabled_plugins=["http_caching"])
    response = await ds.client.get("/data/items.json")
    assert response.status_code == 200 and "etag" not in response.headers
    assert response.headers["cache-control"] == "max-age=5"  # the pages' own header stays
    assert (await ds.client.get("/data/items.json?_ttl=abc")).status_code == 200  # upstream ignores it
