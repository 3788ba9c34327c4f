"""Hashed URLs: redirects to /db-<hash>/..., far-future caching, old hashes, mutable databases."""
from __future__ import annotations

import pytest

from datasette.app import Datasette
from datasette.utils import StartupError

YEAR = 365 * 24 * 60 * 60


async def started(make_ds, *args, **kwargs):
    ds = make_ds(*args, **kwargs)
    await ds.invoke_startup()
    db = ds.get_database("data")
    db.hash  # noqa: B018 - waits for the background hash
    return ds, db.hash[:7]


@pytest.mark.asyncio
async def test_hash_urls_redirects_every_plain_url(make_ds, db_path):
    ds, short = await started(make_ds, immutables=[db_path], settings={"hash_urls": True})
    for path, target in [
        ("/data/items", f"/data-{short}/items"),
        ("/data/items.json?_size=2&_hash=1", f"/data-{short}/items.json?_size=2"),
        ("/data.json", f"/data-{short}.json"),
        ("/data/items/3", f"/data-{short}/items/3"),
        ("/data/-/query.json?sql=select+1", f"/data-{short}/-/query.json?sql=select+1"),
    ]:
        response = await ds.client.get(path)
        assert response.status_code == 302, path
        assert response.headers["location"] == target


@pytest.mark.asyncio
async def test_hashed_urls_are_served_with_far_future_caching(make_ds, db_path):
    ds, short = await started(make_ds, immutables=[db_path], settings={"hash_urls": True})
    page = await ds.client.get(f"/data-{short}/items.json?_size=2&_extra=next_url")
    assert page.status_code == 200 and len(page.json()["rows"]) == 2
    assert page.headers["cache-control"] == f"max-age={YEAR}, public"
    assert f"/data-{short}/items.json?" in page.json()["next_url"]  # links are hashed
    html = await ds.client.get(f"/data-{short}/items")
    assert html.headers["cache-control"] == f"max-age={YEAR}, public"
    assert f'href="/data-{short}/items/1"' in html.text
    databases = (await ds.client.get("/-/databases.json")).json()
    assert databases[0]["route"] == f"data-{short}"
    revalidated = await ds.client.get(f"/data-{short}/items.json?_size=2&_extra=next_url",
                                      headers={"if-none-match": page.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["cache-control"] == f"max-age={YEAR}, public"


@pytest.mark.asyncio
@pytest.mark.parametrize("hash_urls", [True, False])
async def test_an_old_hash_redirects_to_the_current_one(make_ds, db_path, hash_urls):
    ds, short = await started(make_ds, immutables=[db_path], settings={"hash_urls": hash_urls})
    old = "0000000" if short != "0000000" else "1111111"
    response = await ds.client.get(f"/data-{old}/items.json?_size=1")
    assert response.status_code == 302
    assert response.headers["location"] == f"/data-{short}/items.json?_size=1"


@pytest.mark.asyncio
async def test_without_hash_urls_hash_1_redirects_and_hashed_urls_still_work(make_ds, db_path):
    ds, short = await started(make_ds, immutables=[db_path])
    plain = await ds.client.get("/data/items.json")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "max-age=5"
    redirect = await ds.client.get("/data/items.json?_hash=1&_size=3")
    assert redirect.status_code == 302 and redirect.headers["location"] == f"/data-{short}/items.json?_size=3"
    hashed = await ds.client.get(f"/data-{short}/items.json?_size=3")
    assert hashed.status_code == 200 and len(hashed.json()["rows"]) == 3
    assert hashed.headers["cache-control"] == f"max-age={YEAR}, public"
    ttl, _ = await started(make_ds, immutables=[db_path], settings={"default_cache_ttl_hashed": 60})
    assert (await ttl.client.get(f"/data-{short}/items.json")).headers["cache-control"] == "max-age=60, public"


@pytest.mark.asyncio
async def test_mutable_databases_are_never_hashed(make_ds, db_path, capsys):
    ds = make_ds([db_path], settings={"hash_urls": True})
    await ds.invoke_startup()
    assert "hash_urls: database data is mutable, so its URLs are not hashed" in capsys.readouterr().err
    response = await ds.client.get("/data/items.json?_hash=1")
    assert response.status_code == 200 and response.headers["cache-control"] == "max-age=5"
    assert (await ds.client.get("/data-0000000/items.json")).status_code == 404


@pytest.mark.asyncio
async def test_plain_urls_are_served_until_a_large_file_is_hashed(make_ds, db_path, monkeypatch):
    from datasette.database import Database

    monkeypatch.setattr(Database, "hash_in_background", lambda self: None)  # a hash that takes a while
    ds = make_ds(immutables=[db_path], settings={"hash_urls": True})
    await ds.invoke_startup()
    waiting = await ds.client.get("/data/items.json")
    assert waiting.status_code == 200 and waiting.headers["cache-control"] == "max-age=5"
    short = ds.get_database("data").hash[:7]  # the hash is done
    done = await ds.client.get("/data/items.json")
    assert done.status_code == 302 and done.headers["location"] == f"/data-{short}/items.json"


@pytest.mark.asyncio
async def test_signed_in_actors_get_no_public_far_future_header(make_ds, db_path):
    ds, short = await started(make_ds, immutables=[db_path], settings={"hash_urls": True})
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    response = await ds.client.get(f"/data-{short}/items.json", cookies=cookies)
    assert response.status_code == 200 and response.headers["cache-control"] == "private, max-age=5"


@pytest.mark.asyncio
async def test_other_pages_pass_through(make_ds, db_path):
    ds, short = await started(make_ds, immutables=[db_path], settings={"hash_urls": True})
    assert (await ds.client.get("/-/versions.json")).status_code == 200
    assert (await ds.client.get("/")).status_code == 200
    assert (await ds.client.get("/nope-1234567/items")).status_code == 404
    assert (await ds.client.post("/data/items")).status_code != 302


def test_settings_are_declared_by_the_plugin(db_path):
    ds = Datasette(immutables=[db_path], settings={"hash_urls": True, "default_cache_ttl_hashed": 10})
    try:
        assert ds.setting("hash_urls") is True and ds.setting("default_cache_ttl_hashed") == 10
    finally:
        ds.close()
    with pytest.raises(StartupError, match="datasette-hashed-urls plugin"):
        Datasette(immutables=[db_path], config={"settings": {"hash_urls": True}},
                  disabled_plugins=["hashed_urls"])
