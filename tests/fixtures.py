"""Build a small fixtures database: the shapes the kernel's routing and APIs must handle."""
from __future__ import annotations

import sqlite3
from pathlib import Path

TABLES = {
    "simple_primary_key": 3,
    "compound_primary_key": 2,
    "facetable": 4,
    "table/with/slashes.csv": 1,
}

SCHEMA = """
create table simple_primary_key (id text primary key, content text);
create table compound_primary_key (pk1 text, pk2 text, content text, primary key (pk1, pk2));
create table facetable (
    pk integer primary key,
    state text,
    city_id integer references simple_primary_key(id)
);
create table [table/with/slashes.csv] (pk text primary key, content text);
create view simple_view as select id, upper(content) as upper_content from simple_primary_key;

insert into simple_primary_key values ('1', 'hello'), ('2', 'world'), ('3', '');
insert into compound_primary_key values ('a', 'b', 'c'), ('a/b', '.c-d', 'c');
insert into facetable (state, city_id) values ('CA', 1), ('CA', 1), ('MI', 2), ('MC', 3);
insert into [table/with/slashes.csv] values ('3', 'hey');
"""


def make_fixtures_db(path: str | Path) -> str:
    """Create the fixtures database at ``path`` and return the path as a string."""
    conn = sqlite3.connect(str(path))
    try:
        conn.executescript(SCHEMA)
        conn.commit()
    finally:
        conn.close()
    return str(path)
