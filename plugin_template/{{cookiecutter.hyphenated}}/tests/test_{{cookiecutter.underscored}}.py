"""Tests of {{ cookiecutter.hyphenated }}, run against an installed copy: python -m pytest"""
import pytest
import pytest_asyncio
from datasette.app import Datasette


@pytest_asyncio.fixture
async def datasette():
    instance = Datasette(memory=True)
    await instance.invoke_startup()
    yield instance
    instance.close()


@pytest.mark.asyncio
async def test_plugin_is_installed(datasette):
    response = await datasette.client.get("/-/plugins.json")
    assert response.status_code == 200
    assert "{{ cookiecutter.underscored }}" in {p["name"] for p in response.json()}


@pytest.mark.asyncio
async def test_route(datasette):
    response = await datasette.client.get("/-/{{ cookiecutter.hyphenated }}.json")
    assert response.status_code == 200
    assert response.json() == {"plugin": "{{ cookiecutter.hyphenated }}", "version": "0.1.0"}
{%- if cookiecutter.include_templates_directory == "yes" %}


@pytest.mark.asyncio
async def test_page(datasette):
    response = await datasette.client.get("/-/{{ cookiecutter.hyphenated }}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>{{ cookiecutter.hyphenated }}</h1>" in response.text
{%- endif %}
{%- if cookiecutter.include_static_directory == "yes" %}


@pytest.mark.asyncio
async def test_static_file(datasette):
    response = await datasette.client.get(
        "/-/static-plugins/{{ cookiecutter.underscored }}/{{ cookiecutter.hyphenated }}.css")
    assert response.status_code == 200
    assert ".{{ cookiecutter.hyphenated }} dt" in response.text
{%- endif %}
