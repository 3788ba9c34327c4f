"""Published Datasette plugins from PyPI, installed with `datasette install`, doing their job.

Run with `make test-plugins` (`-m plugins --run-plugins`): the first run builds a venv
with this project in `.pytest-plugins-venv/` and installs the plugins from PyPI into
it; later runs reuse it. One real server (uvicorn, 127.0.0.1, free port) serves the
demo database and a small content database, with every plugin loaded at once.
"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .plugins_support.server import Server
from .plugins_support.venvs import ROOT, plugin_env, project_venv

pytestmark = pytest.mark.plugins

# The releases checked (README.md, "Plugins checked"). datasette-leaflet comes in as a
# dependency of datasette-cluster-map.
PLUGINS = {
    "datasette-atom": "0.9",
    "datasette-auth-passwords": "1.1.1",
    "datasette-block-robots": "1.1.1",
    "datasette-cluster-map": "0.18.2",
    "datasette-copyable": "0.3.2",
    "datasette-cors": "1.0.1",
    "datasette-json-html": "1.0.1",
    "datasette-pretty-json": "0.3",
    "datasette-render-markdown": "2.2.1",
    "datasette-vega": "0.6.2",
}
PASSWORD = "correct horse battery staple"
CLIENT_ORIGIN = "https://client.example"
RECENT_WEATHER = """
    select date as atom_id, 'Seattle weather on ' || date as atom_title,
           date || 'T12:00:00Z' as atom_updated,
           weather || ', ' || temp_max || ' C' as atom_content
    from weather order by date desc limit 10"""


@pytest.fixture(scope="session")
def python() -> Path:
    """A venv with this project, the plugins added by `datasette install` (a no-op once there)."""
    python = project_venv(ROOT / ".pytest-plugins-venv")
    result = run(python, "datasette", "install", *(f"{name}=={v}" for name, v in PLUGINS.items()))
    assert result.returncode == 0, result.stdout + result.stderr
    return python


def run(python: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", *args], env=plugin_env(), input=input,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def password_hash(python) -> str:
    """A hash made by datasette-auth-passwords' own command, `datasette hash-password`."""
    result = run(python, "datasette", "hash-password", "--no-confirm", input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="session")
def server(python, password_hash, tmp_path_factory):
    directory = tmp_path_factory.mktemp("served")
    demo = directory / "demo.db"
    subprocess.run([str(python), str(ROOT / "demo" / "build_demo.py"), str(demo)], check=True)
    content = directory / "content.db"
    conn = sqlite3.connect(content)
    conn.executescript("""
        create table notes (id integer primary key, title text, body_markdown text, link text, data text);
        insert into notes values (1, 'First', '# Hello' || char(10) || char(10) ||
            'Some *emphasis* and <script>alert(1)</script>',
            '{"href": "https://example.com/", "label": "Example site"}', '{"b": [1, 2], "a": "x"}');
    """)
    conn.close()
    config = directory / "datasette.json"
    config.write_text(json.dumps({
        "plugins": {
            "datasette-auth-passwords": {"root_password_hash": password_hash},
            "datasette-cors": {"hosts": [CLIENT_ORIGIN]},
        },
        "databases": {"demo": {"queries": {"recent_weather": {
            "title": "Recent Seattle weather", "sql": RECENT_WEATHER}}}},
    }))
    with Server(python, [str(demo), str(content), "-c", str(config)], plugin_env()) as server:
        yield server


def page(server, path: str, **kwargs) -> BeautifulSoup:
    response = server.get(path, follow_redirects=True, **kwargs)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:500]}"
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_installed_by_datasette_install_and_listed(python):
    listed = {p["name"]: p for p in json.loads(run(python, "datasette", "plugins").stdout)}
    for name, version in PLUGINS.items():
        module = name.replace("-", "_")
        assert listed[module]["version"] == version and listed[module]["enabled"], listed.get(module)
    # Still this project's datasette, not the upstream package.
    assert run(python, "datasette", "--version").stdout.strip().endswith("1.0a19+kernel.1")


def test_served_plugins_json(server):
    served = {p["name"]: p for p in server.get("/-/plugins.json").json()}
    assert {name.replace("-", "_") for name in PLUGINS} | {"datasette_leaflet"} <= set(served)
    assert served["datasette_cluster_map"]["static"] is True
    assert served["datasette_cluster_map"]["hooks"] == ["extra_body_script", "extra_js_urls"]


def test_cluster_map_on_a_table_with_latitude_and_longitude(server):
    html = server.get("/demo/airports").text
    soup = page(server, "/demo/airports")
    module = soup.find("script", src="/-/static-plugins/datasette-cluster-map/datasette-cluster-map.js")
    assert module is not None and module.get("type") == "module", html[:3000]
    assert 'window.DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN = "latitude";' in html
    assert 'window.DATASETTE_CLUSTER_MAP_LONGITUDE_COLUMN = "longitude";' in html
    assert "MARKERCLUSTER_URL: '/-/static-plugins/datasette-cluster-map/leaflet.markercluster.min.js'" in html
    assert "JAVASCRIPT_URL: '/-/static-plugins/datasette-leaflet/leaflet-v1.7.1.js'" in html  # datasette-leaflet
    # The script puts the map before the table and reads the rows as its JS does.
    assert soup.select_one(".table-wrapper, table.rows-and-columns") is not None
    for asset in ("datasette-cluster-map/datasette-cluster-map.js", "datasette-leaflet/leaflet-v1.7.1.js"):
        response = server.get(f"/-/static-plugins/{asset}")
        assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    data = server.get("/demo/airports.json?_size=max&_labels=on&_extra=count&_extra=next_url"
                      "&_shape=objects").json()
    assert data["count"] == 3376 and len(data["rows"]) == 1000 and data["next_url"]
    assert {"latitude", "longitude"} <= set(data["rows"][0])
    following = server.get(data["next_url"]).json()
    assert len(following["rows"]) == 1000 and following["rows"][0] != data["rows"][0]
    # No map where there is nothing to map.
    assert "datasette-cluster-map.js" not in server.get("/demo/weather").text


def test_vega_script_and_its_data(server):
    soup = page(server, "/demo/weather")
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    styles = [s["href"] for s in soup.find_all("link", rel="stylesheet")]
    assert "/-/static-plugins/datasette_vega/main.08f5d3d8.js" in scripts
    assert "/-/static-plugins/datasette_vega/main.2acbb312.css" in styles
    assert server.get("/-/static-plugins/datasette_vega/main.08f5d3d8.js").status_code == 200
    # The script finds the JSON export link and asks it for _shape=array.
    json_link = soup.select_one(".export-links a[href*=json]")
    assert json_link is not None
    href = json_link["href"]
    rows = server.get(href + ("&" if "?" in href else "?") + "_shape=array").json()
    assert isinstance(rows, list) and rows[0].keys() >= {"date", "temp_max", "weather"}
    assert soup.select_one("table.rows-and-columns") is not None


def cell(soup: BeautifulSoup, column: str):
    found = soup.select_one(f"td.col-{column}")
    assert found is not None, soup.prettify()[:3000]
    return found


@pytest.mark.parametrize("path", ["/content/notes", "/content/notes/1",
                                  "/content/-/query?sql=select+*+from+notes"])
def test_render_cell_plugins(server, path):
    soup = page(server, path)
    markdown = cell(soup, "body_markdown")  # datasette-render-markdown: *_markdown columns
    assert markdown.find("h1").text == "Hello" and markdown.find("em").text == "emphasis"
    assert markdown.find("script") is None and "&lt;script&gt;" in str(markdown)
    link = cell(soup, "link").find("a")  # datasette-json-html
    assert link["href"] == "https://example.com/" and link.text == "Example site"
    pretty = cell(soup, "data").find("pre")  # datasette-pretty-json (trylast)
    assert pretty is not None and json.loads(pretty.text) == {"b": [1, 2], "a": "x"}
    assert pretty.text.startswith('{\n    "b": [')


def test_copyable_output_renderer_on_a_table(server):
    table = page(server, "/demo/states")
    assert table.select_one('a[href^="/demo/states.copyable"]') is not None  # export link
    soup = page(server, "/demo/states.copyable?_sort=code&_size=3&_table_format=github")
    assert soup.find("h1").text == "Copy as github"
    assert [a.text for a in soup.select("p.crumbs a")] == ["home", "demo", "states"]
    text = soup.select_one("textarea.copyable").text
    assert text.splitlines() == ["| code   | name     | type   |", "|--------|----------|--------|",
                                 "| AK     | Alaska   | state  |", "| AL     | Alabama  | state  |",
                                 "| AR     | Arkansas | state  |"]  # as upstream 1.0a19 renders it
    raw = server.get("/demo/states.copyable?_sort=code&_size=2&_raw=1")
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.text.splitlines() == ["code\tname\ttype", "AK\tAlaska\tstate", "AL\tAlabama\tstate"]


def test_copyable_output_renderer_on_a_query(server):
    soup = page(server, "/demo/-/query?sql=select+1+as+one,+2+as+two")
    link = soup.select_one('.export-links a[href^="/demo/-/query.copyable"]')
    assert link is not None
    copy = page(server, link["href"])
    assert copy.find("h1").text == "Copy as tsv"
    assert [a.text for a in copy.select("p.crumbs a")] == ["home", "demo"]
    assert copy.select_one("textarea.copyable").text.splitlines() == ["one\ttwo", "1\t2"]
    raw = server.get(link["href"] + "&_raw=1")
    assert raw.text.splitlines() == ["one\ttwo", "1\t2"]


def test_block_robots_route(server):
    response = server.get("/robots.txt")
    assert response.status_code == 200 and response.text == "User-agent: *\nDisallow: /"


def test_cors_headers(server):
    allowed = server.get("/demo.json", headers={"Origin": CLIENT_ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CLIENT_ORIGIN
    other = server.get("/demo.json", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_auth_passwords_login_with_hash_from_its_cli(server, password_hash):
    assert password_hash.startswith("pbkdf2_sha256$")
    server.client.cookies.clear()
    form = page(server, "/-/login")
    token = form.find("input", {"name": "csrftoken"})["value"]
    wrong = server.request("POST", "/-/login", data={
        "username": "root", "password": "nope", "csrftoken": token})
    assert wrong.status_code == 200 and "Invalid username or password" in wrong.text
    login = server.request("POST", "/-/login", data={
        "username": "root", "password": PASSWORD, "csrftoken": token})
    assert login.status_code == 302 and login.headers["location"] == "/"
    assert "ds_actor" in login.cookies  # kept by the client for the next request
    actor = server.get("/-/actor.json").json()
    server.client.cookies.clear()
    assert actor == {"actor": {"id": "root"}}


def test_atom_feed_from_a_canned_query(server):
    soup = page(server, "/demo/recent_weather")
    assert soup.select_one('a[href^="/demo/recent_weather.atom"]') is not None  # can_render said yes
    response = server.get("/demo/recent_weather.atom")
    assert response.status_code == 200, response.text[:1000]
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    feed = ElementTree.fromstring(response.content)
    assert feed.find("atom:title", ns).text == "Recent Seattle weather"
    entries = feed.findall("atom:entry", ns)
    assert len(entries) == 10
    assert re.fullmatch(r"Seattle weather on \d{4}-\d\d-\d\d", entries[0].find("atom:title", ns).text)
    # No export link, and a 400 naming the columns, where the columns aren't there.
    assert "/demo/weather.atom" not in server.get("/demo/weather").text
    bad = server.get("/demo/-/query.atom?sql=select+1+as+one")
    assert bad.status_code == 400 and "SQL query must return columns" in bad.text


def test_serving_with_only_a_chosen_set_of_plugins(python, server):
    """Installed plugins chosen with DATASETTE_LOAD_PLUGINS, a built-in switched off."""
    demo = str(server.command[server.command.index("serve") + 1])

    def get(path: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(python), "-m", "datasette", "serve", demo, "--disable-plugin", "csv_renderer", "--get", path],
            env=plugin_env(DATASETTE_LOAD_PLUGINS="datasette-cluster-map,datasette-leaflet"),
            capture_output=True, text=True, timeout=60)

    loaded = {p["name"] for p in json.loads(get("/-/plugins.json").stdout)}
    assert loaded == {"datasette_cluster_map", "datasette_leaflet"}
    every = {p["name"]: p.get("enabled") for p in json.loads(get("/-/plugins.json?all=1").stdout)}
    assert every["datasette_builtins.csv_renderer"] is False
    html = get("/demo/airports").stdout
    assert "datasette-cluster-map.js" in html and "datasette_vega" not in html
    assert "airports.csv" not in html  # no export link for a disabled renderer
    assert get("/demo/airports.csv").returncode == 1

