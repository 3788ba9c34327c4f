"""The README's main command serves the demo database: every page of it must work."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from datasette.app import Datasette

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    subprocess.run([sys.executable, str(ROOT / "demo" / "build_demo.py"), str(path)], check=True,
                   capture_output=True)
    return path


@pytest.mark.asyncio
async def test_every_demo_page_renders(demo_db):
    import json

    metadata = json.loads((ROOT / "demo" / "metadata.json").read_text())
    ds = Datasette(files=[str(demo_db)], metadata=metadata)
    try:
        paths = ["/", "/-/", "/demo", "/demo.json", "/.json", "/demo/airports/ORD", "/demo/airports/ORD.json",
                 "/demo/-/query?sql=select+count(*)+from+airports",
                 "/demo/airports?_search=chicago", "/demo/airports.json?_search=chicago&_labels=on",
                 "/demo/weather?weather=rain&_sort_desc=precipitation", "/demo/airports.csv?_labels=on"]
        for table in ("airports", "states", "cities", "weather", "airports_by_state", "weather_by_month"):
            paths += [f"/demo/{table}", f"/demo/{table}.json", f"/demo/{table}.csv"]
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:500])
        search = (await ds.client.get("/demo/airports.json?_search=chicago&_shape=array")).json()
        assert {row["iata"] for row in search} >= {"ORD", "MDW"}
        index = (await ds.client.get("/")).text
        assert "airports" in index and "weather" in index
        assert "<h1>Datasette demo: US airports and Seattle weather</h1>" in index
        assert "https://www.usa.gov/government-works" in index
    finally:
        ds.close()
