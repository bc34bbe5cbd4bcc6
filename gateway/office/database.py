"""The office's tables in SQLAlchemy Core: staff accounts and the questions the assistant could not answer.

One engine per database URL (``Settings.office_database``: ``OFFICE_DATABASE_URL``, else ``DATABASE_URL``'s
PostgreSQL, else SQLite under var/); the same tables on both. ``postgresql://`` gets the psycopg 3 driver. The
tables are created when missing (``create_all`` is idempotent; replicas starting at once take turns).
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
    func,
    select,
)
from sqlalchemy.engine import make_url

from actions import handover_table

# pg_advisory_xact_lock key: gateway replicas starting at once create the tables one after the other.
_SCHEMA_LOCK_KEY = 0x4F464943

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
    url = make_url(handover_table.database_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # pre_ping on PostgreSQL: a connection the server closed (a restart) is replaced, not handed out.
    engine = create_engine(url, pool_pre_ping=url.get_backend_name() == "postgresql")
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_busy_timeout)
    if url.get_backend_name() == "postgresql":
        with engine.begin() as connection:
            # Two gateway replicas starting at once: one creates the tables, the other finds them.
            connection.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))
            metadata.create_all(connection)
    else:
        metadata.create_all(engine)
    return engine
