"""The csv renderer through real URLs over a real SQLite file."""
from __future__ import annotations

import csv
import hashlib
import io
import sqlite3

import pytest

from .harness import BIG_ROWS

PLAIN = "text/plain; charset=utf-8"


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, response.text
    return response


@pytest.mark.asyncio
async def test_crlf_quoting_and_content_type(ds):
    response = await get(ds, "/fixtures/facetable.csv")
    assert response.headers["content-type"] == PLAIN
    assert "content-disposition" not in response.headers
    assert response.content == (
        b'pk,state,city_id,t\r\n1,CA,1,"a,b"\r\n2,CA,1,"line\nbreak"\r\n3,MI,2,"q""uote"\r\n'
        b"4,MC,3,\r\n5,ZZ,,n\r\n6,YY,99,missing\r\n")


@pytest.mark.asyncio
@pytest.mark.parametrize("path,filename", [
    ("/fixtures/simple_primary_key.csv?_dl=1", "simple_primary_key.csv"),
    ("/fixtures/tilde~2Fname~2Ecsv.csv?_dl=on", "tilde~2Fname~2Ecsv.csv"),
    ("/fixtures/-/query.csv?sql=select+1&_dl=1", "fixtures.csv"),
])
async def test_download(ds, path, filename):
    response = await get(ds, path)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'


@pytest.mark.asyncio
async def test_download_canned_query_named_after_query(make_ds):
    ds = make_ds(config={"databases": {"fixtures": {"queries": {"q1": "select * from cities"}}}})
    response = await get(ds, "/fixtures/-/canned/q1.csv?_dl=1")
    assert response.headers["content-disposition"] == 'attachment; filename="q1.csv"'
    assert response.text.startswith("id,name\r\n1,San Francisco\r\n")


@pytest.mark.asyncio
async def test_header_off(ds):
    assert (await get(ds, "/fixtures/compound_primary_key.csv?_header=off")).content == (
        b'a,b,c\r\n"a,b",x y,z\r\na/b,.c-d,c\r\n')
    assert (await get(ds, "/fixtures/no_pk.csv?_header=0")).text.startswith("rowid,a,b\r\n")


@pytest.mark.asyncio
async def test_label_columns(ds):
    response = await get(ds, "/fixtures/facetable.csv?_labels=on")
    assert response.content == (
        b'pk,state,city_id,city_id_label,t\r\n1,CA,1,San Francisco,"a,b"\r\n'
        b'2,CA,1,San Francisco,"line\nbreak"\r\n3,MI,2,Detroit,"q""uote"\r\n4,MC,3,Memnonia,\r\n'
        b"5,ZZ,,,n\r\n6,YY,99,,missing\r\n")
    only_null = await get(ds, "/fixtures/facetable.csv?_labels=on&_size=1")
    assert only_null.text.startswith("pk,state,city_id,city_id_label,t\r\n")


@pytest.mark.asyncio
async def test_blob_links_for_table_rows(ds):
    assert (await get(ds, "/fixtures/binary_data.csv")).text == (
        "rowid,data\r\n"
        "1,http://localhost/fixtures/binary_data/1.blob?_blob_column=data\r\n"
        "2,http://localhost/fixtures/binary_data/2.blob?_blob_column=data\r\n"
        "3,\r\n"
        "4,http://localhost/fixtures/binary_data/4.blob?_blob_column=data\r\n")


@pytest.mark.asyncio
async def test_blob_links_for_queries_and_views_carry_hash(ds):
    text = (await get(ds, "/fixtures/-/query.csv?sql=select+data+from+binary_data&_dl=1")).text
    hello = hashlib.sha256(b"hello").hexdigest()
    lines = text.split("\r\n")
    assert lines[0] == "data"
    assert lines[2] == ("http://localhost/fixtures/-/query.blob?sql=select+data+from+binary_data&_dl=1"
                        f"&_blob_column=data&_blob_hash={hello}")
    assert lines[3] == '""'  # a NULL alone on its line, as the csv module writes it
    view = (await get(ds, "/fixtures/blob_view.csv")).text.split("\r\n")
    assert view[2] == f"http://localhost/fixtures/blob_view.blob?_blob_column=data&_blob_hash={hello}"


@pytest.mark.asyncio
async def test_text_that_looks_like_bytes_is_left_alone(ds):
    response = await get(ds, "/fixtures/-/query.csv?sql=select+%22b%27x%27%22+as+a,+%27Bob%27%27s%27+as+b")
    assert response.text == "a,b\r\nb'x',Bob's\r\n"


@pytest.mark.asyncio
async def test_floats(ds):
    assert (await get(ds, "/fixtures/floats.csv")).text == "id,f\r\n1,1.5\r\n2,inf\r\n3,-inf\r\n4,\r\n"


@pytest.mark.asyncio
async def test_sql_error_is_400(ds):
    response = await get(ds, "/fixtures/-/query.csv?sql=select+*+from+nope", status=400)
    assert "no such table: nope" in response.text


def parse(text):
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.asyncio
async def test_stream_every_row(ds):
    page = await get(ds, "/fixtures/big.csv")
    assert len(parse(page.text)) == 101
    response = await get(ds, "/fixtures/big.csv?_stream=on")
    assert response.headers["content-type"] == PLAIN
    rows = parse(response.text)
    assert rows[0] == ["id", "name", "value"]
    assert len(rows) == BIG_ROWS + 1
    assert rows[1] == ["1", 'name 1, "quoted"', "0.25"]
    assert rows[-1] == [str(BIG_ROWS), f'name {BIG_ROWS}, "quoted"', str(BIG_ROWS / 4)]
    assert [int(row[0]) for row in rows[1:]] == list(range(1, BIG_ROWS + 1))
    headless = await get(ds, "/fixtures/big.csv?_stream=1&_header=off&_dl=1")
    assert headless.text == response.text[len("id,name,value\r\n"):]
    assert headless.headers["content-disposition"] == 'attachment; filename="big.csv"'


@pytest.mark.asyncio
async def test_stream_with_labels_and_blobs(ds):
    labelled = await get(ds, "/fixtures/facetable.csv?_stream=1&_labels=on&_size=2")
    assert labelled.text == (await get(ds, "/fixtures/facetable.csv?_labels=on")).text
    blobs = await get(ds, "/fixtures/binary_data.csv?_stream=1&_size=1")
    assert blobs.text == (await get(ds, "/fixtures/binary_data.csv")).text


@pytest.mark.asyncio
async def test_stream_without_stream_rows_renders_the_page(ds):
    response = await get(ds, "/fixtures/simple_view.csv?_stream=1")
    assert response.text == "id,upper_content\r\n1,HELLO\r\n2,WORLD\r\n3,\r\n4,\r\n"
    query = await get(ds, "/fixtures/-/query.csv?sql=select+1+as+a&_stream=1")
    assert query.text == "a\r\n1\r\n"


@pytest.mark.asyncio
async def test_stream_errors(ds, make_ds):
    response = await get(ds, "/fixtures/big.csv?_stream=1&_next=5", status=400)
    assert "_next not allowed for CSV streaming" in response.text
    off = make_ds(settings={"allow_csv_stream": False})
    response = await get(off, "/fixtures/big.csv?_stream=1", status=400)
    assert "CSV streaming is disabled" in response.text
    assert (await get(off, "/fixtures/big.csv?_stream=")).text.count("\r\n") == 101


@pytest.mark.asyncio
async def test_head_request_sends_no_body(ds):
    response = await ds.client.head("/fixtures/big.csv?_stream=1")
    assert response.status_code == 200
    assert response.headers["content-type"] == PLAIN
    assert response.content == b""


@pytest.fixture
def wide_db(tmp_path):
    path = str(tmp_path / "wide.db")
    conn = sqlite3.connect(path)
    conn.execute("create table wide (id integer primary key, text text)")
    conn.executemany("insert into wide (text) values (?)", [("é" * 597,)] * 2000)  # 600 chars a row
    conn.commit()
    conn.close()
    return path


@pytest.mark.asyncio
async def test_max_csv_mb_cuts_before_the_row_that_crosses(make_ds, wide_db):
    ds = make_ds(files=[wide_db], settings={"max_csv_mb": 1})
    text = (await get(ds, "/wide/wide.csv?_stream=1")).text
    message = "CSV contains more than 1048576 bytes"
    assert text.endswith("\r\n" + message)
    body = text[: -len(message)]
    rows, size = 0, len("id,text\r\n")  # the limit counts characters, as upstream
    while size + len(f"{rows + 1},") + 597 + 2 <= 1048576:
        rows, size = rows + 1, size + len(f"{rows + 1},") + 597 + 2
    assert len(body) == size
    assert len(parse(body)) == rows + 1
    unlimited = make_ds(files=[wide_db], settings={"max_csv_mb": 0})
    assert len(parse((await get(unlimited, "/wide/wide.csv?_stream=1")).text)) == 2001
