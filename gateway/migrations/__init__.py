"""Schema migrations of the gateway's stored data (Alembic), the same scripts for SQLite and PostgreSQL.

`upgrade(engine)` brings a database to the newest revision; every gateway calls it when it opens its store,
and `python -m gateway.migrations` does it once before replicas start (deploy/scaled.py). On PostgreSQL an
advisory lock makes gateways that start together migrate one after the other, so none sees half a schema.
The version lives in `gateway_schema_version`, apart from the tables of Rasa and of other stores in the same
database.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

SCRIPTS = Path(__file__).resolve().parent
VERSION_TABLE = "gateway_schema_version"
# Any constant shared by the gateways: pg_advisory_xact_lock takes a 64-bit key.
_MIGRATION_LOCK_KEY = 120_412


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        config = Config()
        config.set_main_option("script_location", str(SCRIPTS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
