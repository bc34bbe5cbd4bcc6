"""The one definition of the handover tables (``HANDOVER_DB``): schema, migration, the writer's insert and the
office's lifecycle (claim, messages, close, contact retention).

The action server writes handovers (``actions.handover_store``); the gateway reads them and runs their
lifecycle (``gateway/handovers.py``, the office pages). Both import this module, so the tables have one owner.
Plain ``sqlite3`` and the standard library only: it is imported in the Rasa environment and in the app
environment alike.

Versions (``PRAGMA user_version``):
- 0: a table made before this module, by the action server (``created_at TEXT NOT NULL``) or by the gateway
  (``created_at TEXT``), same columns otherwise; it is adopted as it is (SQLite cannot change a column's
  constraint in place, and the writer always gives ``created_at``);
- 1: the table below, with the index that the gateway's newest-first listing reads;
- 2: the office's lifecycle (issue 13): who claimed a handover and when, when it was closed and when its
  contact was deleted, and ``handover_messages``, the thread between the resident and the official.

Status: ``new`` (stored by the action server) -> ``claimed`` (an official took the conversation over) ->
``answered`` (the official wrote at least once) -> ``closed`` (the bot answers again). A closed handover's
contact is deleted once the retention period has passed (:func:`purge_contacts`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2
# The columns of the listing every version has (GET /api/handovers).
COLUMNS: tuple[str, ...] = ("id", "created_at", "sender", "language", "question", "contact", "status")
# Version 2's lifecycle columns, added to an older table by ALTER TABLE.
LIFECYCLE_COLUMNS: tuple[str, ...] = ("claimed_by", "claimed_at", "closed_at", "contact_deleted_at")
MESSAGE_COLUMNS: tuple[str, ...] = (
    "id", "handover_id", "created_at", "author", "official", "language", "text", "translation",
    "translated_to", "translation_failed",
)  # fmt: skip
MAX_QUESTION_CHARS = 5000
MAX_MESSAGE_CHARS = 5000
OPEN_STATUSES = ("new", "claimed", "answered")
# The statuses in which the official, not the bot, answers the resident.
TAKEN_OVER_STATUSES = ("claimed", "answered")

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
CREATE_MESSAGES_SQL = """
CREATE TABLE IF NOT EXISTS handover_messages (
    id INTEGER PRIMARY KEY,
    handover_id INTEGER NOT NULL REFERENCES handovers(id),
    created_at TEXT NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('resident', 'official', 'system')),
    official TEXT,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    translation TEXT,
    translated_to TEXT,
    translation_failed INTEGER NOT NULL DEFAULT 0
)
"""
_VERSION_2_INDEXES = (
    "CREATE INDEX IF NOT EXISTS handovers_by_sender ON handovers (sender, id DESC)",
    "CREATE INDEX IF NOT EXISTS handover_messages_by_handover ON handover_messages (handover_id, id)",
)


class HandoverStateError(Exception):
    """The handover is not in a state that allows the change (claimed by someone else, closed, missing)."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
    """Create or migrate the tables to :data:`SCHEMA_VERSION`; cheap when they are there already."""
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
        for column in LIFECYCLE_COLUMNS:
            if column not in present:
                connection.execute(f"ALTER TABLE handovers ADD COLUMN {column} TEXT")
        connection.execute(CREATE_MESSAGES_SQL)
        for statement in _VERSION_2_INDEXES:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def insert(connection: sqlite3.Connection, sender: str, language: str, question: str, contact: str) -> int:
    """Store one request (status ``new``) and return its id; committed when this returns."""
    with connection:
        cursor = connection.execute(
            "INSERT INTO handovers (created_at, sender, language, question, contact, status) "
            "VALUES (?, ?, ?, ?, ?, 'new')",
            (now(), sender, language, question[:MAX_QUESTION_CHARS], contact),
        )
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("insert returned no row id")
    return int(cursor.lastrowid)


def _rows(connection: sqlite3.Connection, sql: str, parameters: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    connection.row_factory = sqlite3.Row
    return [dict(row) for row in connection.execute(sql, parameters).fetchall()]


def newest(connection: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` newest requests, newest first, as mappings of :data:`COLUMNS`."""
    return _rows(
        connection,
        f"SELECT {', '.join(COLUMNS)} FROM handovers ORDER BY created_at DESC, id DESC LIMIT ?",
        (limit,),
    )


def oldest_first(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every request in the order it was stored."""
    return _rows(connection, f"SELECT {', '.join(COLUMNS)} FROM handovers ORDER BY id")


_ALL_COLUMNS = ", ".join(COLUMNS + LIFECYCLE_COLUMNS)


def with_lifecycle(
    connection: sqlite3.Connection, statuses: tuple[str, ...], limit: int
) -> list[dict[str, Any]]:
    """Handovers in ``statuses``, newest first, with the lifecycle columns."""
    marks = ", ".join("?" for _ in statuses)
    return _rows(
        connection,
        f"SELECT {_ALL_COLUMNS} FROM handovers WHERE status IN ({marks}) "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        (*statuses, limit),
    )


def get(connection: sqlite3.Connection, handover_id: int) -> dict[str, Any] | None:
    rows = _rows(connection, f"SELECT {_ALL_COLUMNS} FROM handovers WHERE id = ?", (handover_id,))
    return rows[0] if rows else None


def taken_over(connection: sqlite3.Connection, sender: str) -> dict[str, Any] | None:
    """The handover of ``sender`` that an official has taken over and not closed, if any."""
    marks = ", ".join("?" for _ in TAKEN_OVER_STATUSES)
    rows = _rows(
        connection,
        f"SELECT {_ALL_COLUMNS} FROM handovers WHERE sender = ? AND status IN ({marks}) "
        "ORDER BY id DESC LIMIT 1",
        (sender, *TAKEN_OVER_STATUSES),
    )
    return rows[0] if rows else None


def claim(connection: sqlite3.Connection, handover_id: int, official: str) -> dict[str, Any]:
    """``official`` takes the handover over; again by the same official is a no-op. Raises
    :class:`HandoverStateError` when it is missing, closed or someone else's."""
    with connection:
        # BEGIN IMMEDIATE through the UPDATE's WHERE: two officials claiming at once, one wins.
        cursor = connection.execute(
            "UPDATE handovers SET status = 'claimed', claimed_by = ?, claimed_at = ? "
            "WHERE id = ? AND status = 'new'",
            (official, now(), handover_id),
        )
    handover = get(connection, handover_id)
    if handover is None:
        raise HandoverStateError(f"there is no handover {handover_id}")
    if cursor.rowcount == 0 and (handover["status"] == "closed" or handover["claimed_by"] != official):
        raise HandoverStateError(_refusal(handover, official))
    return handover


def _refusal(handover: dict[str, Any], official: str) -> str:
    if handover["status"] == "closed":
        return f"handover {handover['id']} is closed"
    if handover["status"] == "new":
        return f"claim handover {handover['id']} first"
    return f"handover {handover['id']} is claimed by {handover['claimed_by']}"


def require_claimed_by(connection: sqlite3.Connection, handover_id: int, official: str) -> dict[str, Any]:
    """The handover, when ``official`` holds it (claimed or answered); else :class:`HandoverStateError`."""
    handover = get(connection, handover_id)
    if handover is None:
        raise HandoverStateError(f"there is no handover {handover_id}")
    if handover["status"] not in TAKEN_OVER_STATUSES or handover["claimed_by"] != official:
        raise HandoverStateError(_refusal(handover, official))
    return handover


def add_message(
    connection: sqlite3.Connection,
    handover_id: int,
    author: str,
    language: str,
    text: str,
    *,
    official: str | None = None,
    translation: str | None = None,
    translated_to: str | None = None,
    translation_failed: bool = False,
) -> dict[str, Any]:
    """Append one message to a handover's thread; an official's first answer makes it ``answered``."""
    with connection:
        cursor = connection.execute(
            "INSERT INTO handover_messages (handover_id, created_at, author, official, language, text, "
            "translation, translated_to, translation_failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                handover_id, now(), author, official, language, text[:MAX_MESSAGE_CHARS], translation,
                translated_to, int(translation_failed),
            ),
        )  # fmt: skip
        if author == "official":
            connection.execute(
                "UPDATE handovers SET status = 'answered' WHERE id = ? AND status = 'claimed'", (handover_id,)
            )
    return _rows(
        connection,
        f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM handover_messages WHERE id = ?",
        (cursor.lastrowid,),
    )[0]


def messages(connection: sqlite3.Connection, handover_id: int) -> list[dict[str, Any]]:
    return _rows(
        connection,
        f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM handover_messages WHERE handover_id = ? ORDER BY id",
        (handover_id,),
    )


def messages_to_resident(connection: sqlite3.Connection, sender: str, after: int) -> list[dict[str, Any]]:
    """What the office told ``sender`` (official and system messages) after message id ``after``."""
    columns = ", ".join(f"m.{column}" for column in MESSAGE_COLUMNS)
    return _rows(
        connection,
        f"SELECT {columns} FROM handover_messages m JOIN handovers h ON h.id = m.handover_id "
        "WHERE h.sender = ? AND m.author != 'resident' AND m.id > ? ORDER BY m.id",
        (sender, after),
    )


def close(connection: sqlite3.Connection, handover_id: int, official: str) -> dict[str, Any]:
    """The official hands the conversation back to the bot; the retention period starts now."""
    require_claimed_by(connection, handover_id, official)
    with connection:
        connection.execute(
            "UPDATE handovers SET status = 'closed', closed_at = ? WHERE id = ?", (now(), handover_id)
        )
    handover = get(connection, handover_id)
    assert handover is not None
    return handover


def purge_contacts(connection: sqlite3.Connection, closed_before: str) -> int:
    """Delete the contact of every handover closed before ``closed_before`` (ISO time); how many."""
    with connection:
        cursor = connection.execute(
            "UPDATE handovers SET contact = NULL, contact_deleted_at = ? "
            "WHERE status = 'closed' AND closed_at < ? AND contact IS NOT NULL",
            (now(), closed_before),
        )
    return cursor.rowcount
