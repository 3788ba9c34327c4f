"""The plugin template: its output installs, passes its own tests and loads; built-ins share its shape."""
from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from datasette.plugins import builtin_plugins

from .plugins_support.server import Server
from .plugins_support.venvs import ROOT, overlay_venv, plugin_env

TEMPLATE = ROOT / "plugin_template"
BUILTINS = ROOT / "builtin_plugins"
OPTIONAL = {"templates/", "static/"}


def render(output: Path, name: str = "datasette-hello-world", static: bool = True,
           templates: bool = True) -> Path:
    return Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output), extra_context={
        "plugin_name": name, "description": "Says hello",
        "include_static_directory": "yes" if static else "no",
        "include_templates_directory": "yes" if templates else "no"}))


def plugin_files(project: Path) -> set[str]:
    """A generated project's files as a built-in keeps them: package contents at the top,
    with README, CHANGELOG and tests beside them (a built-in has no pyproject.toml)."""
    package = project / project.name.replace("-", "_")
    files = {str(p.relative_to(package)) for p in package.rglob("*") if p.is_file()}
    files |= {str(p.relative_to(project)) for p in project.rglob("*")
              if p.is_file() and package not in p.parents and p.name != "pyproject.toml"}
    return {f for f in files if "__pycache__" not in f}


def roles(files: set[str]) -> set[str]:
    """What each file is for: domain modules and test helpers are named freely."""
    found = set()
    for name in files:
        top = name.split("/")[0]
        if top in ("templates", "static"):
            found.add(top + "/")
        elif top == "tests":
            found.add("tests/test_*.py" if re.fullmatch(r"test_\w+\.py", Path(name).name) else "tests/helper")
        elif name in ("__init__.py", "hooks.py", "hookspecs.py", "README.md", "CHANGELOG.md"):
            found.add(name)
        elif "/" not in name and name.endswith(".py"):
            found.add("domain module")
        else:
            found.add(name)
    return found


def test_template_renders_with_and_without_its_optional_directories(tmp_path):
    full = render(tmp_path / "full")
    assert plugin_files(full) == {
        "__init__.py", "hooks.py", "views.py", "README.md", "CHANGELOG.md",
        "tests/test_datasette_hello_world.py",
        "templates/datasette-hello-world.html", "static/datasette-hello-world.css"}
    assert 'datasette_hello_world = "datasette_hello_world"' in (full / "pyproject.toml").read_text()
    bare = render(tmp_path / "bare", name="datasette-bare", static=False, templates=False)
    assert plugin_files(bare) == {"__init__.py", "hooks.py", "views.py", "README.md", "CHANGELOG.md",
                                  "tests/test_datasette_bare.py"}
    for source in (bare / "datasette_bare").glob("*.py"):
        assert "render_template" not in source.read_text() and ast.parse(source.read_text())
    assert "def test_page" not in (bare / "tests/test_datasette_bare.py").read_text()


def test_template_refuses_an_unusable_name(tmp_path):
    from cookiecutter.exceptions import FailedHookException
    with pytest.raises(FailedHookException):
        render(tmp_path, name="Not a name!")
    assert list(tmp_path.iterdir()) == []


def only_hookimpls(hooks_py: Path) -> list[str]:
    """Functions or classes in a hooks.py that are not @hookimpl functions."""
    others = []
    for node in ast.parse(hooks_py.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not any(ast.unparse(d).startswith("hookimpl") for d in node.decorator_list):
                others.append(node.name)
        elif isinstance(node, ast.ClassDef):
            others.append(node.name)
    return others


@pytest.fixture(scope="module")
def template_roles(tmp_path_factory) -> set[str]:
    project = render(tmp_path_factory.mktemp("shape"))
    assert only_hookimpls(project / "datasette_hello_world" / "hooks.py") == []
    return roles(plugin_files(project))


@pytest.mark.parametrize("name", sorted(builtin_plugins()))
def test_builtin_plugin_has_the_shape_of_the_template_output(name, template_roles):
    directory = BUILTINS / name
    files = {str(p.relative_to(directory)) for p in directory.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    found = roles(files)
    assert template_roles - OPTIONAL <= found, f"{name} lacks {sorted(template_roles - OPTIONAL - found)}"
    allowed = template_roles | {"hookspecs.py", "tests/helper"}
    assert found <= allowed, f"{name} has files no plugin has: {sorted(found - allowed)}"
    assert only_hookimpls(directory / "hooks.py") == []


@pytest.mark.serial
def test_generated_plugin_installs_passes_its_tests_and_is_served(tmp_path):
    """Render, `datasette install -e` into a fresh venv, run its tests, see it in a running server."""
    project = render(tmp_path / "src")
    python = overlay_venv(tmp_path / "venv")
    env = plugin_env()

    def datasette(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), "-m", *args], env=env, cwd=cwd, capture_output=True,
                              text=True, timeout=120)

    installed = datasette("datasette", "install", "-e", str(project))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    tests = datasette("pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert tests.returncode == 0 and "4 passed" in tests.stdout, tests.stdout + tests.stderr

    with Server(python, ["--memory"], env) as server:
        plugins = server.get("/-/plugins.json").json()
        assert plugins == [{"name": "datasette_hello_world", "static": True, "templates": True,
                            "version": "0.1.0", "hooks": ["register_routes"]}], server.log
        assert server.get("/-/datasette-hello-world.json").json() == {
            "plugin": "datasette-hello-world", "version": "0.1.0"}
        page = server.get("/-/datasette-hello-world")
        assert page.status_code == 200 and "<h1>datasette-hello-world</h1>" in page.text
        assert "/-/static-plugins/datasette_hello_world/datasette-hello-world.css" in page.text

    # Selected away: DATASETTE_LOAD_PLUGINS without it, or --disable-plugin.
    env["DATASETTE_LOAD_PLUGINS"] = ""
    assert datasette("datasette", "serve", "--memory", "--get", "/-/plugins.json").stdout.strip() == "[]"
    del env["DATASETTE_LOAD_PLUGINS"]
    disabled = datasette("datasette", "serve", "--memory", "--disable-plugin", "datasette-hello-world",
                         "--get", "/-/datasette-hello-world.json")
    assert disabled.returncode == 1 and '"status": 404' in disabled.stdout

    removed = datasette("datasette", "uninstall", "-y", "datasette-hello-world")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert datasette("datasette", "plugins").stdout.strip() == "[]"
