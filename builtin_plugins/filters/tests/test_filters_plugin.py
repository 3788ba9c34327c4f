"""The _where, _search and _through filters."""
from __future__ import annotations

import pytest

from datasette import hookimpl


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, response.text
    return response.json()


def pks(data):
    return [row["pk"] for row in data["rows"]]


@pytest.mark.asyncio
async def test_search(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    data = await get(ds, "/data/searchable.json?_search=dog&_extra=query,human_description_en")
    assert pks(data) == [1, 2, 3]
    assert data["query"]["params"] == {"search": "dog"}
    assert ("where rowid in (select rowid from searchable_fts where searchable_fts match escape_fts(:search))"
            in data["query"]["sql"])
    assert data["human_description_en"] == 'where search matches "dog"'
    assert pks(await get(ds, '/data/searchable.json?_search="terry dog"')) == [1, 2]
    assert pks(await get(ds, "/data/searchable.json?_search=ter*")) == []  # escaped: * is literal


@pytest.mark.asyncio
async def test_search_raw_mode_and_config(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    data = await get(ds, "/data/searchable.json?_search=ter*&_searchmode=raw&_extra=query")
    assert pks(data) == [1, 2] and "match :search" in data["query"]["sql"]
    configured = await make_ds([str(db_path)], config={"databases": {"data": {"tables": {
        "searchable": {"searchmode": "raw"}}}}})
    assert pks(await get(configured, "/data/searchable.json?_search=ter*")) == [1, 2]
    assert pks(await get(configured, "/data/searchable.json?_search=ter*&_searchmode=escaped")) == []


@pytest.mark.asyncio
async def test_search_column(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    data = await get(ds, "/data/searchable.json?_search_text2=dog&_extra=query,human_description_en")
    assert pks(data) == [1, 3]
    assert data["query"]["params"] == {"search_0": "dog"}
    assert data["human_description_en"] == 'where search column "text2" matches "dog"'
    data = await get(ds, "/data/searchable.json?_search_name%20with%20.%20and%20spaces=panther")
    assert pks(data) == [1]
    error = await get(ds, "/data/searchable.json?_search_nope=dog", status=400)
    assert error["error"] == "Cannot search by that column"


@pytest.mark.asyncio
async def test_search_fts_table_and_pk_overrides(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    plain = await get(ds, "/data/other.json?_search=terry&_extra=query")
    assert len(plain["rows"]) == 3 and "match" not in plain["query"]["sql"]
    data = await get(ds, "/data/other.json?_search=terry&_fts_table=searchable_fts&_fts_pk=id&_extra=query")
    assert [r["id"] for r in data["rows"]] == [1, 2]
    assert "where id in (select rowid from searchable_fts" in data["query"]["sql"]
    configured = await make_ds([str(db_path)], config={"databases": {"data": {"tables": {
        "other": {"fts_table": "searchable_fts", "fts_pk": "id"}}}}})
    assert [r["id"] for r in (await get(configured, "/data/other.json?_search=fox"))["rows"]] == [3]


@pytest.mark.asyncio
async def test_search_box_context(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    html = (await ds.client.get("/data/searchable?_search=cat")).text
    assert 'id="_search"' in html and 'value="cat"' in html
    assert 'id="_search"' not in (await ds.client.get("/data/other")).text


@pytest.mark.asyncio
async def test_where(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    data = await get(ds, "/data/searchable.json?_where=pk>1&_where=text1 like 'quick%'&_extra=query")
    assert pks(data) == [3]
    assert "where pk>1 and text1 like 'quick%'" in data["query"]["sql"]
    assert (await get(ds, "/data/searchable.json?_where=bad(((", status=400))["title"] == "Invalid SQL"


class DenySql:
    @hookimpl
    def permission_allowed(self, action):
        if action == "execute-sql":
            return False


@pytest.mark.asyncio
async def test_where_needs_execute_sql(make_ds, db_path, register_plugin):
    register_plugin(DenySql(), "deny-sql")
    ds = await make_ds([str(db_path)])
    error = await get(ds, "/data/searchable.json?_where=pk>1", status=403)
    assert error["error"] == "_where= is not allowed"
    assert len((await get(ds, "/data/searchable.json"))["rows"]) == 3


@pytest.mark.asyncio
async def test_through(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    data = await get(ds, '/data/searchable.json?_through={"table":"searchable_tags","column":"tag","value":"canine"}'
                         "&_extra=query,human_description_en")
    assert pks(data) == [2, 3]
    assert data["human_description_en"] == 'where searchable_tags.tag = "canine"'
    assert "pk in (select searchable_id from searchable_tags where tag = :through_0)" in data["query"]["sql"]
    data = await get(ds, '/data/tags.json?_through={"table":"searchable_tags","column":"searchable_id","value":"1"}')
    assert [r["tag"] for r in data["rows"]] == ["feline"]
    for bad in ('{"table":"nope","column":"tag","value":"x"}', "not json", '{"table":"searchable_tags"}',
                '{"table":"other","column":"name","value":"x"}'):
        error = await get(ds, f"/data/searchable.json?_through={bad}", status=400)
        assert error["error"] == "Invalid _through - could not find corresponding foreign key"


@pytest.mark.asyncio
async def test_all_filters_together(make_ds, db_path):
    ds = await make_ds([str(db_path)])
    data = await get(ds, '/data/searchable.json?_search=dog&_where=pk>1'
                         '&_through={"table":"searchable_tags","column":"tag","value":"canine"}&text1__contains=o'
                         "&_extra=human_description_en")
    assert pks(data) == [2, 3]
    assert data["human_description_en"] == \
        'where searchable_tags.tag = "canine", search matches "dog" and text1 contains "o"'


@pytest.mark.asyncio
async def test_disabled_plugin_ignores_search(make_ds, db_path):
    ds = await make_ds([str(db_path)], disabled_plugins=["filters"])
    data = await get(ds, "/data/searchable.json?_search=cat&_where=pk>2&_extra=query")
    assert len(data["rows"]) == 3 and data["query"]["params"] == {}
    assert 'id="_search"' not in (await ds.client.get("/data/searchable")).text
