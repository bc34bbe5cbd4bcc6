"""SQLAlchemy engines of the gateway's stored data: an SQLite file by default, PostgreSQL with DATABASE_URL.

A location is a file path (SQLite) or a database URL. `postgresql://...` (the form Rasa's SQLAlchemy 1.4 and
psycopg2 read from the same DATABASE_URL) is opened with psycopg 3 here. SQLite connections get the settings
the rooms relied on before: WAL (readers never wait for the writer), a busy timeout for another process
holding the write lock, foreign keys, and transactions that SQLAlchemy begins itself (pysqlite's own
implicit BEGIN would start them late and never for DDL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

_PSYCOPG_SCHEMES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


def database_url(location: Path | str) -> str:
    """The SQLAlchemy URL of a file path or a URL (PostgreSQL URLs get the psycopg 3 driver)."""
    text = str(location)
    if "://" not in text:
        if text != ":memory:":
            Path(text).parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{text}"
    scheme, rest = text.split("://", 1)
    return f"{_PSYCOPG_SCHEMES.get(scheme, scheme)}://{rest}"


def open_engine(location: Path | str, busy_timeout_s: float = 5.0) -> Engine:
    url = make_url(database_url(location))
    if url.get_backend_name() != "sqlite":
        # pre_ping: a connection the server closed (a restart of PostgreSQL) is replaced, not handed out.
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": busy_timeout_s, "isolation_level": None}
    )

    @event.listens_for(engine, "connect")
    def _configure(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine
