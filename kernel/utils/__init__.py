"""The documented utility functions plugins import from `datasette.utils`."""
from __future__ import annotations

import base64
import copy
import functools
import hashlib
import inspect
import json
import os
import re
import urllib.parse
from collections import OrderedDict
from typing import Any, Callable, Iterable

from markupsafe import Markup

from .asgi import MultiParams, calculate_etag  # noqa: F401  (documented here upstream)
from .check_callable import check_callable  # noqa: F401
from datasette.lazy import reexport

functions_marked_as_documented: list[Callable] = []


def documented(fn: Callable) -> Callable:
    """Mark fn as part of the documented plugin API (a docs test checks they are all listed)."""
    functions_marked_as_documented.append(fn)
    return fn


class StartupError(Exception):
    """Configuration problem that stops the server from starting."""


class BadMetadataError(Exception):
    """Metadata or config content that is neither valid JSON nor valid YAML."""


class InvalidSql(Exception):
    """SQL that is not a single read-only SELECT."""


class ValueAsBooleanError(ValueError):
    """The value is not one of on/off/true/false/1/0."""


class SpatialiteNotFound(Exception):
    """No mod_spatialite library in any of the known locations."""


class PrefixedUrlString(str):
    """A URL that already carries base_url: adding to it keeps the marker, so it is never prefixed twice."""

    def __add__(self, other: str) -> PrefixedUrlString:
        return PrefixedUrlString(str.__add__(self, other))


@documented
async def await_me_maybe(value: Any) -> Any:
    """Resolve a hook result that may be a value, a coroutine, or a callable returning either."""
    if callable(value):
        value = value()
    if inspect.isawaitable(value):
        value = await value
    return value


_signatures: dict[Any, tuple[frozenset[str], bool]] = {}


def _supported(fn: Callable, kwargs: dict[str, Any]) -> dict[str, Any]:
    # A bound method is a fresh object on every attribute access: key it by its function.
    key = (fn.__func__, True) if inspect.ismethod(fn) else fn
    try:
        names, takes_all = _signatures[key]
    except (KeyError, TypeError):  # TypeError: an unhashable callable, never cached
        params = inspect.signature(fn).parameters.values()
        names = frozenset(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        takes_all = any(p.kind == p.VAR_KEYWORD for p in params)
        if len(_signatures) < 4096 and getattr(key, "__hash__", None) is not None:
            _signatures[key] = (names, takes_all)
    return kwargs if takes_all else {k: v for k, v in kwargs.items() if k in names}


def call_with_supported_arguments(fn: Callable, **kwargs: Any) -> Any:
    """Call fn with only the keyword arguments its signature names."""
    return fn(**_supported(fn, kwargs))


async def async_call_with_supported_arguments(fn: Callable, **kwargs: Any) -> Any:
    """Await fn called with only the keyword arguments its signature names."""
    return await fn(**_supported(fn, kwargs))


_TILDE_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_TILDE_BYTES = [chr(b) if b in _TILDE_SAFE else "+" if b == 32 else f"~{b:02X}" for b in range(256)]
_tilde_safe_re = re.compile(r"[A-Za-z0-9_\-]*")


@documented
def tilde_encode(s: str) -> str:
    """Encode s for a URL path component: `/` becomes `~2F`, `.` becomes `~2E`, space becomes `+`."""
    if _tilde_safe_re.fullmatch(s):
        return s
    if s.isascii():
        return s.translate(_TILDE_BYTES)
    return "".join([_TILDE_BYTES[b] for b in s.encode("utf-8")])


@documented
def tilde_decode(s: str) -> str:
    """Reverse tilde_encode; a literal `%` is kept as is."""
    if "~" not in s and "+" not in s:
        return s
    return urllib.parse.unquote_plus(s.replace("%", "~25").replace("~", "%"))


def urlsafe_components(token: str) -> list[str]:
    """Split a comma-separated token of tilde-encoded values (row paths, _next) and decode each."""
    return [tilde_decode(bit) for bit in token.split(",")]


def path_from_row_pks(row: Any, pks: list[str], use_rowid: bool, quote: bool = True) -> str:
    """The row's URL component: comma-joined (tilde-encoded) primary key values, or its rowid."""
    if use_rowid:
        bits = [row["rowid"]]
    else:
        bits = [row[pk]["value"] if isinstance(row[pk], dict) else row[pk] for pk in pks]
    return ",".join(tilde_encode(str(bit)) if quote else str(bit) for bit in bits)


def compound_keys_after_sql(pks: list[str], start_index: int = 0) -> str:
    """WHERE clause selecting rows after `:p{start_index}...` in primary key order (keyset pagination)."""
    clauses = []
    for i in range(len(pks)):
        equal = [f"{escape_sqlite(pk)} = :p{j + start_index}" for j, pk in enumerate(pks[:i])]
        clauses.append("(" + " and ".join(equal + [f"{escape_sqlite(pks[i])} > :p{i + start_index}"]) + ")")
    return "(" + "\n  or\n".join(clauses) + ")"


_fts_term_re = re.compile(r'"[^"]*"|[^\s"]+')


def escape_fts(query: str) -> str:
    """Quote each term so user input can't use FTS query syntax; unbalanced quotes are closed."""
    if query.count('"') % 2:
        query += '"'
    terms = [t for t in _fts_term_re.findall(query) if t != '""']
    return " ".join(t if t.startswith('"') else f'"{t}"' for t in terms)


def _with_query(path: str, pairs: list[tuple[str, str]]) -> str:
    query = urllib.parse.urlencode(pairs)
    return f"{path}?{query}" if query else path


def _pairs(args: Any) -> list[tuple[str, Any]]:
    return list(args.items() if isinstance(args, dict) else args)


def path_with_added_args(request: Any, args: Any, path: str | None = None) -> str:
    """Current path with args (dict or pairs) added; a None value removes that key."""
    args = _pairs(args)
    removed = {k for k, v in args if v is None}
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string) if k not in removed]
    return _with_query(path or request.path, kept + [(k, v) for k, v in args if v is not None])


def path_with_removed_args(request: Any, args: Any, path: str | None = None) -> str:
    """Current path without args: a set/list of keys, or a dict of exact key/value pairs."""
    query = request.query_string
    if path is None:
        path = request.path
    elif "?" in path:
        path, query = path.split("?", 1)
    drop = (lambda k, v: args.get(k) == v) if isinstance(args, dict) else (lambda k, v: k in args)
    return _with_query(path, [(k, v) for k, v in urllib.parse.parse_qsl(query) if not drop(k, v)])


def path_with_replaced_args(request: Any, args: Any, path: str | None = None) -> str:
    """Current path with every value of each given key replaced (None removes the key)."""
    args = _pairs(args)
    keys = {k for k, _ in args}
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string) if k not in keys]
    return _with_query(path or request.path, kept + [(k, v) for k, v in args if v is not None])


def path_with_format(*, request: Any = None, path: str | None = None, format: str, extra_qs: dict | None = None, replace_format: str | None = None) -> str:
    """Path for another output format: `.format` suffix, or `?_format=` when the path already has a dot."""
    qs = dict(extra_qs or {})
    path = request.path if request is not None else path
    if replace_format and path.endswith(f".{replace_format}"):
        path = path[: -(1 + len(replace_format))]
    if "." in path:
        qs["_format"] = format
    else:
        path = f"{path}.{format}"
    query = "&".join(q for q in (request.query_string if request is not None else "", urllib.parse.urlencode(sorted(qs.items()))) if q)
    return f"{path}?{query}" if query else path


_sql_noise_re = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", re.DOTALL)
_named_param_re = re.compile(r"(?<![:\w]):(\w+)")


@documented
def named_parameters(sql: str) -> list[str]:
    """The distinct `:name` parameters in sql, ignoring comments and quoted strings."""
    return list(dict.fromkeys(_named_param_re.findall(_sql_noise_re.sub(" ", sql))))


async def derive_named_parameters(db: Any, sql: str) -> list[str]:
    """Async alias of named_parameters, kept for plugins written against older releases."""
    return named_parameters(sql)


allowed_pragmas = ("database_list", "foreign_key_list", "function_list", "index_info", "index_list", "index_xinfo", "page_count", "max_page_count", "page_size", "schema_version", "table_info", "table_xinfo", "table_list")
_leading_comments_re = re.compile(r"(\s+|--[^\n]*(\n|$)|/\*.*?\*/)*", re.DOTALL)
_select_re = re.compile(r"(explain\s+(query\s+plan\s+)?)?(select|with)\b")
_pragma_re = re.compile(r"pragma(?!_(?:{})\s*\()".format("|".join(allowed_pragmas)))


def validate_sql_select(sql: str) -> None:
    """Raise InvalidSql unless sql is a SELECT/WITH/EXPLAIN using only allowed pragma functions."""
    sql = "\n".join(line for line in sql.split("\n") if not line.strip().startswith("--"))
    sql = sql[_leading_comments_re.match(sql).end():].lower()
    if not _select_re.match(sql):
        raise InvalidSql("Statement must be a SELECT")
    if _pragma_re.search(sql):
        raise InvalidSql("Statement contained a disallowed PRAGMA. Allowed pragma functions are {}".format(", ".join(allowed_pragmas)))


@documented
def parse_metadata(content: str | bytes) -> Any:
    """Parse JSON, falling back to YAML; BadMetadataError says what is wrong and where."""
    try:
        return json.loads(content)
    except ValueError as json_error:
        import yaml  # imported on demand: it is slow to import and most configs are small

        try:
            parsed = yaml.safe_load(content)
        except yaml.YAMLError as yaml_error:
            if content.lstrip()[:1] in ("{", "[", b"{", b"["):
                where = f"line {json_error.lineno}, column {json_error.colno}"  # type: ignore[attr-defined]
                raise BadMetadataError(f"Metadata is not valid JSON: {json_error.msg} ({where})") from None  # type: ignore[attr-defined]
            mark = getattr(yaml_error, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            problem = getattr(yaml_error, "problem", None) or str(yaml_error)
            raise BadMetadataError(f"Metadata is not valid JSON or YAML: {problem}{where}") from None
        return {} if parsed is None else parsed


@documented
def actor_matches_allow(actor: dict | None, allow: Any) -> bool:
    """Whether actor satisfies an allow block (True/False/None, or a dict of key -> value(s) or "*").

    A key the actor lacks, or holds as None, never matches. An allow block of any
    other shape (a list, a string...) matches nobody rather than raising.
    """
    if allow is None or allow is True:
        return True
    if not isinstance(allow, dict):
        return False
    if actor is None and allow.get("unauthenticated") is True:
        return True
    actor = actor if isinstance(actor, dict) else {}
    for key, values in allow.items():
        if key not in actor:
            continue
        if values == "*":
            return True
        if actor[key] is None:
            continue
        actor_values = actor[key] if isinstance(actor[key], list) else [actor[key]]
        values = values if isinstance(values, list) else [values]
        if any(value in values for value in actor_values):
            return True
    return False


def display_actor(actor: dict) -> str:
    """A human name for the actor: display, name, username, login or id."""
    for key in ("display", "name", "username", "login", "id"):
        if actor.get(key):
            return actor[key]
    return str(actor)


def value_as_boolean(value: Any) -> bool:
    """on/true/1 -> True, off/false/0 -> False, anything else raises ValueAsBooleanError."""
    value = str(value).lower()
    if value not in ("on", "off", "true", "false", "1", "0"):
        raise ValueAsBooleanError(value)
    return value in ("on", "true", "1")


def format_bytes(bytes: float) -> str:
    """Human file size: `120 bytes`, `1.5 KB` ... `TB`."""
    current = float(bytes)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if current < 1024 or unit == "TB":
            break
        current /= 1024
    return f"{int(current)} {unit}" if unit == "bytes" else f"{current:.1f} {unit}"


_css_class_re = re.compile(r"[a-zA-Z]+[_a-zA-Z0-9-]*")
_css_invalid_re = re.compile(r"[^a-zA-Z0-9_\-]")


@functools.lru_cache(maxsize=4096)
def to_css_class(s: str) -> str:
    """s if it is a valid CSS class, else s stripped of invalid characters plus `-` and 6 hex of its md5."""
    if _css_class_re.fullmatch(s):
        return s
    suffix = hashlib.md5(s.encode("utf-8"), usedforsecurity=False).hexdigest()[:6]
    cleaned = _css_invalid_re.sub("", "-".join(s.lstrip("_").lstrip("-").split()))
    return f"{cleaned}-{suffix}" if cleaned else suffix


def is_url(value: Any) -> bool:
    """True for http(s) URLs without whitespace."""
    return isinstance(value, str) and value.startswith(("http://", "https://")) and not re.search(r"\s", value)


def truncate_url(url: str, length: int) -> str:
    """Shorten url to length characters with an ellipsis, keeping a short file extension."""
    if not length or len(url) <= length:
        return url
    rest, dot, ext = url.rpartition(".")
    if dot and 1 <= len(ext) <= 4 and "/" not in ext:
        return rest[: length - 1 - len(ext)] + "…." + ext
    return url[: length - 1] + "…"


_infinities = {float("inf"), float("-inf")}


def remove_infinites(row: Any) -> Any:
    """Replace infinite floats with None (JSON has no Infinity); returns row unchanged if none."""
    values = row.values() if isinstance(row, dict) else row
    if not any(isinstance(v, float) and v in _infinities for v in values):
        return row
    clean = lambda v: None if isinstance(v, float) and v in _infinities else v  # noqa: E731
    return {k: clean(v) for k, v in row.items()} if isinstance(row, dict) else [clean(v) for v in row]


class CustomJSONEncoder(json.JSONEncoder):
    """JSON encoder for SQLite values: rows become lists, bytes become text or base64."""

    def default(self, obj: Any) -> Any:
        if isinstance(obj, (sqlite3.Row, sqlite3.Cursor)):
            return list(obj)
        if isinstance(obj, bytes):
            try:
                return obj.decode("utf-8")
            except UnicodeDecodeError:
                return {"$base64": True, "encoded": base64.b64encode(obj).decode("latin-1")}
        return super().default(obj)


class CustomRow(OrderedDict):
    """A dict row that, like sqlite3.Row, also supports integer indexes and iterates over values."""

    def __init__(self, columns: list[str], values: Any = None) -> None:
        super().__init__(values or {})
        self.columns = columns

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self.columns[key] if isinstance(key, int) else key)

    def __iter__(self):
        return (self[column] for column in self.columns)


def resolve_env_secrets(config: Any, environ: dict[str, str]) -> Any:
    """Replace `{"$env": "NAME"}` with the environment value and `{"$file": "path"}` with the file's contents."""
    if isinstance(config, dict):
        if list(config) == ["$env"]:
            return environ.get(config["$env"])
        if list(config) == ["$file"]:
            with open(config["$file"]) as fp:
                return fp.read()
        return {key: resolve_env_secrets(value, environ) for key, value in config.items()}
    if isinstance(config, list):
        return [resolve_env_secrets(value, environ) for value in config]
    return config


def redact_keys(original: Any, key_patterns: Iterable[str]) -> Any:
    """Copy with "***" for every value whose key contains any of key_patterns."""
    patterns = tuple(key_patterns)
    if isinstance(original, dict):
        return {k: "***" if any(p in str(k) for p in patterns) else redact_keys(v, patterns) for k, v in original.items()}
    if isinstance(original, list):
        return [redact_keys(item, patterns) for item in original]
    return original


def deep_dict_update(dict1: dict, dict2: dict) -> dict:
    """Recursively merge dict2 into dict1 (in place; nested dicts of dict2 are copied) and return dict1."""
    for key, value in dict2.items():
        if isinstance(value, dict):
            existing = dict1.get(key)
            dict1[key] = deep_dict_update(existing if isinstance(existing, dict) else {}, value)
        else:
            dict1[key] = value
    return dict1


def pairs_to_nested_config(pairs: Iterable[tuple[str, Any]]) -> dict:
    """`[("a.b", "1")]` -> `{"a": {"b": 1}}`; string values are parsed as JSON when they can be."""
    result: dict = {}
    for key, value in pairs:
        *parents, last = key.split(".")
        target = result
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ValueError(f"Cannot set {key!r}: {part!r} already holds a value")
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        target[last] = value
    return result


def _prune_empty(d: dict) -> dict:
    for key, value in list(d.items()):
        if isinstance(value, dict) and not _prune_empty(value):
            del d[key]
    return d


def move_plugins_and_allow(source: dict, destination: dict) -> tuple[dict, dict]:
    """Move every `plugins`/`allow` key from metadata (source) to the same place in config (destination)."""
    source, destination = copy.deepcopy(source), copy.deepcopy(destination)

    def walk(node: dict, path: list[str]) -> None:
        for key in list(node):
            if key in ("plugins", "allow"):
                target = destination
                for step in path:
                    target = target.setdefault(step, {})
                moved, existing = node.pop(key), target.get(key)
                if isinstance(moved, dict) and isinstance(existing, dict):
                    target[key] = deep_dict_update(moved, existing)  # config wins over metadata
                elif key not in target:
                    target[key] = moved
            elif isinstance(node[key], dict):
                walk(node[key], path + [key])

    walk(source, [])
    _prune_empty(source)
    return source, destination


TABLE_CONFIG_KEYS = ("hidden", "sort", "sort_desc", "size", "sortable_columns", "label_column", "facets", "facet_size", "fts_table", "fts_pk", "searchmode")


def move_table_config(metadata: dict, config: dict) -> tuple[dict, dict]:
    """Move table configuration keys (sort, facets, hidden...) from metadata into config."""
    metadata, config = copy.deepcopy(metadata), copy.deepcopy(config)
    for db_name, database in (metadata.get("databases") or {}).items():
        for table_name, table in ((database or {}).get("tables") or {}).items():
            for key in TABLE_CONFIG_KEYS:
                if isinstance(table, dict) and key in table:
                    tables = config.setdefault("databases", {}).setdefault(db_name, {}).setdefault("tables", {})
                    tables.setdefault(table_name, {}).setdefault(key, table.pop(key))
    _prune_empty(metadata)
    return metadata, config


CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Expose-Headers": "Link", "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS", "Access-Control-Max-Age": "3600"}


def add_cors_headers(headers: dict[str, str]) -> None:
    """Add the `--cors` response headers to a headers dict."""
    headers.update(CORS_HEADERS)


def make_slot_function(name: str, datasette: Any, request: Any, **kwargs: Any) -> Callable:
    """An async template function returning the joined Markup of every `name` hook result."""
    async def inner() -> Markup:
        results = getattr(datasette.hook, name)(datasette=datasette, request=request, **kwargs)
        return Markup("".join([str(await await_me_maybe(r) or "") for r in results]))

    return inner


SPATIALITE_PATHS = ("/usr/lib/x86_64-linux-gnu/mod_spatialite.so", "/usr/lib/aarch64-linux-gnu/mod_spatialite.so", "/usr/local/lib/mod_spatialite.dylib", "/usr/local/lib/mod_spatialite.so", "/opt/homebrew/lib/mod_spatialite.dylib")
SPATIALITE_FUNCTIONS = ("spatialite_version", "spatialite_target_cpu", "check_strict_mode", "geos_version", "proj4_version", "lwgeom_version", "libxml2_version")


def find_spatialite() -> str:
    """Path of the first mod_spatialite found in SPATIALITE_PATHS; raises SpatialiteNotFound."""
    path = next((path for path in SPATIALITE_PATHS if os.path.exists(path)), None)
    if path is None:
        raise SpatialiteNotFound(f"Could not find mod_spatialite in {', '.join(SPATIALITE_PATHS)}")
    return path


class _Base62:
    """Base 62 integer codec (upstream's digit order); `.base62` is itself, so `baseconv.base62.encode` works."""

    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz"

    def encode(self, number: int) -> str:
        number = int(number)
        sign, number, out = "-" if number < 0 else "", abs(number), ""
        while True:
            number, digit = divmod(number, 62)
            out = self.digits[digit] + out
            if not number:
                return sign + out

    def decode(self, text: str) -> int:
        sign, text = (-1, text[1:]) if text.startswith("-") else (1, text)
        number = 0
        for char in text:
            number = number * 62 + self.digits.index(char)
        return sign * number


baseconv = _Base62()
baseconv.base62 = baseconv  # type: ignore[attr-defined]


async def initial_path_for_datasette(datasette: Any) -> str:
    """Where `datasette --open` goes: the only table of the only database, that database, or `/`."""
    if len(datasette.databases) != 1:
        return datasette.urls.instance()
    (name, db), = datasette.databases.items()
    tables = await db.table_names()
    return datasette.urls.table(name, tables[0]) if len(tables) == 1 else datasette.urls.database(name)


from datasette.utils.sqlite import sqlite3, sqlite_version, supports_table_xinfo, escape_sqlite, sqlite_timelimit  # noqa: E402,F401
from datasette.utils.introspection import Column, table_columns, table_column_details, detect_primary_keys, detect_fts, detect_json1, get_outbound_foreign_keys, get_all_foreign_keys, detect_spatialite  # noqa: E402,F401


# Upstream's helper for publish plugins lives in the publish plugin: looked up lazily.
__getattr__ = reexport(__name__, "datasette_builtins.publish.common", lambda name: name == "temporary_docker_directory")
