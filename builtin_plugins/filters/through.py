"""``?_through={"table", "column", "value"}``: rows linked to a value through a many-to-many table."""
from __future__ import annotations

import json
from typing import Any

from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite
from datasette.utils.asgi import BadRequest

ERROR = "Invalid _through - could not find corresponding foreign key"


async def through_filters(request: Any, database: str, table: str, datasette: Any) -> FilterArguments | None:
    throughs = request.args.getlist("_through")
    if not throughs:
        return None
    db = datasette.get_database(database)
    clauses, params, descriptions = [], {}, []
    for index, raw in enumerate(throughs):
        try:
            through = json.loads(raw)
            other_table, column, value = through["table"], through["column"], through["value"]
        except (ValueError, TypeError, KeyError):
            raise BadRequest(ERROR) from None
        try:
            keys = await db.foreign_keys_for_table(other_table)
        except Exception:
            raise BadRequest(ERROR) from None
        fk = next((k for k in keys if k["other_table"] == table), None)
        if fk is None:
            raise BadRequest(ERROR)
        name = f"through_{index}"
        clauses.append(f"{escape_sqlite(fk['other_column'])} in (select {escape_sqlite(fk['column'])} from "
                       f"{escape_sqlite(other_table)} where {escape_sqlite(column)} = :{name})")
        params[name] = value
        descriptions.append(f'{other_table}.{column} = "{value}"')
    return FilterArguments(clauses, params, descriptions)
