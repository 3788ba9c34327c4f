"""The Filters engine: every lookup's SQL, parameters and English."""
from __future__ import annotations

import pytest

from datasette.filters import FilterArguments, Filters
from datasette.utils.asgi import BadRequest


@pytest.mark.parametrize("pair,sql,params,human", [
    (("a", "1"), ['"a" = :p0'], {"p0": "1"}, "where a = 1"),
    (("a__exact", "x"), ['"a" = :p0'], {"p0": "x"}, 'where a = "x"'),
    (("a__not", "3"), ['"a" != :p0'], {"p0": "3"}, "where a != 3"),
    (("a__not", "x"), ['"a" != :p0'], {"p0": "x"}, 'where a != "x"'),
    (("a__contains", "x"), ['"a" like :p0'], {"p0": "%x%"}, 'where a contains "x"'),
    (("a__notcontains", "x"), ['"a" not like :p0'], {"p0": "%x%"}, 'where a does not contain "x"'),
    (("a__endswith", "x"), ['"a" like :p0'], {"p0": "%x"}, 'where a ends with "x"'),
    (("a__startswith", "x"), ['"a" like :p0'], {"p0": "x%"}, 'where a starts with "x"'),
    (("a__gt", "5"), ['"a" > :p0'], {"p0": 5}, "where a > 5"),
    (("a__gt", "x"), ['"a" > :p0'], {"p0": "x"}, "where a > x"),
    (("a__gte", "5"), ['"a" >= :p0'], {"p0": 5}, "where a \u2265 5"),
    (("a__lt", "5"), ['"a" < :p0'], {"p0": 5}, "where a < 5"),
    (("a__lte", "1.5"), ['"a" <= :p0'], {"p0": "1.5"}, "where a \u2264 1.5"),
    (("a__like", "x%"), ['"a" like :p0'], {"p0": "x%"}, 'where a like "x%"'),
    (("a__notlike", "x%"), ['"a" not like :p0'], {"p0": "x%"}, 'where a not like "x%"'),
    (("a__glob", "x*"), ['"a" glob :p0'], {"p0": "x*"}, 'where a glob "x*"'),
    (("a__in", "1,2,x"), ["a in (:p0, :p1, :p2)"], {"p0": "1", "p1": "2", "p2": "x"}, 'where a in ["1", "2", "x"]'),
    (("a__in", '["a","b"]'), ["a in (:p0, :p1)"], {"p0": "a", "p1": "b"}, 'where a in ["a", "b"]'),
    (("a__in", '[1,"b"]'), ["a in (:p0, :p1)"], {"p0": 1, "p1": "b"}, 'where a in [1, "b"]'),
    (("a__notin", "1,2"), ["a not in (:p0, :p1)"], {"p0": "1", "p1": "2"}, 'where a not in ["1", "2"]'),
    (("a__arraycontains", "t"), [":p0 in (select value from json_each([t].[a]))"], {"p0": "t"},
     'where a contains "t"'),
    (("a__arraynotcontains", "t"), [":p0 not in (select value from json_each([t].[a]))"], {"p0": "t"},
     'where a does not contain "t"'),
    (("a__date", "2020-01-01"), ['date("a") = :p0'], {"p0": "2020-01-01"}, 'where "a" is on date 2020-01-01'),
    (("a__isnull", "1"), ['"a" is null'], {}, "where a is null"),
    (("a__notnull", "1"), ['"a" is not null'], {}, "where a is not null"),
    (("a__isblank", "1"), ['("a" is null or "a" = "")'], {}, "where a is blank"),
    (("a__notblank", "1"), ['("a" is not null and "a" != "")'], {}, "where a is not blank"),
    (("a__bogus", "1"), [], {}, ""),
    (("_a__exact", "x"), ['"_a" = :p0'], {"p0": "x"}, 'where _a = "x"'),
    (("a b", "x"), ['"a b" = :p0'], {"p0": "x"}, 'where a b = "x"'),
    (('a"b', "x"), ['"a""b" = :p0'], {"p0": "x"}, 'where a"b = "x"'),
    (("a", ""), ['"a" = :p0'], {"p0": ""}, 'where a = ""'),
])
def test_each_lookup(pair, sql, params, human):
    filters = Filters([pair])
    assert filters.build_where_clauses("t") == (sql, params)
    assert filters.human_description_en() == human


def test_several_filters_number_parameters_in_order():
    filters = Filters([("a", "1"), ("b__gt", "2"), ("c__isnull", "1"), ("d__in", "x,y")])
    assert filters.build_where_clauses("t") == (
        ['"a" = :p0', '"b" > :p1', '"c" is null', "d in (:p2, :p3)"], {"p0": "1", "p1": 2, "p2": "x", "p3": "y"})
    assert filters.human_description_en() == 'where a = 1, b > 2, c is null and d in ["x", "y"]'


def test_human_description_with_extra():
    assert Filters([]).human_description_en() == ""
    assert Filters([]).human_description_en(extra=["search matches x"]) == "where search matches x"
    assert Filters([("a", "1")]).human_description_en(extra=["search matches x"]) == \
        "where search matches x and a = 1"
    assert Filters([("a", "1"), ("b", "2")]).human_description_en(extra=["s", "o"]) == "where s, o, a = 1 and b = 2"


def test_lookups_selections_and_has_selections():
    lookups = list(Filters([]).lookups())
    assert len(lookups) == 22
    assert lookups[:3] == [("exact", "=", False), ("not", "!=", False), ("contains", "contains", False)]
    assert ("isnull", "is null", True) in lookups
    assert list(Filters([("a", "1"), ("b__gt", "2")]).selections()) == [("a", "exact", "1"), ("b", "gt", "2")]
    assert Filters([("a", "1")]).has_selections() and not Filters([]).has_selections()


def test_in_with_bad_json_is_a_bad_request():
    with pytest.raises(BadRequest):
        Filters([("a__in", "[bad json")]).build_where_clauses("t")


def test_filter_arguments_defaults():
    arguments = FilterArguments(["a = 1"])
    assert (arguments.where_clauses, arguments.params, arguments.human_descriptions, arguments.extra_context) == \
        (["a = 1"], {}, [], {})
    full = FilterArguments(["x"], params={"p": 1}, human_descriptions=["d"], extra_context={"k": "v"})
    assert (full.params, full.human_descriptions, full.extra_context) == ({"p": 1}, ["d"], {"k": "v"})
