"""Hook implementations of the filters plugin: three ``filters_from_request`` filters.

Each returns None at once when its arguments are absent, else a zero-argument
async function (awaited by the table view), so no coroutine is left un-awaited
when another filter raises first.
"""
from __future__ import annotations

from datasette import hookimpl

from .search import search_filters, wants_search
from .through import through_filters
from .where import where_filters


@hookimpl(specname="filters_from_request")
def where_filter(request, database, datasette):
    if "_where" not in request.args:
        return None

    async def inner():
        return await where_filters(request, database, datasette)
    return inner


@hookimpl(specname="filters_from_request")
def search_filter(request, database, table, datasette):
    if not wants_search(request):
        return None

    async def inner():
        return await search_filters(request, database, table, datasette)
    return inner


@hookimpl(specname="filters_from_request")
def through_filter(request, database, table, datasette):
    if "_through" not in request.args:
        return None

    async def inner():
        return await through_filters(request, database, table, datasette)
    return inner
