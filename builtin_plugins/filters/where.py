"""``?_where=SQL``: extra WHERE fragments, for actors allowed to run arbitrary SQL."""
from __future__ import annotations

import urllib.parse
from typing import Any

from datasette.filters import FilterArguments
from datasette.views.base import DatasetteError


def _remove_url(request: Any, index: int) -> str:
    pairs = urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
    kept, seen = [], 0
    for key, value in pairs:
        if key == "_where":
            seen += 1
            if seen - 1 == index:
                continue
        kept.append((key, value))
    return request.path + ("?" + urllib.parse.urlencode(kept) if kept else "")


async def where_filters(request: Any, database: str, datasette: Any) -> FilterArguments | None:
    wheres = request.args.getlist("_where")
    if not wheres:
        return None
    allowed = await datasette.permission_allowed(request.actor, "execute-sql", resource=database, default=True)
    if not allowed:
        raise DatasetteError("_where= is not allowed", status=403)
    ui = [{"text": where, "remove_url": _remove_url(request, index)} for index, where in enumerate(wheres)]
    return FilterArguments(list(wheres), extra_context={"extra_wheres_for_ui": ui})
