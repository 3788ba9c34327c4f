"""CSV through the real table, row and query views (no stand-in views)."""
from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from .harness import BIG_ROWS


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, response.text[:500]
    return response


@pytest.mark.asyncio
async def test_table_csv(real_ds):
    response = await get(real_ds, "/fixtures/facetable.csv?_labels=on&_size=4")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == (
        'pk,state,city_id,city_id_label,t\r\n1,CA,1,San Francisco,"a,b"\r\n'
        '2,CA,1,San Francisco,"line\nbreak"\r\n3,MI,2,Detroit,"q""uote"\r\n4,MC,3,Memnonia,\r\n')
    empty = await get(real_ds, "/fixtures/facetable.csv?_labels=on&state=XX")
    assert empty.text == "pk,state,city_id,city_id_label,t\r\n"


@pytest.mark.asyncio
async def test_stream_every_row_of_a_table(real_ds):
    response = await get(real_ds, "/fixtures/big.csv?_stream=on&_dl=1")
    assert response.headers["content-disposition"] == 'attachment; filename="big.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) == BIG_ROWS + 1
    assert [int(row[0]) for row in rows[1:]] == list(range(1, BIG_ROWS + 1))
    filtered = await get(real_ds, "/fixtures/big.csv?_stream=1&id__gt=4990&_sort_desc=value")
    assert [row[0] for row in csv.reader(io.StringIO(filtered.text))][1:] == [
        str(i) for i in range(BIG_ROWS, 4990, -1)]


@pytest.mark.asyncio
async def test_blob_links_download(real_ds):
    lines = (await get(real_ds, "/fixtures/binary_data.csv")).text.split("\r\n")
    assert lines[1] == "1,http://localhost/fixtures/binary_data/1.blob?_blob_column=data"
    blob = await get(real_ds, lines[1].split(",", 1)[1].replace("http://localhost", ""))
    assert blob.content == b"\x15\x18\x1a"
    query = (await get(real_ds, "/fixtures/-/query.csv?sql=select+data+from+binary_data")).text.split("\r\n")
    assert (await get(real_ds, query[4].replace("http://localhost", ""))).content == b"\xff\x00"
    canned = (await get(real_ds, "/fixtures/blobs.csv?_dl=1"))
    assert canned.headers["content-disposition"] == 'attachment; filename="blobs.csv"'
    link = canned.text.split("\r\n")[2].replace("http://localhost", "")
    assert (await get(real_ds, link)).content == b"hello"


TRICKY = [None, "", "None", "plain", "a,b", 'q"uote', "it's", "line\nbreak", "cr\ronly", "crlf\r\n", " spaced ",
          "b'looks like bytes'", "é ü 漢字", 0, -7, 2**62, 0.1 + 0.2, 1e16, 1e-7, -0.0, 968.0, float("inf")]


@pytest.mark.asyncio
async def test_stream_matches_csv_writer_for_awkward_values(tmp_path, monkeypatch):
    """Every batch, fast or not, is exactly what csv.writer makes of the same rows."""
    import random

    from datasette.app import Datasette
    from datasette_builtins.csv_renderer import render

    monkeypatch.setattr(render, "STREAM_BATCH_SIZE", 3)  # many batches, most with one awkward value
    path = tmp_path / "awkward.db"
    conn = sqlite3.connect(path)
    conn.execute("create table t (id integer primary key, a, b text, c real)")
    conn.execute("create view only_a as select a from t order by id")
    rng = random.Random(7)

    def value(plain):
        return rng.choice(TRICKY) if rng.random() < 0.1 else plain

    rows = [(i, value("x"), value("y"), value(1.5)) for i in range(1, 1501)]
    conn.executemany("insert into t values (?, ?, ?, ?)", rows)
    conn.commit()
    stored = conn.execute("select id, a, b, c from t order by id").fetchall()  # after column affinity
    conn.close()
    expected = io.StringIO()
    csv.writer(expected).writerows([("id", "a", "b", "c"), *stored])
    ds = Datasette([str(path)])
    try:
        response = await get(ds, "/awkward/t.csv?_stream=on")
        assert response.text == expected.getvalue()
        one_column = await get(ds, "/awkward/only_a.csv?_stream=on")  # a lone empty field is written ""
        expected = io.StringIO()
        csv.writer(expected).writerows([("a",), *[(row[1],) for row in stored]])
        assert one_column.text == expected.getvalue()
    finally:
        ds.close()
