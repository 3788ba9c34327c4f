#!/usr/bin/env python3
"""Build the demo SQLite database from the CSV files in demo/data/.

Usage:  python demo/build_demo.py demo/demo.db

Standard library only. The output is deterministic: the same inputs and the
same SQLite version give a byte-identical file. The database is written to a
temporary file next to the output and then renamed over it, so a reader never
sees a half-built database.

Sources and licences of the data: see demo/LICENSE-DATA.md.
"""

import argparse
import csv
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = HERE / "data"

# Codes used in the `state` column of airports.csv. The 50 states, DC and the
# inhabited US territories use their USPS codes; the source uses "CQ" (the old
# FIPS 10-4 code) rather than USPS "MP" for the Northern Mariana Islands, so
# that is the code listed here.
STATES = [
    ("AK", "Alaska", "state"),
    ("AL", "Alabama", "state"),
    ("AR", "Arkansas", "state"),
    ("AS", "American Samoa", "territory"),
    ("AZ", "Arizona", "state"),
    ("CA", "California", "state"),
    ("CO", "Colorado", "state"),
    ("CQ", "Northern Mariana Islands", "territory"),
    ("CT", "Connecticut", "state"),
    ("DC", "District of Columbia", "federal district"),
    ("DE", "Delaware", "state"),
    ("FL", "Florida", "state"),
    ("GA", "Georgia", "state"),
    ("GU", "Guam", "territory"),
    ("HI", "Hawaii", "state"),
    ("IA", "Iowa", "state"),
    ("ID", "Idaho", "state"),
    ("IL", "Illinois", "state"),
    ("IN", "Indiana", "state"),
    ("KS", "Kansas", "state"),
    ("KY", "Kentucky", "state"),
    ("LA", "Louisiana", "state"),
    ("MA", "Massachusetts", "state"),
    ("MD", "Maryland", "state"),
    ("ME", "Maine", "state"),
    ("MI", "Michigan", "state"),
    ("MN", "Minnesota", "state"),
    ("MO", "Missouri", "state"),
    ("MS", "Mississippi", "state"),
    ("MT", "Montana", "state"),
    ("NC", "North Carolina", "state"),
    ("ND", "North Dakota", "state"),
    ("NE", "Nebraska", "state"),
    ("NH", "New Hampshire", "state"),
    ("NJ", "New Jersey", "state"),
    ("NM", "New Mexico", "state"),
    ("NV", "Nevada", "state"),
    ("NY", "New York", "state"),
    ("OH", "Ohio", "state"),
    ("OK", "Oklahoma", "state"),
    ("OR", "Oregon", "state"),
    ("PA", "Pennsylvania", "state"),
    ("PR", "Puerto Rico", "territory"),
    ("RI", "Rhode Island", "state"),
    ("SC", "South Carolina", "state"),
    ("SD", "South Dakota", "state"),
    ("TN", "Tennessee", "state"),
    ("TX", "Texas", "state"),
    ("UT", "Utah", "state"),
    ("VA", "Virginia", "state"),
    ("VI", "U.S. Virgin Islands", "territory"),
    ("VT", "Vermont", "state"),
    ("WA", "Washington", "state"),
    ("WI", "Wisconsin", "state"),
    ("WV", "West Virginia", "state"),
    ("WY", "Wyoming", "state"),
]

SCHEMA = """
CREATE TABLE states (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,  -- UNIQUE also makes Datasette pick it as label
    type TEXT NOT NULL
);

CREATE TABLE cities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    state TEXT REFERENCES states(code)
);

CREATE TABLE airports (
    iata TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT,
    state TEXT REFERENCES states(code),
    country TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    city_id INTEGER REFERENCES cities(id)
);
CREATE INDEX idx_airports_state ON airports(state);
CREATE INDEX idx_airports_country ON airports(country);
CREATE INDEX idx_airports_city_id ON airports(city_id);
CREATE INDEX idx_cities_state ON cities(state);

CREATE TABLE weather (
    date TEXT PRIMARY KEY,
    precipitation REAL NOT NULL,
    temp_max REAL NOT NULL,
    temp_min REAL NOT NULL,
    wind REAL NOT NULL,
    weather TEXT NOT NULL
);
CREATE INDEX idx_weather_weather ON weather(weather);

-- Full-text search over airports. External content table: the index reads
-- name and city from airports, keyed on airports' implicit rowid (airports
-- has a TEXT primary key, so rowid is the only integer key it has).
CREATE VIRTUAL TABLE airports_fts USING fts5(
    name, city, content="airports", content_rowid="rowid"
);

CREATE VIEW airports_by_state AS
SELECT
    states.code AS state,
    states.name AS state_name,
    states.type AS type,
    count(airports.iata) AS airport_count
FROM states
LEFT JOIN airports ON airports.state = states.code
GROUP BY states.code
ORDER BY airport_count DESC, states.code;

CREATE VIEW weather_by_month AS
SELECT
    substr(date, 1, 7) AS month,
    count(*) AS days,
    round(sum(precipitation), 1) AS total_precipitation,
    round(avg(temp_max), 2) AS avg_temp_max,
    round(avg(temp_min), 2) AS avg_temp_min,
    sum(weather = 'rain') AS rain_days,
    sum(weather = 'sun') AS sun_days
FROM weather
GROUP BY month
ORDER BY month;
"""


def nullable(value):
    """The source writes a missing city/state as the literal string 'NA'."""
    value = value.strip()
    return None if value in ("", "NA") else value


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load(conn, data_dir):
    state_codes = {code for code, _, _ in STATES}
    conn.executemany(
        "INSERT INTO states (code, name, type) VALUES (?, ?, ?)", STATES
    )

    airports = []
    for row in read_csv(data_dir / "airports.csv"):
        state = nullable(row["state"])
        if state is not None and state not in state_codes:
            raise ValueError(f"unknown state code {state!r} in airports.csv")
        airports.append(
            {
                "iata": row["iata"].strip(),
                "name": row["name"].strip(),
                "city": nullable(row["city"]),
                "state": state,
                "country": row["country"].strip(),
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
            }
        )
    airports.sort(key=lambda a: a["iata"])

    # Cities: one row per distinct (state, city), ids in sorted order.
    city_keys = sorted(
        {(a["state"] or "", a["city"]) for a in airports if a["city"]}
    )
    city_ids = {key: i for i, key in enumerate(city_keys, start=1)}
    conn.executemany(
        "INSERT INTO cities (id, name, state) VALUES (?, ?, ?)",
        [(i, city, state or None) for (state, city), i in city_ids.items()],
    )

    for a in airports:
        a["city_id"] = (
            city_ids[(a["state"] or "", a["city"])] if a["city"] else None
        )
    conn.executemany(
        "INSERT INTO airports (iata, name, city, state, country, latitude,"
        " longitude, city_id) VALUES (:iata, :name, :city, :state, :country,"
        " :latitude, :longitude, :city_id)",
        airports,
    )
    conn.execute("INSERT INTO airports_fts(airports_fts) VALUES ('rebuild')")

    weather = []
    for row in read_csv(data_dir / "seattle-weather.csv"):
        weather.append(
            (
                row["date"].strip().replace("/", "-"),  # ISO 8601 YYYY-MM-DD
                float(row["precipitation"]),
                float(row["temp_max"]),
                float(row["temp_min"]),
                float(row["wind"]),
                row["weather"].strip(),
            )
        )
    weather.sort()
    conn.executemany("INSERT INTO weather VALUES (?, ?, ?, ?, ?, ?)", weather)


def build(output, data_dir):
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=output.parent, prefix="." + output.name + ".", suffix=".tmp"
    )
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("BEGIN")
            for statement in _split(SCHEMA):
                conn.execute(statement)
            load(conn, data_dir)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign key violations: {problems[:5]}")
            conn.execute(
                "INSERT INTO airports_fts(airports_fts) VALUES ('integrity-check')"
            )
            conn.execute("COMMIT")
            (ok,) = conn.execute("PRAGMA integrity_check").fetchone()
            if ok != "ok":
                raise RuntimeError(f"integrity check failed: {ok}")
        finally:
            conn.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return output


def _split(script):
    """Split SCHEMA into complete statements (keeps it in one transaction,
    which executescript() would not)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement: {buf!r}")
    return statements


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="path of the database to (over)write")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="directory holding airports.csv and seattle-weather.csv"
        " (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    path = build(args.output, args.data_dir)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
