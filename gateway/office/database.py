"""The office's tables in SQLAlchemy Core: staff accounts and the questions the assistant could not answer.

One engine per database URL (``OFFICE_DATABASE_URL``): SQLite by default, under var/; the same tables work on
PostgreSQL. The tables are created when missing (``create_all`` is idempotent).
"""

from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url

metadata = MetaData()

office_users = Table(
    "office_users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A question the assistant could not answer, recorded by the gateway when it happened. `embedding` is its e5
# query vector (float32 bytes), made the first time the grouping needs it and kept.
missed_questions = Table(
    "missed_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", DateTime(timezone=True), nullable=False, index=True),
    Column("language", String(8), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("question", Text, nullable=False),
    Column("embedding", LargeBinary, nullable=True),
)


def _sqlite_busy_timeout(dbapi_connection: object, _record: object) -> None:
    # Two gateway workers (or a backup) may write at once: wait for the lock instead of failing.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


def open_engine(database_url: str) -> Engine:
    """The engine of ``database_url`` with the office's tables in it (an SQLite file's folder is made)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_busy_timeout)
    metadata.create_all(engine)
    return engine
