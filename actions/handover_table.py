"""The one definition of the handover tables: schema, migration, the writer's insert and the office's
lifecycle (claim, messages, close, contact retention).

The action server writes handovers (``actions.handover_store``); the gateway reads them and runs their
lifecycle (``gateway/handovers.py``, the office pages). Both import this module, so the tables have one owner.
SQLAlchemy Core, written for 1.4 (``future=True``, the Rasa environment) and 2.0 (the app environment) alike.

Where (:func:`database_url`): the SQLite file ``HANDOVER_DB`` by default; the PostgreSQL of ``DATABASE_URL``
when it is set (issue 12: replicas on several machines share one table), opened with psycopg 3 where it is
importable (the app environment) and psycopg2 otherwise (the Rasa environment). The same tables on both.

Versions (SQLite's ``PRAGMA user_version``; a PostgreSQL database starts at the newest):
- 0: a table made before this module, by the action server (``created_at TEXT NOT NULL``) or by the gateway
  (``created_at TEXT``), same columns otherwise; it is adopted as it is (SQLite cannot change a column's
  constraint in place, and the writer always gives ``created_at``);
- 1: the table below, with the index that the gateway's newest-first listing reads;
- 2: the office's lifecycle (issue 13): who claimed a handover and when, when it was closed and when its
  contact was deleted, and ``handover_messages``, the thread between the resident and the official.

Status: ``new`` (stored by the action server) -> ``claimed`` (an official took the conversation over) ->
``answered`` (the official wrote at least once) -> ``closed`` (the bot answers again). A closed handover's
contact is deleted once the retention period has passed (:func:`purge_contacts`).

Every function takes a connection from :func:`connect` and ends the transaction it began.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy
import sqlalchemy.exc
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

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
# pg_advisory_xact_lock key: replicas starting at once create the tables one after the other.
_SCHEMA_LOCK_KEY = 0x48414E44

metadata = MetaData()
handovers = Table(
    "handovers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", Text, nullable=False),
    Column("sender", Text),
    Column("language", Text),
    Column("question", Text),
    Column("contact", Text),
    Column("status", Text, server_default="new"),
    *(Column(name, Text) for name in LIFECYCLE_COLUMNS),
)
Index("handovers_newest", handovers.c.created_at.desc(), handovers.c.id.desc())
Index("handovers_by_sender", handovers.c.sender, handovers.c.id.desc())
handover_messages = Table(
    "handover_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("handover_id", Integer, ForeignKey("handovers.id"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("author", Text, CheckConstraint("author IN ('resident', 'official', 'system')"), nullable=False),
    Column("official", Text),
    Column("language", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("translation", Text),
    Column("translated_to", Text),
    Column("translation_failed", Integer, nullable=False, server_default="0"),
)
Index("handover_messages_by_handover", handover_messages.c.handover_id, handover_messages.c.id)


class HandoverStateError(Exception):
    """The handover is not in a state that allows the change (claimed by someone else, closed, missing)."""


class HandoverSchemaError(Exception):
    """The database holds a ``handovers`` table this module cannot adopt."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


def database_url(location: str | Path) -> str:
    """The SQLAlchemy URL of a file path (SQLite) or a database URL; ``postgresql://`` gets the driver this
    environment has: psycopg 3 with SQLAlchemy 2, psycopg2 otherwise."""
    if not is_url(location):
        return f"sqlite:///{location}"
    scheme, rest = str(location).split("://", 1)
    if scheme not in ("postgres", "postgresql"):
        return str(location)
    psycopg3 = sqlalchemy.__version__.startswith("2.") and importlib.util.find_spec("psycopg") is not None
    return f"postgresql+{'psycopg' if psycopg3 else 'psycopg2'}://{rest}"


@cache
def _engine(url: str, busy_timeout_s: float) -> Engine:
    if url.startswith("sqlite"):
        # No pool: a connection per call, closed after it, as before (no file is held open between calls).
        return create_engine(url, future=True, poolclass=NullPool, connect_args={"timeout": busy_timeout_s})
    # pre_ping: a connection the server closed (a restart of PostgreSQL) is replaced, not handed out.
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=2, max_overflow=8)


_ensured: set[str] = set()


def connect(location: str | Path, busy_timeout_s: float = 10.0) -> Connection:
    """A connection to the handover database, schema ensured (an SQLite file or at least its folder)."""
    url = database_url(location)
    connection = _engine(url, busy_timeout_s).connect()
    try:
        if url not in _ensured:
            ensure_schema(connection)
            if not url.startswith("sqlite"):
                _ensured.add(url)  # an SQLite file may be replaced; PRAGMA user_version is cheap there
    except BaseException:
        connection.close()
        raise
    return connection


def ensure_schema(connection: Connection) -> None:
    """Create or migrate the tables to :data:`SCHEMA_VERSION`; cheap on SQLite when they are there already."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        version = connection.exec_driver_sql("PRAGMA user_version").scalar_one()
        connection.rollback()
        if version >= SCHEMA_VERSION:
            return
    with connection.begin():
        if not sqlite:
            connection.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))
        handovers.create(connection, checkfirst=True)
        present = {column["name"] for column in inspect(connection).get_columns("handovers")}
        missing = [column for column in COLUMNS if column not in present]
        if missing:
            raise HandoverSchemaError(f"the handovers table lacks the columns {', '.join(missing)}")
        for column in LIFECYCLE_COLUMNS:
            if column not in present:
                connection.exec_driver_sql(f"ALTER TABLE handovers ADD COLUMN {column} TEXT")
        for index in handovers.indexes:
            index.create(connection, checkfirst=True)
        handover_messages.create(connection, checkfirst=True)
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def insert(connection: Connection, sender: str, language: str, question: str, contact: str) -> int:
    """Store one request (status ``new``) and return its id; committed when this returns."""
    with connection.begin():
        result = connection.execute(
            handovers.insert().values(
                created_at=now(),
                sender=sender,
                language=language,
                question=question[:MAX_QUESTION_CHARS],
                contact=contact,
                status="new",
            )
        )
    key = result.inserted_primary_key
    if not key or key[0] is None:
        raise HandoverSchemaError("insert returned no row id")
    return int(key[0])


def _rows(connection: Connection, statement: Any) -> list[dict[str, Any]]:
    with connection.begin():
        return [dict(row._mapping) for row in connection.execute(statement)]


def _columns(table: Table, names: tuple[str, ...]) -> list[Any]:
    return [table.c[name] for name in names]


_NEWEST_FIRST = (handovers.c.created_at.desc(), handovers.c.id.desc())


def newest(connection: Connection, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` newest requests, newest first, as mappings of :data:`COLUMNS`."""
    return _rows(connection, select(*_columns(handovers, COLUMNS)).order_by(*_NEWEST_FIRST).limit(limit))


def oldest_first(connection: Connection) -> list[dict[str, Any]]:
    """Every request in the order it was stored."""
    return _rows(connection, select(*_columns(handovers, COLUMNS)).order_by(handovers.c.id))


_ALL = _columns(handovers, COLUMNS + LIFECYCLE_COLUMNS)


def with_lifecycle(connection: Connection, statuses: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
    """Handovers in ``statuses``, newest first, with the lifecycle columns."""
    return _rows(
        connection,
        select(*_ALL).where(handovers.c.status.in_(statuses)).order_by(*_NEWEST_FIRST).limit(limit),
    )


def get(connection: Connection, handover_id: int) -> dict[str, Any] | None:
    rows = _rows(connection, select(*_ALL).where(handovers.c.id == handover_id))
    return rows[0] if rows else None


def taken_over(connection: Connection, sender: str) -> dict[str, Any] | None:
    """The handover of ``sender`` that an official has taken over and not closed, if any."""
    rows = _rows(
        connection,
        select(*_ALL)
        .where(handovers.c.sender == sender, handovers.c.status.in_(TAKEN_OVER_STATUSES))
        .order_by(handovers.c.id.desc())
        .limit(1),
    )
    return rows[0] if rows else None


def claim(connection: Connection, handover_id: int, official: str) -> dict[str, Any]:
    """``official`` takes the handover over; again by the same official is a no-op. Raises
    :class:`HandoverStateError` when it is missing, closed or someone else's."""
    with connection.begin():
        # The UPDATE's WHERE decides: two officials claiming at once, one wins (SQLite's write lock,
        # PostgreSQL's row lock and re-check).
        result = connection.execute(
            handovers.update()
            .where(handovers.c.id == handover_id, handovers.c.status == "new")
            .values(status="claimed", claimed_by=official, claimed_at=now())
        )
    handover = get(connection, handover_id)
    if handover is None:
        raise HandoverStateError(f"there is no handover {handover_id}")
    if result.rowcount == 0 and (handover["status"] == "closed" or handover["claimed_by"] != official):
        raise HandoverStateError(_refusal(handover, official))
    return handover


def _refusal(handover: dict[str, Any], official: str) -> str:
    if handover["status"] == "closed":
        return f"handover {handover['id']} is closed"
    if handover["status"] == "new":
        return f"claim handover {handover['id']} first"
    return f"handover {handover['id']} is claimed by {handover['claimed_by']}"


def require_claimed_by(connection: Connection, handover_id: int, official: str) -> dict[str, Any]:
    """The handover, when ``official`` holds it (claimed or answered); else :class:`HandoverStateError`."""
    handover = get(connection, handover_id)
    if handover is None:
        raise HandoverStateError(f"there is no handover {handover_id}")
    if handover["status"] not in TAKEN_OVER_STATUSES or handover["claimed_by"] != official:
        raise HandoverStateError(_refusal(handover, official))
    return handover


def add_message(
    connection: Connection,
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
    with connection.begin():
        result = connection.execute(
            handover_messages.insert().values(
                handover_id=handover_id,
                created_at=now(),
                author=author,
                official=official,
                language=language,
                text=text[:MAX_MESSAGE_CHARS],
                translation=translation,
                translated_to=translated_to,
                translation_failed=int(translation_failed),
            )
        )
        if author == "official":
            connection.execute(
                handovers.update()
                .where(handovers.c.id == handover_id, handovers.c.status == "claimed")
                .values(status="answered")
            )
    message_id = result.inserted_primary_key[0]
    return _rows(
        connection,
        select(*_columns(handover_messages, MESSAGE_COLUMNS)).where(handover_messages.c.id == message_id),
    )[0]


def messages(connection: Connection, handover_id: int) -> list[dict[str, Any]]:
    return _rows(
        connection,
        select(*_columns(handover_messages, MESSAGE_COLUMNS))
        .where(handover_messages.c.handover_id == handover_id)
        .order_by(handover_messages.c.id),
    )


def messages_to_resident(connection: Connection, sender: str, after: int) -> list[dict[str, Any]]:
    """What the office told ``sender`` (official and system messages) after message id ``after``."""
    return _rows(
        connection,
        select(*_columns(handover_messages, MESSAGE_COLUMNS))
        .join(handovers, handovers.c.id == handover_messages.c.handover_id)
        .where(
            handovers.c.sender == sender,
            handover_messages.c.author != "resident",
            handover_messages.c.id > after,
        )
        .order_by(handover_messages.c.id),
    )


def close(connection: Connection, handover_id: int, official: str) -> dict[str, Any]:
    """The official hands the conversation back to the bot; the retention period starts now."""
    require_claimed_by(connection, handover_id, official)
    with connection.begin():
        connection.execute(
            handovers.update().where(handovers.c.id == handover_id).values(status="closed", closed_at=now())
        )
    handover = get(connection, handover_id)
    assert handover is not None
    return handover


def purge_contacts(connection: Connection, closed_before: str) -> int:
    """Delete the contact of every handover closed before ``closed_before`` (ISO time); how many."""
    with connection.begin():
        result = connection.execute(
            handovers.update()
            .where(
                handovers.c.status == "closed",
                handovers.c.closed_at < closed_before,
                handovers.c.contact.isnot(None),
            )
            .values(contact=None, contact_deleted_at=now())
        )
    return int(result.rowcount)


# Version 1's table as SQLite DDL (tests make a database as an older gateway did).
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
# What a failing database raises here (a locked or broken SQLite file, an unreachable PostgreSQL).
DATABASE_ERRORS: tuple[type[BaseException], ...] = (sqlalchemy.exc.SQLAlchemyError, HandoverSchemaError)
