"""BLOB downloads through the real row, table and query views (no stand-in views)."""
from __future__ import annotations

import hashlib

import pytest


@pytest.mark.asyncio
@pytest.mark.parametrize("path,body,filename", [
    ("/fixtures/binary_data/4.blob?_blob_column=data", b"\xff\x00", "binary_data-4-data.blob"),
    ("/fixtures/tilde~2Fname~2Ecsv/3.blob?_blob_column=content", b"hey", "tildenamecsv-639035-3-content.blob"),
    (f"/fixtures/-/query.blob?sql=select+data+from+binary_data&_blob_column=data"
     f"&_blob_hash={hashlib.sha256(b'hello').hexdigest()}", b"hello", "data-2cf24d.blob"),
])
async def test_downloads(real_ds, path, body, filename):
    response = await real_ds.client.get(path)
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.asyncio
async def test_expired_link(real_ds):
    response = await real_ds.client.get("/fixtures/binary_data/2.blob?_blob_column=data&_blob_hash=0")
    assert response.status_code == 400
    assert "Link has expired" in response.text
