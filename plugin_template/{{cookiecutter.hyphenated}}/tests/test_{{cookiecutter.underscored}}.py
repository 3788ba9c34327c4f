import pytest
from datasette.app import Datasette


@pytest.mark.asyncio
async def test_plugin_is_installed():
    datasette = Datasette(memory=True)
    response = await datasette.client.get("/-/plugins.json")
    assert response.status_code == 200
    assert "{{ cookiecutter.underscored }}" in {p["name"] for p in response.json()}
    datasette.close()


@pytest.mark.asyncio
async def test_route():
    datasette = Datasette(memory=True)
    response = await datasette.client.get("/-/{{ cookiecutter.hyphenated }}")
    assert response.status_code == 200
    assert response.json() == {"plugin": "{{ cookiecutter.hyphenated }}", "version": "0.1.0"}
    datasette.close()
