"""The ``?_extra=`` registry of table data, and the JSON-shaped ``data`` handed to renderers."""
from __future__ import annotations

import urllib.parse
from typing import Any, Awaitable, Callable

from datasette.utils import to_css_class

from .metadata import page_metadata
from .responses import available_renderers
from .table_options import form_hidden_args, sortable_columns

Extra = Callable[[Any], Awaitable[Any]]
EXTRAS: dict[str, tuple[str | None, Extra]] = {}


def extra(name: str, description: str | None = None) -> Callable[[Extra], Extra]:
    def register(fn: Extra) -> Extra:
        EXTRAS[name] = (description, fn)
        return fn
    return register


async def cached(context: Any, key: str, compute: Callable[[], Awaitable[Any]]) -> Any:
    if key not in context._cache:
        context._cache[key] = await compute()
    return context._cache[key]


@extra("count", "Total count of rows matching these filters")
async def extra_count(context: Any) -> int | None:
    return context.result.count


@extra("count_sql")
async def extra_count_sql(context: Any) -> str:
    return context.query.count_sql


@extra("facet_results", "Results of facets calculated against this data")
async def extra_facet_results(context: Any) -> dict:
    return {"results": {}, "timed_out": []}


@extra("facets_timed_out")
async def extra_facets_timed_out(context: Any) -> list:
    return []


@extra("suggested_facets", "Suggestions for facets that might return interesting results")
async def extra_suggested_facets(context: Any) -> list:
    return []


@extra("human_description_en", "Human-readable description of the filters")
async def extra_human_description_en(context: Any) -> str:
    return context.human_description_en()


@extra("next_url", "Full URL for the next page of results")
async def extra_next_url(context: Any) -> str | None:
    return context.next_url()


@extra("columns", "Column names returned by this query")
async def extra_columns(context: Any) -> list[str]:
    return list(context.columns)


@extra("primary_keys", "Primary keys for this table")
async def extra_primary_keys(context: Any) -> list[str]:
    return list(context.table.pks)


async def metadata(context: Any) -> dict:
    return await cached(context, "metadata", lambda: page_metadata(
        context.ds, context.database_name, context.table_name))


@extra("display_columns")
async def extra_display_columns(context: Any) -> list[dict]:
    table = context.table
    descriptions = (await metadata(context))["columns"]
    sortable = set(sortable_columns(table, context.config))
    columns = []
    if table.use_rowid or len(table.pks) > 1:
        columns.append({"name": "Link", "sortable": False, "is_pk": False, "type": "", "notnull": 0})
    for column in context.columns:
        is_pk = column in table.row_keys
        info = {"name": column, "sortable": column in sortable, "is_pk": is_pk,
                "type": "integer" if column == "rowid" and table.use_rowid else table.column_type(column),
                "notnull": table.notnull(column)}
        if not (is_pk and column != "rowid"):
            info["description"] = descriptions.get(column)
        columns.append(info)
    return columns


@extra("debug", "Extra debug information")
async def extra_debug(context: Any) -> dict:
    return {"url_vars": context.request.url_vars, "sql": context.query.sql(context.options.page_size + 1),
            "params": context.query.params}


@extra("request", "Full information about the request")
async def extra_request(context: Any) -> dict:
    request = context.request
    return {"url": request.url, "path": request.path, "full_path": request.full_path, "host": request.host,
            "args": {key: request.args.getlist(key) for key in request.args.keys()}}


@extra("query", "Details of the underlying SQL query")
async def extra_query(context: Any) -> dict:
    return {"sql": context.query.sql(context.options.page_size + 1), "params": context.query.params}


@extra("metadata", "Metadata about the table and database")
async def extra_metadata(context: Any) -> dict:
    found = await metadata(context)
    return {**found["table"], "columns": dict(found["columns"])}


@extra("extras", "Available ?_extra= blocks")
async def extra_extras(context: Any) -> list[dict]:
    request, selected = context.request, context.options.extras
    pairs = urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
    items = []
    described = {name: description for name, (description, _) in EXTRAS.items()}
    described.update({name: item.get("description") for name, item in context.plugin_extras.items()})
    for name, description in described.items():
        chosen = [n for n in context.options.extras_requested if n != name]
        if name not in selected:
            chosen.append(name)
        kept = [(k, v) for k, v in pairs if k != "_extra"] + ([("_extra", ",".join(chosen))] if chosen else [])
        url = request.path + ("?" + urllib.parse.urlencode(kept) if kept else "")
        items.append({"name": name, "description": description,
                      "toggle_url": context.ds.absolute_url(request, url), "selected": name in selected})
    return items


@extra("database")
async def extra_database(context: Any) -> str:
    return context.database_name


@extra("table")
async def extra_table(context: Any) -> str:
    return context.table_name


@extra("database_color")
async def extra_database_color(context: Any) -> str:
    return context.db.color


async def action_links(context: Any) -> list[dict]:
    async def compute() -> list[dict]:
        ds, request = context.ds, context.request
        if context.is_view:
            results = await ds.hook.gather("view_actions", datasette=ds, actor=request.actor,
                                           database=context.database_name, view=context.table_name,
                                           request=request)
        else:
            results = await ds.hook.gather("table_actions", datasette=ds, actor=request.actor,
                                           database=context.database_name, table=context.table_name,
                                           request=request)
        return [link for result in results for link in (result or [])]
    return await cached(context, "actions", compute)


@extra("actions")
async def extra_actions(context: Any) -> list[dict]:
    return await action_links(context)


@extra("renderers")
async def extra_renderers(context: Any) -> dict[str, str]:
    return await renderer_links(context)


async def renderer_links(context: Any) -> dict[str, str]:
    return await cached(context, "renderers", lambda: available_renderers(
        context.ds, context.request, columns=context.columns, rows=context.rows,
        sql=context.query.sql(context.options.page_size + 1), query_name=None,
        database=context.database_name, table=context.table_name, view_name="table"))


@extra("custom_table_templates")
async def extra_custom_table_templates(context: Any) -> list[str]:
    db, table = to_css_class(context.database_name), to_css_class(context.table_name)
    return [f"_table-{db}-{table}.html", f"_table-table-{db}-{table}.html", "_table.html"]


@extra("sorted_facet_results")
async def extra_sorted_facet_results(context: Any) -> list:
    return []


@extra("table_definition")
async def extra_table_definition(context: Any) -> str | None:
    return None if context.is_view else context.table.definition


@extra("view_definition")
async def extra_view_definition(context: Any) -> str | None:
    return context.table.definition if context.is_view else None


@extra("is_view")
async def extra_is_view(context: Any) -> bool:
    return context.is_view


async def private(context: Any) -> bool:
    async def compute() -> bool:
        _, is_private = await context.ds.check_visibility(context.request.actor, permissions=[
            ("view-table", (context.database_name, context.table_name)),
            ("view-database", context.database_name), "view-instance"])
        return is_private
    return await cached(context, "private", compute)


@extra("private")
async def extra_private(context: Any) -> bool:
    return await private(context)


@extra("expandable_columns")
async def extra_expandable_columns(context: Any) -> list:
    return [[fk, label] for fk, label in context.expandable]


@extra("form_hidden_args")
async def extra_form_hidden_args(context: Any) -> list:
    return [list(pair) for pair in form_hidden_args(context.request)]


def plugin_extras(context: Any) -> dict[str, dict]:
    """Extras offered by ``register_table_extras`` implementations, by name."""
    found: dict[str, dict] = {}
    for result in reversed(context.ds.hook.register_table_extras(datasette=context.ds)):
        for item in result or []:
            found[item["name"]] = item
    return found


def all_extras(context: Any) -> dict[str, Extra]:
    extras = {name: fn for name, (_, fn) in EXTRAS.items()}
    extras.update({name: item["compute"] for name, item in context.plugin_extras.items()})
    return extras


async def html_extras(context: Any) -> dict[str, Any]:
    """Plugin extras wanted on the HTML page, computed."""
    return {name: await item["compute"](context) for name, item in context.plugin_extras.items() if item.get("html")}


async def table_data(context: Any) -> dict:
    """``{"ok", "next", <requested extras>, "rows", "truncated"}`` plus ``columns`` (and
    ``primary_keys`` for ``_shape=object``), the JSON-shaped data given to output renderers."""
    if "expandable_columns" in context.options.extras:
        await context.load_expandable()
    data: dict[str, Any] = {"ok": True, "next": context.next_token}
    requested = list(context.options.extras_requested)
    if context.options.shape == "object" and "primary_keys" not in requested:
        requested.append("primary_keys")
    for name, item in context.plugin_extras.items():
        auto = item.get("auto")
        if name not in requested and auto is not None and auto(context.request):
            requested.append(name)
    extras = all_extras(context)
    for name in requested:
        if name in extras:
            data[name] = await extras[name](context)
    data["rows"] = context.json_rows()
    data["truncated"] = False
    data.setdefault("columns", list(context.columns))
    return data
