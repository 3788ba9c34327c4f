"""``?_search=`` and ``?_search_<column>=``: full-text search through the table's FTS index."""
from __future__ import annotations

from typing import Any

from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite
from datasette.utils.asgi import BadRequest


def _search_args(request: Any) -> list[tuple[str, str]]:
    return [(key, request.args[key]) for key in request.args.keys()
            if key.startswith("_search") and key != "_searchmode" and request.args[key]]


def wants_search(request: Any) -> bool:
    """HTML pages need to know whether to show a search box; other formats only care when searching."""
    return request.url_vars.get("format") is None or any(key.startswith("_search") for key in request.args)


async def search_filters(request: Any, database: str, table: str, datasette: Any) -> FilterArguments | None:
    searches = _search_args(request)
    db = datasette.get_database(database)
    config = await datasette.table_config(database, table)
    fts_table = request.args.get("_fts_table") or config.get("fts_table") or await db.fts_table(table)
    context = {"supports_search": bool(fts_table), "search": request.args.get("_search") or ""}
    if not fts_table or not searches:
        return FilterArguments([], extra_context=context)
    fts_pk = request.args.get("_fts_pk") or config.get("fts_pk") or "rowid"
    mode = request.args.get("_searchmode") or config.get("searchmode")
    match = ":{}" if mode == "raw" else "escape_fts(:{})"
    fts_sql = escape_sqlite(fts_table)
    clauses, params, descriptions = [], {}, []
    fts_columns = None
    for index, (key, value) in enumerate(searches):
        if key == "_search":
            target, name = fts_sql, "search"
            descriptions.append(f'search matches "{value}"')
        else:
            column = key[len("_search_"):]
            if fts_columns is None:
                fts_columns = await db.table_columns(fts_table)
            if not key.startswith("_search_") or column not in fts_columns:
                raise BadRequest("Cannot search by that column")
            target, name = escape_sqlite(column), f"search_{index}"
            descriptions.append(f'search column "{column}" matches "{value}"')
        clauses.append(f"{escape_sqlite(fts_pk)} in (select rowid from {fts_sql} where {target} match "
                       f"{match.format(name)})")
        params[name] = value
    return FilterArguments(clauses, params, descriptions, context)
