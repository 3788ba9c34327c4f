"""The blob renderer through real URLs over a real SQLite file."""
from __future__ import annotations

import hashlib

import pytest

from datasette_builtins.blob_renderer.blob import EXPIRED

HELLO = hashlib.sha256(b"hello").hexdigest()


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, response.text
    return response


def filename(response):
    return response.headers["content-disposition"]


@pytest.mark.asyncio
async def test_row_blob(ds):
    response = await get(ds, "/fixtures/binary_data/1.blob?_blob_column=data")
    assert response.content == b"\x15\x18\x1a"
    assert response.headers["content-type"] == "application/binary"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert filename(response) == 'attachment; filename="binary_data-1-data.blob"'
    assert (await get(ds, "/fixtures/binary_data/4.blob?_blob_column=data")).content == b"\xff\x00"
    assert (await get(ds, "/fixtures/binary_data/3.blob?_blob_column=data")).content == b""


@pytest.mark.asyncio
async def test_row_blob_with_hash(ds):
    response = await get(ds, f"/fixtures/binary_data/2.blob?_blob_column=data&_blob_hash={HELLO}")
    assert response.content == b"hello"
    assert filename(response) == 'attachment; filename="binary_data-2-data-2cf24d.blob"'
    expired = await get(ds, "/fixtures/binary_data/2.blob?_blob_column=data&_blob_hash=abc", status=400)
    assert EXPIRED in expired.text
    assert EXPIRED == ("Link has expired - the requested binary content has changed or could not be found.")


@pytest.mark.asyncio
@pytest.mark.parametrize("path,status,message", [
    ("/fixtures/binary_data/1.blob", 400, "?_blob_column= is required"),
    ("/fixtures/binary_data/1.blob?_blob_column=nope", 400, "nope is not a valid column"),
    ("/fixtures/floats/1.blob?_blob_column=f", 400, "The value of f is not a BLOB"),
    ("/fixtures/-/query.blob?sql=select+1+as+x+where+0&_blob_column=x", 404, "No rows returned"),
    ("/fixtures/-/query.blob?sql=select+*+from+nope&_blob_column=x", 400, "no such table: nope"),
])
async def test_errors(ds, path, status, message):
    response = await get(ds, path, status=status)
    assert message in response.text


@pytest.mark.asyncio
async def test_query_blob_finds_row_by_hash(ds):
    sql = "sql=select+*+from+binary_data"
    response = await get(ds, f"/fixtures/-/query.blob?{sql}&_blob_column=data&_blob_hash={HELLO}")
    assert response.content == b"hello"
    assert filename(response) == 'attachment; filename="data-2cf24d.blob"'
    first = await get(ds, f"/fixtures/-/query.blob?{sql}&_blob_column=data")
    assert first.content == b"\x15\x18\x1a" and filename(first) == 'attachment; filename="data.blob"'
    await get(ds, f"/fixtures/-/query.blob?{sql}&_blob_column=data&_blob_hash=", status=400)


@pytest.mark.asyncio
async def test_links_from_csv_download_the_blob(ds):
    lines = (await get(ds, "/fixtures/-/query.csv?sql=select+data+from+binary_data")).text.split("\r\n")
    for line, expected in ((lines[1], b"\x15\x18\x1a"), (lines[4], b"\xff\x00")):
        assert (await get(ds, line.replace("http://localhost", ""))).content == expected
    view_link = (await get(ds, "/fixtures/blob_view.csv")).text.split("\r\n")[2]
    assert (await get(ds, view_link.replace("http://localhost", ""))).content == b"hello"


@pytest.mark.asyncio
async def test_filenames(ds):
    tilde = await get(ds, "/fixtures/tilde~2Fname~2Ecsv/3.blob?_blob_column=content")
    assert tilde.content == b"hey"  # text downloads as UTF-8
    assert filename(tilde) == 'attachment; filename="tildenamecsv-639035-3-content.blob"'
    compound = await get(ds, "/fixtures/compound_primary_key/a~2Fb,~2Ec-d.blob?_blob_column=content")
    assert filename(compound) == 'attachment; filename="compound_primary_key-a~2Fb,~2Ec-d-content.blob"'
    table = await get(ds, "/fixtures/binary_data.blob?_blob_column=data")
    assert filename(table) == 'attachment; filename="binary_data-data.blob"'


@pytest.mark.asyncio
async def test_not_offered_as_a_link(ds):
    assert ds.renderers["blob"][1]() is False


@pytest.mark.asyncio
async def test_disabled(make_ds):
    ds = make_ds(disabled_plugins=["blob_renderer"])
    assert "blob" not in ds.renderers
    await get(ds, "/fixtures/binary_data/1.blob?_blob_column=data", status=404)
    assert (await get(ds, "/fixtures/binary_data.csv")).text.startswith("rowid,data\r\n")
