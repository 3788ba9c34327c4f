"""Tests for the pure helpers in datasette.utils."""
from __future__ import annotations

import hashlib
import json
import types

import pytest
from markupsafe import Markup

from datasette import utils
from datasette.utils import (
    BadMetadataError,
    CustomJSONEncoder,
    CustomRow,
    InvalidSql,
    PrefixedUrlString,
    SpatialiteNotFound,
    ValueAsBooleanError,
    actor_matches_allow,
    baseconv,
    tilde_decode,
    tilde_encode,
)
from datasette.utils.asgi import Request
from datasette.utils.check_callable import check_callable


@pytest.mark.parametrize(
    "original,encoded",
    [
        ("table/with/slashes.csv", "table~2Fwith~2Fslashes~2Ecsv"),
        ("simple_name-1", "simple_name-1"),
        ("foo bar", "foo+bar"),
        ("~tilde", "~7Etilde"),
        ("50%", "50~25"),
        ("a+b", "a~2Bb"),
        ("héllo", "h~C3~A9llo"),
        ("日", "~E6~97~A5"),
        ("", ""),
    ],
)
def test_tilde_encode_and_round_trip(original, encoded):
    assert tilde_encode(original) == encoded
    assert tilde_decode(encoded) == original


def test_tilde_decode_keeps_percent_literal():
    assert tilde_decode("50%2F") == "50%2F"
    assert tilde_decode("~2F%") == "/%"
    assert tilde_decode("plain") == "plain"


def test_urlsafe_components():
    assert utils.urlsafe_components("a~2Fb,c~2Ed,x+y") == ["a/b", "c.d", "x y"]


def test_path_from_row_pks():
    row = {"a": {"value": "x/y", "label": "X"}, "b": 3, "rowid": 7}
    assert utils.path_from_row_pks(row, ["a", "b"], False) == "x~2Fy,3"
    assert utils.path_from_row_pks(row, ["a", "b"], False, quote=False) == "x/y,3"
    assert utils.path_from_row_pks(row, [], True) == "7"


def test_compound_keys_after_sql():
    assert utils.compound_keys_after_sql(["a"]) == "((a > :p0))"
    assert utils.compound_keys_after_sql(["a", "b"]) == "((a > :p0)\n  or\n(a = :p0 and b > :p1))"
    assert utils.compound_keys_after_sql(["a", "select"], start_index=2) == "((a > :p2)\n  or\n(a = :p2 and [select] > :p3))"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("dog", '"dog"'),
        ("dog cat", '"dog" "cat"'),
        ('"dog cat"', '"dog cat"'),
        ('dog "cat', '"dog" "cat"'),
        ("AND OR", '"AND" "OR"'),
        ('""', ""),
    ],
)
def test_escape_fts(query, expected):
    assert utils.escape_fts(query) == expected


def test_path_with_added_removed_replaced_args():
    request = Request.fake("/db/t?a=1&b=2&a=3")
    assert utils.path_with_added_args(request, {"c": "x y"}) == "/db/t?a=1&b=2&a=3&c=x+y"
    assert utils.path_with_added_args(request, {"a": None}) == "/db/t?b=2"
    assert utils.path_with_added_args(request, [("z", "1")], path="/other") == "/other?a=1&b=2&a=3&z=1"
    assert utils.path_with_removed_args(request, {"a"}) == "/db/t?b=2"
    assert utils.path_with_removed_args(request, {"a": "3"}) == "/db/t?a=1&b=2"
    assert utils.path_with_removed_args(request, {"q"}, path="/x?q=1&r=2") == "/x?r=2"
    assert utils.path_with_removed_args(Request.fake("/p?a=1"), {"a"}) == "/p"
    assert utils.path_with_replaced_args(request, {"a": "9"}) == "/db/t?b=2&a=9"
    assert utils.path_with_replaced_args(request, [("b", None)]) == "/db/t?a=1&a=3"


def test_path_with_format():
    assert utils.path_with_format(request=Request.fake("/db/t?x=1"), format="json") == "/db/t.json?x=1"
    assert utils.path_with_format(request=Request.fake("/db/t"), format="csv", extra_qs={"_dl": 1}) == "/db/t.csv?_dl=1"
    assert utils.path_with_format(path="/db/t.csv", format="json", replace_format="csv") == "/db/t.json"
    assert utils.path_with_format(path="/db/t.v1", format="json", extra_qs={"b": "2", "a": "1"}) == "/db/t.v1?_format=json&a=1&b=2"


@pytest.mark.asyncio
async def test_named_parameters():
    sql = "select :a, ':b' as s, \"col:x\", :a -- :c\n/* :d */ from t where x = :long_name"
    assert utils.named_parameters(sql) == ["a", "long_name"]
    assert utils.named_parameters("select 1") == []
    assert await utils.derive_named_parameters(None, "select :x") == ["x"]


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "  SELECT * from t",
        "-- comment\nselect 1",
        "/* comment */ select 1",
        "explain select 1",
        "explain query plan select 1",
        "with x as (select 1) select * from x",
        "explain with x as (select 1) select 1",
        "select * from pragma_table_info('t')",
        "select 1\n-- pragma in a comment line",
        "select '# Title\n--\n[link](x)' as md",
    ],
)
def test_validate_sql_select_good(sql):
    assert utils.validate_sql_select(sql) is None


@pytest.mark.parametrize(
    "sql,message",
    [
        ("update t set a = 1", "Statement must be a SELECT"),
        ("-- comment\nupdate t set a = 1", "Statement must be a SELECT"),
        ("/* unterminated select 1", "Statement must be a SELECT"),
        ("/**/\nupdate t set a = 1\n/* x */ select 1", "Statement must be a SELECT"),
        ("selectx from t", "Statement must be a SELECT"),
        ("PRAGMA case_sensitive_like = true", "Statement must be a SELECT"),
        ("select * from pragma_not_allowed('x')", "disallowed PRAGMA"),
        ("select 1; pragma foo", "disallowed PRAGMA"),
    ],
)
def test_validate_sql_select_bad(sql, message):
    with pytest.raises(InvalidSql, match=message):
        utils.validate_sql_select(sql)


def test_allowed_pragmas():
    assert "table_info" in utils.allowed_pragmas and "journal_mode" not in utils.allowed_pragmas


def test_parse_metadata():
    assert utils.parse_metadata('{"title": "T"}') == {"title": "T"}
    assert utils.parse_metadata(b"title: T\nlist: [1, 2]") == {"title": "T", "list": [1, 2]}
    assert utils.parse_metadata("") == {}


def test_parse_metadata_errors_say_where():
    with pytest.raises(BadMetadataError, match=r"not valid JSON: .*line 2, column 9"):
        utils.parse_metadata('{"a": 1,\n  "b": [}')
    with pytest.raises(BadMetadataError, match=r"not valid JSON or YAML: .*line 3, column 2"):
        utils.parse_metadata("a:\n  - b\n c: d")


ROOT, STAFF = {"id": "root"}, {"id": "x", "roles": ["staff", "dev"]}


@pytest.mark.parametrize(
    "actor,allow,expected",
    [
        (None, None, True),
        (None, True, True),
        (ROOT, False, False),
        (ROOT, {}, False),
        (ROOT, {"id": "root"}, True),
        (ROOT, {"id": ["a", "root"]}, True),
        (ROOT, {"id": "other"}, False),
        (None, {"id": "*"}, False),
        (ROOT, {"id": "*"}, True),
        (STAFF, {"roles": "*"}, True),
        (ROOT, {"roles": "*"}, False),
        (None, {"unauthenticated": True}, True),
        (ROOT, {"unauthenticated": True}, False),
        (STAFF, {"roles": ["staff"]}, True),
        (STAFF, {"roles": "dev"}, True),
        (STAFF, {"id": "nope", "roles": "dev"}, True),
        ({"roles": "staff"}, {"roles": ["staff"]}, True),
    ],
)
def test_actor_matches_allow(actor, allow, expected):
    assert actor_matches_allow(actor, allow) is expected


def test_display_actor():
    assert utils.display_actor({"id": "x", "name": "Name", "login": "l"}) == "Name"
    assert utils.display_actor({"id": "x", "display": ""}) == "x"
    assert utils.display_actor({"other": 1}) == "{'other': 1}"


def test_value_as_boolean():
    assert [utils.value_as_boolean(v) for v in ("on", "TRUE", "1", "off", "False", "0")] == [True] * 3 + [False] * 3
    with pytest.raises(ValueAsBooleanError):
        utils.value_as_boolean("yes")


@pytest.mark.parametrize(
    "size,expected",
    [(0, "0 bytes"), (120, "120 bytes"), (1024, "1.0 KB"), (1536, "1.5 KB"), (1024**2 * 3, "3.0 MB"), (1024**4 * 2, "2.0 TB"), (1024**5, "1024.0 TB")],
)
def test_format_bytes(size, expected):
    assert utils.format_bytes(size) == expected


@pytest.mark.parametrize(
    "s,expected",
    [
        ("table", "table"),
        ("Table-1_x", "Table-1_x"),
        ("table/with/slashes.csv", "tablewithslashescsv-fa7563"),
        ("_foo", "foo-" + hashlib.md5(b"_foo").hexdigest()[:6]),
        ("foo bar", "foo-bar-" + hashlib.md5(b"foo bar").hexdigest()[:6]),
        ("123", "123-" + hashlib.md5(b"123").hexdigest()[:6]),
        ("ü", hashlib.md5("ü".encode()).hexdigest()[:6]),
    ],
)
def test_to_css_class(s, expected):
    assert utils.to_css_class(s) == expected


def test_is_url_and_truncate_url():
    assert utils.is_url("https://example.com/x") and utils.is_url("http://e.com")
    assert not any(utils.is_url(v) for v in ("ftp://x", "http://a b", "https://x\n", 5, None))
    assert utils.truncate_url("http://example.com/foo/bar.png", 20) == "http://example.c….png"
    assert utils.truncate_url("http://example.com/foo/bar", 20) == "http://example.com/…"
    assert utils.truncate_url("short", 50) == "short"
    assert utils.truncate_url("http://example.com/long", 0) == "http://example.com/long"


def test_remove_infinites():
    assert utils.remove_infinites([1, float("inf"), "x", float("-inf")]) == [1, None, "x", None]
    assert utils.remove_infinites({"a": float("inf"), "b": 2}) == {"a": None, "b": 2}
    row = (1, 2)
    assert utils.remove_infinites(row) is row


def test_custom_json_encoder():
    conn = utils.sqlite3.connect(":memory:")
    conn.row_factory = utils.sqlite3.Row
    row = conn.execute("select 1 as a, 'x' as b").fetchone()
    data = {"row": row, "text": b"abc", "binary": b"\xff\x00"}
    assert json.loads(json.dumps(data, cls=CustomJSONEncoder)) == {"row": [1, "x"], "text": "abc", "binary": {"$base64": True, "encoded": "/wA="}}
    with pytest.raises(TypeError):
        json.dumps({1, 2}, cls=CustomJSONEncoder)


def test_custom_row():
    row = CustomRow(["a", "b"], {"a": 1, "b": 2})
    assert (row[0], row[1], row["b"], list(row), row.columns) == (1, 2, 2, [1, 2], ["a", "b"])


def test_resolve_env_secrets(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("from-file")
    config = {"a": {"$env": "X"}, "b": [{"$file": str(secret)}], "c": {"$env": "X", "other": 1}, "d": {"$env": "MISSING"}}
    assert utils.resolve_env_secrets(config, {"X": "xx"}) == {"a": "xx", "b": ["from-file"], "c": {"$env": "X", "other": 1}, "d": None}


def test_redact_keys():
    original = {"a": 1, "secret_x": 2, "nest": {"my_token": 3, "simple_primary_key": {"q": 1}, "ok": [{"password": 1, "z": 2}]}}
    redacted = utils.redact_keys(original, ["secret", "key", "password", "token"])
    assert redacted == {"a": 1, "secret_x": "***", "nest": {"my_token": "***", "simple_primary_key": "***", "ok": [{"password": "***", "z": 2}]}}
    assert original["secret_x"] == 2


def test_deep_dict_update_copies_nested_dicts():
    source = {"x": {"y": 1}, "z": [1]}
    merged = utils.deep_dict_update({"x": {"w": 0}, "keep": 1}, source)
    assert merged == {"x": {"w": 0, "y": 1}, "z": [1], "keep": 1}
    copied = utils.deep_dict_update({}, source)
    assert copied == source and copied["x"] is not source["x"]


def test_pairs_to_nested_config():
    pairs = [("settings.sql_time_limit_ms", "100"), ("plugins.p.k", '{"x": [1]}'), ("plugins.p.s", "str"), ("flag", "true"), ("raw", 5)]
    assert utils.pairs_to_nested_config(pairs) == {
        "settings": {"sql_time_limit_ms": 100},
        "plugins": {"p": {"k": {"x": [1]}, "s": "str"}},
        "flag": True,
        "raw": 5,
    }
    with pytest.raises(ValueError, match="already holds a value"):
        utils.pairs_to_nested_config([("a", "1"), ("a.b", "2")])


def test_move_plugins_and_allow():
    metadata = {"title": "T", "plugins": {"p": {"a": 1}, "q": {"from": "metadata"}}, "databases": {"db": {"allow": False, "tables": {"t": {"plugins": {"x": 1}}}}}}
    config = {"plugins": {"q": {"from": "config"}}, "settings": {"s": 1}}
    new_metadata, new_config = utils.move_plugins_and_allow(metadata, config)
    assert new_metadata == {"title": "T"}
    assert new_config == {
        "plugins": {"p": {"a": 1}, "q": {"from": "config"}},
        "settings": {"s": 1},
        "databases": {"db": {"allow": False, "tables": {"t": {"plugins": {"x": 1}}}}},
    }
    assert "plugins" in metadata  # inputs are not mutated


def test_move_table_config():
    metadata = {"databases": {"db": {"tables": {"t": {"sort": "a", "facets": ["b"], "title": "T"}, "t2": {"hidden": True}}}}}
    config = {"databases": {"db": {"tables": {"t": {"sort": "config wins"}}}}}
    new_metadata, new_config = utils.move_table_config(metadata, config)
    assert new_metadata == {"databases": {"db": {"tables": {"t": {"title": "T"}}}}}
    assert new_config == {"databases": {"db": {"tables": {"t": {"sort": "config wins", "facets": ["b"]}, "t2": {"hidden": True}}}}}


def test_add_cors_headers():
    headers = {"x": "1"}
    utils.add_cors_headers(headers)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Methods"] == "GET, POST, HEAD, OPTIONS"
    assert len(headers) == 6


@pytest.mark.asyncio
async def test_await_me_maybe():
    async def coro():
        return 2

    assert await utils.await_me_maybe(1) == 1
    assert await utils.await_me_maybe(lambda: 1) == 1
    assert await utils.await_me_maybe(coro) == 2
    assert await utils.await_me_maybe(coro()) == 2
    assert await utils.await_me_maybe(lambda: coro()) == 2


@pytest.mark.asyncio
async def test_call_with_supported_arguments():
    def fn(datasette, request=None):
        return (datasette, request)

    def takes_all(datasette, **kwargs):
        return sorted(kwargs)

    class View:
        async def get(self, request):
            return request

    assert utils.call_with_supported_arguments(fn, datasette=1, request=2, send=3) == (1, 2)
    assert utils.call_with_supported_arguments(fn, datasette=1) == (1, None)
    assert utils.call_with_supported_arguments(fn, datasette=4, other=5) == (4, None)  # served from the cache
    assert utils.call_with_supported_arguments(takes_all, datasette=1, a=2, b=3) == ["a", "b"]
    assert await utils.async_call_with_supported_arguments(View().get, request="r", datasette=1) == "r"
    with pytest.raises(TypeError):
        utils.call_with_supported_arguments(fn, request=2)


@pytest.mark.asyncio
async def test_make_slot_function():
    async def async_impl(datasette, request, extra):
        return f"<b>{extra}</b>"

    calls = []

    def top_homepage(datasette, request, extra):
        calls.append((datasette, request, extra))
        return ["<i>sync</i>", async_impl(datasette, request, extra), None]

    datasette = types.SimpleNamespace(hook=types.SimpleNamespace(top_homepage=top_homepage))
    inner = utils.make_slot_function("top_homepage", datasette, "req", extra="x")
    result = await inner()
    assert result == "<i>sync</i><b>x</b>" and isinstance(result, Markup)
    assert calls == [(datasette, "req", "x")]


def test_prefixed_url_string():
    url = PrefixedUrlString("/prefix/db")
    assert isinstance(url + "?a=1", PrefixedUrlString) and url + "?a=1" == "/prefix/db?a=1"
    assert type(str(url)) is str and str(url) == "/prefix/db"
    assert type(url.upper()) is str


def test_find_spatialite(monkeypatch, tmp_path):
    monkeypatch.setattr(utils, "SPATIALITE_PATHS", (str(tmp_path / "missing.so"),))
    with pytest.raises(SpatialiteNotFound):
        utils.find_spatialite()
    found = tmp_path / "mod_spatialite.so"
    found.write_bytes(b"")
    monkeypatch.setattr(utils, "SPATIALITE_PATHS", (str(tmp_path / "missing.so"), str(found)))
    assert utils.find_spatialite() == str(found)
    assert "spatialite_version" in utils.SPATIALITE_FUNCTIONS


@pytest.mark.parametrize("number,encoded", [(0, "A"), (1, "B"), (62, "BA"), (1700000000, "BrDBeq"), (-5, "-F")])
def test_baseconv(number, encoded):
    assert baseconv.base62.encode(number) == baseconv.encode(number) == encoded
    assert baseconv.decode(encoded) == number


def test_check_callable():
    async def async_fn():
        pass

    class AsyncCallable:
        async def __call__(self):
            pass

    class SyncCallable:
        def __call__(self):
            pass

    assert check_callable(async_fn) == (True, True)
    assert check_callable(AsyncCallable()) == (True, True)
    assert check_callable(SyncCallable()) == (True, False)
    assert check_callable(AsyncCallable) == (True, False)
    assert check_callable(len) == (True, False)
    assert check_callable("nope") == (False, False)
    assert check_callable(async_fn).is_async_callable is True


def test_documented_marks_functions():
    names = {fn.__name__ for fn in utils.functions_marked_as_documented}
    assert {"await_me_maybe", "tilde_encode", "tilde_decode", "parse_metadata", "named_parameters", "actor_matches_allow"} <= names


@pytest.mark.asyncio
async def test_calculate_etag(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"hello")
    assert await utils.calculate_etag(path) == hashlib.md5(b"hello").hexdigest()
    path.write_bytes(b"changed!")
    assert await utils.calculate_etag(path) == hashlib.md5(b"changed!").hexdigest()


def test_reexports_from_sibling_modules():
    assert utils.escape_sqlite("select") == "[select]"
    assert utils.Column._fields[:2] == ("cid", "name")
    assert utils.MultiParams({"a": ["1"]})["a"] == "1"


def test_supported_arguments_cache_bound_methods_by_function():
    from datasette.utils import _signatures, call_with_supported_arguments

    class View:
        def __call__(self, request, datasette):
            return (request, datasette)

    before = len(_signatures)
    for _ in range(50):
        assert call_with_supported_arguments(View().__call__, request=1, datasette=2, send=3) == (1, 2)
    assert len(_signatures) - before == 1
