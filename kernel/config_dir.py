"""Configuration files and configuration directory mode.

``datasette serve DIR`` and ``Datasette(config_dir=DIR)`` read from the directory:
``*.db``, ``*.sqlite``, ``*.sqlite3``; ``metadata.{json,yaml,yml}``;
``datasette.{json,yaml,yml}``; ``inspect-data.json`` (the files it lists open
immutable); ``templates/``, ``plugins/`` and ``static/`` (served at ``/static/``).
Arguments given explicitly win over what the directory holds.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datasette.utils import BadMetadataError, StartupError, parse_metadata

DATABASE_PATTERNS = ("*.db", "*.sqlite", "*.sqlite3")


def read_config_file(path: str | Path, content: str | None = None) -> dict:
    """Parse a JSON or YAML file holding an object; ``StartupError`` names the file and line.

    A ``.json`` file must be strict JSON: YAML would quietly accept some broken JSON.
    """
    path = Path(path)
    text = path.read_text() if content is None else content
    try:
        if path.suffix == ".json":
            parsed = json.loads(text) if text.strip() else {}
        else:
            parsed = parse_metadata(text)
    except json.JSONDecodeError as error:
        raise StartupError(f"{path}: not valid JSON: {error.msg} "
                           f"(line {error.lineno}, column {error.colno})") from None
    except BadMetadataError as error:
        raise StartupError(f"{path}: {error}") from None
    if not isinstance(parsed, dict):
        raise StartupError(f"{path}: must contain a JSON or YAML object")
    return parsed


def _first_existing(directory: Path, stem: str) -> Path | None:
    for suffix in (".json", ".yaml", ".yml"):
        path = directory / (stem + suffix)
        if path.exists():
            return path
    return None


def read_config_dir(directory: Path) -> dict[str, Any]:
    """The ``Datasette`` keyword arguments a configuration directory supplies."""
    found: dict[str, Any] = {
        "files": [str(p) for pattern in DATABASE_PATTERNS for p in sorted(directory.glob(pattern))]}
    for key, stem in (("metadata", "metadata"), ("config", "datasette")):
        path = _first_existing(directory, stem)
        if path is not None:
            found[key] = read_config_file(path)
    inspect_file = directory / "inspect-data.json"
    if inspect_file.exists():
        inspect_data = found["inspect_data"] = read_config_file(inspect_file)
        names = {Path(info.get("file") or name).name if isinstance(info, dict) else name
                 for name, info in inspect_data.items()}
        found["immutables"] = [f for f in found["files"] if Path(f).name in names]
    for subdir, key in (("templates", "template_dir"), ("plugins", "plugins_dir")):
        if (directory / subdir).is_dir():
            found[key] = str(directory / subdir)
    if (directory / "static").is_dir():
        found["static_mounts"] = [("static", str((directory / "static").resolve()))]
    return found
