"""Contract tests: the architecture rules of CONVENTIONS.md, checked mechanically."""
from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from datasette import hookspecs
from datasette.plugins import builtin_plugins

ROOT = Path(__file__).resolve().parent.parent
KERNEL = ROOT / "kernel"
BUILTINS = ROOT / "builtin_plugins"

# The kernel proper (routing, databases, dispatch, CLI, API) and, separately, the
# helper library upstream plugins import from ``datasette.utils``.
KERNEL_CODE_BUDGET = 2500
UTILS_CODE_BUDGET = 1000
MODULE_CODE_BUDGET = 400


def code_lines(path: Path) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    source = path.read_text()
    docstring_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                docstring_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                          tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        code.update(range(token.start[0], token.end[0] + 1))
    return len(code - docstring_lines)


def kernel_modules() -> list[Path]:
    return sorted(KERNEL.rglob("*.py"))


def test_kernel_never_imports_builtin_plugins():
    offenders = []
    for path in kernel_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "datasette_builtins"]
    assert offenders == []


def test_importing_datasette_loads_no_plugins_and_no_builtins():
    code = ("import sys, datasette, datasette.app, datasette.cli;"
            "from datasette.plugins import pm;"
            "print(len(pm.get_plugins()), any(m.startswith('datasette_builtins') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["0", "False"]


@pytest.mark.parametrize("path", kernel_modules(), ids=lambda p: str(p.relative_to(KERNEL)))
def test_kernel_module_line_budget(path):
    if path.name == "hookspecs.py":
        return  # mostly documentation, exempt by convention
    assert code_lines(path) <= MODULE_CODE_BUDGET


def test_kernel_total_line_budget():
    utils = KERNEL / "utils"
    core = sum(code_lines(p) for p in kernel_modules()
               if p.name != "hookspecs.py" and utils not in p.parents)
    helpers = sum(code_lines(p) for p in utils.glob("*.py"))
    assert core <= KERNEL_CODE_BUDGET, f"kernel has {core} code lines"
    assert helpers <= UTILS_CODE_BUDGET, f"datasette.utils has {helpers} code lines"


def test_code_lines_counts_only_code(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Doc\nstring."""\n\n# comment\nx = 1  # trailing\n\ndef f():\n    """Doc."""\n    return x\n')
    assert code_lines(sample) == 3


@pytest.mark.parametrize("name", sorted(builtin_plugins()))
def test_builtin_plugin_has_template_shape(name):
    directory = BUILTINS / name
    module = builtin_plugins()[name]
    assert re.fullmatch(r"\d+\.\d+\.\d+", module.__version__)
    assert module.__doc__ and len(module.__doc__.strip().splitlines()) == 1
    for required in ("__init__.py", "hooks.py", "README.md", "CHANGELOG.md"):
        assert (directory / required).exists(), f"{name} lacks {required}"
    assert f"## {module.__version__}" in (directory / "CHANGELOG.md").read_text()
    assert list((directory / "tests").glob("test_*.py")), f"{name} has no tests"
    hooks_source = (directory / "hooks.py").read_text()
    assert "@hookimpl" in hooks_source


def test_plugins_md_is_fresh():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import plugins_md
    finally:
        sys.path.pop(0)
    expected = plugins_md.generate()
    assert (ROOT / "PLUGINS.md").read_text() == expected, "PLUGINS.md is stale: run make plugins-md"


def all_hook_names() -> set[str]:
    names = {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "datasette_spec")}
    for module in builtin_plugins().values():
        specs = getattr(module, "hookspecs", None)
        if specs is not None:
            names |= {n for n in dir(specs) if hasattr(getattr(specs, n), "datasette_spec")}
    return names


def test_every_hook_is_documented_in_plugins_md():
    text = (ROOT / "PLUGINS.md").read_text()
    missing = [name for name in sorted(all_hook_names()) if f"#### `{name}(" not in text]
    assert missing == []


# Hooks whose callers arrive with later built-ins (pages, permissions, CSRF, publish...).
# The test below fails when one of them gains a test, so this list only shrinks.
NOT_YET_EXERCISED: set[str] = set()


def exercised_hooks() -> set[str]:
    """Hooks implemented somewhere in a test file (as ``def NAME(``)."""
    text = "\n".join(p.read_text() for p in list((ROOT / "tests").rglob("*.py")) +
                     list(BUILTINS.rglob("tests/*.py")))
    return {name for name in all_hook_names() if re.search(rf"def {name}\(", text)}


def test_every_hook_is_exercised_by_a_test():
    exercised = exercised_hooks()
    assert sorted(all_hook_names() - exercised - NOT_YET_EXERCISED) == []
    assert sorted(NOT_YET_EXERCISED & exercised) == [], "now exercised: remove from NOT_YET_EXERCISED"


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(builtin_plugins()))
async def test_app_serves_without_each_builtin(name, tmp_path):
    """Disabling any one built-in leaves the app up: pages answer, none with a 5xx."""
    import sqlite3

    from datasette.app import Datasette

    path = tmp_path / "data.db"
    conn = sqlite3.connect(path)
    conn.executescript("create table t (id integer primary key, name text); insert into t values (1, 'a');")
    conn.close()
    ds = Datasette(files=[str(path)], disabled_plugins=[name])
    try:
        statuses = {}
        for page in ("/", "/data", "/data.json", "/data/t", "/data/t.json", "/data/t.csv", "/data/t/1",
                     "/data/-/query.json?sql=select+1", "/-/versions.json", "/-/permissions", "/-/api",
                     "/data/t?_facet=name", "/nope/at/all"):
            statuses[page] = (await ds.client.get(page)).status_code
        assert {page: s for page, s in statuses.items() if s >= 500} == {}
        assert (await ds.client.get("/nope/at/all")).status_code == 404
    finally:
        ds.close()
