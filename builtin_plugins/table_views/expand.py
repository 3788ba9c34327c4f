"""``datasette.expand_foreign_keys()``: labels for foreign key values, as upstream's API offers."""
from __future__ import annotations

from typing import Any, Iterable

from datasette.database import QueryInterrupted
from datasette.utils import escape_sqlite


async def expand_foreign_keys(datasette: Any, actor: dict | None, database: str, table: str, column: str,
                              values: Iterable[Any]) -> dict[tuple[str, Any], Any]:
    """``{(column, value): label}`` for the values of a foreign key column that have a label.

    Empty when ``column`` is no foreign key, its table has no label column, or ``actor``
    may not see that table.
    """
    db = datasette.get_database(database)
    fk = next((fk for fk in await db.foreign_keys_for_table(table) if fk["column"] == column), None)
    if fk is None:
        return {}
    other_table, other_column = fk["other_table"], fk["other_column"]
    label = await db.label_column_for_table(other_table)
    if not label:
        return {}
    visible, _ = await datasette.check_visibility(actor, permissions=[
        ("view-table", (database, other_table)), ("view-database", database), "view-instance"])
    if not visible:
        return {}
    wanted = list(set(values))
    sql = (f"select {escape_sqlite(other_column)}, {escape_sqlite(label)} from {escape_sqlite(other_table)} "
           f"where {escape_sqlite(other_column)} in ({', '.join('?' * len(wanted))})")
    try:
        results = await db.execute(sql, wanted)
    except QueryInterrupted:
        return {}
    return {(column, value): text for value, text in results}
