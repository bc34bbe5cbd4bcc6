"""The one definition of the ``handovers`` table (``HANDOVER_DB``): schema, migration, the writer's insert and
the reader's query.

The action server writes handovers (``actions.handover_store``), the gateway reads them
(``gateway/handovers.py``); both import this module, so the table has one owner. Plain ``sqlite3`` and the
standard library only: it is imported in the Rasa environment and in the app environment alike.

Versions (``PRAGMA user_version``):
- 0: a table made before this module, by the action server (``created_at TEXT NOT NULL``) or by the gateway
  (``created_at TEXT``), same columns otherwise; it is adopted as it is (SQLite cannot change a column's
  constraint in place, and the writer always gives ``created_at``);
- 1: the table below, with the index that the gateway's newest-first listing reads.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
COLUMNS: tuple[str, ...] = ("id", "created_at", "sender", "language", "question", "contact", "status")
MAX_QUESTION_CHARS = 5000

CREATE_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS handovers (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    sender TEXT,
    language TEXT,
    question TEXT,
    contact TEXT,
    status TEXT DEFAULT 'new'
)
"""
CREATE_INDEX_SQL = "CREATE INDEX IF NOT EXISTS handovers_newest ON handovers (created_at DESC, id DESC)"


def connect(path: str | Path, busy_timeout_s: float = 10.0) -> sqlite3.Connection:
    """A connection to the handover database (the file must exist or its folder must), schema ensured."""
    connection = sqlite3.connect(str(path), timeout=busy_timeout_s)
    try:
        ensure_schema(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def ensure_schema(connection: sqlite3.Connection) -> None:
    """Create or migrate the table to :data:`SCHEMA_VERSION`; cheap when it is there already."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version >= SCHEMA_VERSION:
        return
    with connection:
        connection.execute(CREATE_TABLE_SQL)
        present = {row[1] for row in connection.execute("PRAGMA table_info(handovers)")}
        missing = [column for column in COLUMNS if column not in present]
        if missing:
            raise sqlite3.DatabaseError(f"the handovers table lacks the columns {', '.join(missing)}")
        connection.execute(CREATE_INDEX_SQL)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def insert(connection: sqlite3.Connection, sender: str, language: str, question: str, contact: str) -> int:
    """Store one request (status ``new``) and return its id; committed when this returns."""
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with connection:
        cursor = connection.execute(
            "INSERT INTO handovers (created_at, sender, language, question, contact, status) "
            "VALUES (?, ?, ?, ?, ?, 'new')",
            (created_at, sender, language, question[:MAX_QUESTION_CHARS], contact),
        )
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("insert returned no row id")
    return int(cursor.lastrowid)


def newest(connection: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` newest requests, newest first, as mappings of :data:`COLUMNS`."""
    connection.row_factory = sqlite3.Row
    rows = connection.execute(
        f"SELECT {', '.join(COLUMNS)} FROM handovers ORDER BY created_at DESC, id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [dict(row) for row in rows]


def oldest_first(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every request in the order it was stored."""
    connection.row_factory = sqlite3.Row
    return [
        dict(row) for row in connection.execute(f"SELECT {', '.join(COLUMNS)} FROM handovers ORDER BY id")
    ]
