"""The query-string options of a table page, parsed and validated (``_size``, ``_sort``...)."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from datasette.utils import urlsafe_components, value_as_boolean
from datasette.utils.asgi import BadRequest, Request, Response

from .filters import Filters
from .schema import TableSchema

FORM_ARGS = ("_filter_column", "_filter_op", "_filter_value")
NOT_HIDDEN_IN_FORM = {"_sort", "_sort_desc", "_search", "_next", "_sort_by_desc"}


@dataclass
class TableOptions:
    """Everything the query string (and table configuration) asks of a table page."""

    page_size: int
    sort: str | None
    sort_desc: bool
    sort_explicit: bool
    next_token: str | None
    columns: list[str]
    label_columns: list[str] | None  # None = every expandable column
    filters: Filters
    extras: set[str] = field(default_factory=set)
    extras_requested: list[str] = field(default_factory=list)
    nocount: bool = False
    time_limit_ms: int | None = None
    shape: str | None = None


def is_filter_arg(key: str) -> bool:
    """Column filters are every argument except ``_x`` ones without ``__``."""
    return not key.startswith("_") or "__" in key


def form_redirect(request: Request) -> Response | None:
    """302 turning ``_filter_column/_op/_value`` (and ``_sort_by_desc``) form fields into filters."""
    pairs = urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
    has_form = any(k.startswith(FORM_ARGS) for k, _ in pairs)
    sort_by_desc = any(k == "_sort_by_desc" for k, _ in pairs)
    if not has_form and not sort_by_desc:
        return None
    args = request.args
    kept = [(k, v) for k, v in pairs if not k.startswith(FORM_ARGS) and k != "_sort_by_desc"]
    added = []
    suffixes = sorted({k[len("_filter_column"):] for k, _ in pairs if k.startswith("_filter_column")},
                      key=lambda s: (s != "", int(s[1:]) if s[1:].isdigit() else 0, s))
    for suffix in suffixes:
        column = args.get("_filter_column" + suffix)
        if not column:
            continue
        op = args.get("_filter_op" + suffix) or ""
        value = args.get("_filter_value" + suffix) or ""
        if "__" in op:
            op, value = op.split("__", 1)
        added.append((f"{column}__{op}", value))
    if sort_by_desc:
        sort = args.get("_sort")
        kept = [(k, v) for k, v in kept if k != "_sort"]
        if sort:
            kept.append(("_sort_desc", sort))
    query = urllib.parse.urlencode(kept + added)
    return Response.redirect(request.path + ("?" + query if query else ""))


def _page_size(request: Request, config: dict, datasette: Any) -> int:
    max_rows = datasette.setting("max_returned_rows")
    size = request.args.get("_size") or config.get("size") or datasette.setting("default_page_size")
    if size == "max":
        return max_rows
    try:
        size = int(size)
        if size < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise BadRequest("_size must be a positive integer") from None
    if size > max_rows:
        raise BadRequest(f"_size must be <= {max_rows}")
    return size


def sortable_columns(table: TableSchema, config: dict) -> list[str]:
    configured = config.get("sortable_columns")
    if configured:
        return list(configured)
    return (["rowid"] if table.use_rowid else []) + list(table.columns)


def _sort(request: Request, table: TableSchema, config: dict) -> tuple[str | None, bool, bool]:
    sort, sort_desc = request.args.get("_sort"), request.args.get("_sort_desc")
    if sort and sort_desc:
        raise BadRequest("Cannot use _sort and _sort_desc at the same time")
    explicit = bool(sort or sort_desc)
    if not explicit:
        sort, sort_desc = config.get("sort"), config.get("sort_desc")
    column = sort or sort_desc
    if column and explicit and column not in sortable_columns(table, config):
        raise BadRequest(f"Cannot sort table by {column}")
    return column or None, bool(sort_desc and not sort), explicit


def _columns(request: Request, table: TableSchema) -> list[str]:
    """The columns to select: ``_col`` picks some (keys always first), ``_nocol`` drops some."""
    all_columns, keys = table.columns, table.row_keys
    rowid = ["rowid"] if table.use_rowid else []
    columns = rowid + list(all_columns)
    wanted, unwanted = request.args.getlist("_col"), request.args.getlist("_nocol")
    if wanted:
        bad = [c for c in wanted if c not in all_columns]
        if bad:
            raise BadRequest(f"_col={', '.join(bad)} - invalid columns")
        columns = rowid + [c for c in all_columns if c in keys] + \
            [c for c in all_columns if c in wanted and c not in keys]
    if unwanted:
        bad = [c for c in unwanted if c not in all_columns or c in keys]
        if bad:
            raise BadRequest(f"_nocol={', '.join(bad)} - invalid columns")
        columns = [c for c in columns if c not in unwanted]
    return columns


def _bool_arg(request: Request, name: str) -> bool | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return value_as_boolean(value)
    except ValueError:
        return None


def requested_extras(request: Request) -> list[str]:
    names: list[str] = []
    for value in request.args.getlist("_extra"):
        for name in value.split(","):
            if name and name not in names:
                names.append(name)
    return names


def parse_options(request: Request, datasette: Any, table: TableSchema, config: dict, html: bool) -> TableOptions:
    """Validate the special arguments of a table request; raises BadRequest with upstream's messages."""
    page_size = _page_size(request, config, datasette)
    sort, sort_desc, explicit = _sort(request, table, config)
    labels = _bool_arg(request, "_labels")
    if html:
        label_columns = [] if labels is False else None
    else:
        label_columns = None if labels else request.args.getlist("_label")
    time_limit = request.args.get("_timelimit")
    if time_limit is not None:
        try:
            time_limit = int(time_limit)
        except ValueError:
            raise BadRequest("_timelimit must be an integer") from None
    shape = request.args.get("_shape")
    pairs = sorted(((k, v) for k, v in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
                    if is_filter_arg(k)), key=lambda kv: kv[0])
    extras = requested_extras(request)
    return TableOptions(
        page_size=page_size, sort=sort, sort_desc=sort_desc, sort_explicit=explicit,
        next_token=request.args.get("_next") or None, columns=_columns(request, table),
        label_columns=label_columns, filters=Filters(pairs), extras=set(extras), extras_requested=extras,
        nocount=bool(request.args.get("_nocount")) or shape in ("array", "object"),
        time_limit_ms=time_limit, shape=shape)


def form_hidden_args(request: Request) -> list[tuple[str, str]]:
    """Arguments the filter form must carry along as hidden fields."""
    return [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True)
            if k.startswith("_") and "__" not in k and k not in NOT_HIDDEN_IN_FORM
            and not k.startswith(FORM_ARGS) and not k.startswith("_search")]


def decode_next(token: str) -> list[str]:
    return urlsafe_components(token)
