"""Column filters from the query string (``?col__lookup=value``) and the hook result type.

Re-exported by the kernel as ``datasette.filters.Filters`` / ``FilterArguments`` (and the
filter classes), with upstream-compatible constructors.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from datasette.utils import escape_sqlite
from datasette.utils.asgi import BadRequest

__all__ = ["Filter", "TemplatedFilter", "InFilter", "NotInFilter", "Filters", "FilterArguments"]


class FilterArguments:
    """What a ``filters_from_request`` implementation returns: extra WHERE clauses and more."""

    def __init__(self, where_clauses: list[str], params: dict | None = None,
                 human_descriptions: list[str] | None = None, extra_context: dict | None = None) -> None:
        self.where_clauses = where_clauses
        self.params = params or {}
        self.human_descriptions = human_descriptions or []
        self.extra_context = extra_context or {}

    def __repr__(self) -> str:
        return (f"FilterArguments(where_clauses={self.where_clauses!r}, params={self.params!r}, "
                f"human_descriptions={self.human_descriptions!r}, extra_context={self.extra_context!r})")


def _quote_column(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _numeric(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


class Filter:
    """One lookup (``exact``, ``gt``, ``in``...): how it becomes SQL and English."""

    key: str = ""
    display: str = ""
    no_argument: bool = False

    def where_clause(self, table: str, column: str, value: Any, param_counter: int) -> tuple[str, Any]:
        raise NotImplementedError

    def human_clause(self, column: str, value: Any) -> str:
        raise NotImplementedError


class TemplatedFilter(Filter):
    """A lookup described by an SQL template (``{c}`` column, ``{p}`` parameter, ``{t}`` table)."""

    def __init__(self, key: str, display: str, sql_template: str, human_template: str,
                 format: str = "{}", numeric: bool = False, no_argument: bool = False) -> None:
        self.key, self.display = key, display
        self.sql_template, self.human_template = sql_template, human_template
        self.format, self.numeric, self.no_argument = format, numeric, no_argument

    def where_clause(self, table: str, column: str, value: Any, param_counter: int) -> tuple[str, Any]:
        converted = self.format.format(value)
        if self.numeric:
            converted = _numeric(converted)
        sql = self.sql_template.format(c=_quote_column(column), p=f"p{param_counter}", t=table,
                                       raw_c=column)
        return sql, (None if self.no_argument else converted)

    def human_clause(self, column: str, value: Any) -> str:
        if callable(self.human_template):
            return self.human_template(column, value)
        return self.human_template.format(c=column, v=value)


def _split_values(value: str) -> list[Any]:
    if value.startswith("["):
        try:
            values = json.loads(value)
        except ValueError:
            raise BadRequest(f"Invalid JSON list for __in filter: {value}") from None
        return values if isinstance(values, list) else [values]
    return value.split(",")


class InFilter(Filter):
    """``col__in=a,b`` (or a JSON list): ``col in (:p0, :p1)``."""

    key, display, operator = "in", "in", "in"

    def where_clause(self, table: str, column: str, value: Any, param_counter: int) -> tuple[str, Any]:
        values = _split_values(value)
        placeholders = ", ".join(f":p{param_counter + i}" for i in range(len(values)))
        return f"{escape_sqlite(column)} {self.operator} ({placeholders})", values

    def human_clause(self, column: str, value: Any) -> str:
        return f"{column} {self.operator} {json.dumps(_split_values(value))}"


class NotInFilter(InFilter):
    """``col__notin=a,b``: ``col not in (:p0, :p1)``."""

    key, display, operator = "notin", "not in", "not in"


def _human_value(column: str, value: Any, template: str) -> str:
    shown = value if isinstance(value, str) and value.isdigit() else json.dumps(value)
    return template.format(c=column, v=shown)


def _equality(symbol: str) -> Any:
    return lambda column, value: _human_value(column, value, "{c} %s {v}" % symbol)


class Filters:
    """The filters selected by query-string pairs, turned into SQL and a description."""

    _filters: list[Filter] = [
        TemplatedFilter("exact", "=", "{c} = :{p}", _equality("=")),
        TemplatedFilter("not", "!=", "{c} != :{p}", _equality("!=")),
        TemplatedFilter("contains", "contains", "{c} like :{p}", '{c} contains "{v}"', format="%{}%"),
        TemplatedFilter("notcontains", "does not contain", "{c} not like :{p}", '{c} does not contain "{v}"',
                        format="%{}%"),
        TemplatedFilter("endswith", "ends with", "{c} like :{p}", '{c} ends with "{v}"', format="%{}"),
        TemplatedFilter("startswith", "starts with", "{c} like :{p}", '{c} starts with "{v}"', format="{}%"),
        TemplatedFilter("gt", ">", "{c} > :{p}", "{c} > {v}", numeric=True),
        TemplatedFilter("gte", "\u2265", "{c} >= :{p}", "{c} \u2265 {v}", numeric=True),
        TemplatedFilter("lt", "<", "{c} < :{p}", "{c} < {v}", numeric=True),
        TemplatedFilter("lte", "\u2264", "{c} <= :{p}", "{c} \u2264 {v}", numeric=True),
        TemplatedFilter("like", "like", "{c} like :{p}", '{c} like "{v}"'),
        TemplatedFilter("notlike", "not like", "{c} not like :{p}", '{c} not like "{v}"'),
        TemplatedFilter("glob", "glob", "{c} glob :{p}", '{c} glob "{v}"'),
        InFilter(),
        NotInFilter(),
        TemplatedFilter("arraycontains", "array contains",
                        ":{p} in (select value from json_each([{t}].[{raw_c}]))", '{c} contains "{v}"'),
        TemplatedFilter("arraynotcontains", "array does not contain",
                        ":{p} not in (select value from json_each([{t}].[{raw_c}]))",
                        '{c} does not contain "{v}"'),
        TemplatedFilter("date", "date", "date({c}) = :{p}", '"{c}" is on date {v}'),
        TemplatedFilter("isnull", "is null", "{c} is null", "{c} is null", no_argument=True),
        TemplatedFilter("notnull", "is not null", "{c} is not null", "{c} is not null", no_argument=True),
        TemplatedFilter("isblank", "is blank", '({c} is null or {c} = "")', "{c} is blank", no_argument=True),
        TemplatedFilter("notblank", "is not blank", '({c} is not null and {c} != "")', "{c} is not blank",
                        no_argument=True),
    ]
    _filters_by_key: dict[str, Filter] = {f.key: f for f in _filters}

    def __init__(self, pairs: Iterable[tuple[str, Any]]) -> None:
        self.pairs = list(pairs)

    def lookups(self) -> Iterator[tuple[str, str, bool]]:
        """``(key, display, no_argument)`` for every lookup, in menu order."""
        for filter_ in self._filters:
            yield filter_.key, filter_.display, filter_.no_argument

    def selections(self) -> Iterator[tuple[str, str, Any]]:
        """``(column, lookup, value)`` for every pair; ``col=v`` means ``col__exact=v``."""
        for key, value in self.pairs:
            column, lookup = key.rsplit("__", 1) if "__" in key else (key, "exact")
            yield column, lookup, value

    def has_selections(self) -> bool:
        return bool(self.pairs)

    def human_description_en(self, extra: list[str] | None = None) -> str:
        """``where a = 1, b > 2 and c is null``: the filters (after ``extra``) in English."""
        bits = list(extra or [])
        for column, lookup, value in self.selections():
            filter_ = self._filters_by_key.get(lookup)
            if filter_ is not None:
                bits.append(filter_.human_clause(column, value))
        if not bits:
            return ""
        text = bits[0] if len(bits) == 1 else ", ".join(bits[:-1]) + " and " + bits[-1]
        return "where " + text

    def build_where_clauses(self, table: str) -> tuple[list[str], dict[str, Any]]:
        """``(where_clauses, params)``; parameters are named ``p0, p1...``. Unknown lookups are ignored."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        counter = 0
        for column, lookup, value in self.selections():
            filter_ = self._filters_by_key.get(lookup)
            if filter_ is None:
                continue
            sql, param = filter_.where_clause(table, column, value, counter)
            clauses.append(sql)
            if isinstance(filter_, InFilter):
                for item in param:
                    params[f"p{counter}"] = item
                    counter += 1
            elif not filter_.no_argument:
                params[f"p{counter}"] = param
                counter += 1
        return clauses, params
