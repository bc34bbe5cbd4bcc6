"""Reads the handover requests that the action server records (table in docs/architecture.md)."""

import sqlite3
from pathlib import Path

from gateway.schemas import Handover

CREATE_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS handovers (
    id INTEGER PRIMARY KEY,
    created_at TEXT,
    sender TEXT,
    language TEXT,
    question TEXT,
    contact TEXT,
    status TEXT DEFAULT 'new'
)
"""


class HandoverStore:
    def __init__(self, database_path: Path) -> None:
        self._database_path = database_path

    def newest(self, limit: int) -> list[Handover]:
        """The `limit` newest handovers; none while the action server has not created the database yet."""
        if not self._database_path.is_file():
            return []
        connection = sqlite3.connect(self._database_path, timeout=5)
        try:
            connection.row_factory = sqlite3.Row
            # The table contract says whoever opens the file first creates the table.
            connection.execute(CREATE_TABLE_SQL)
            rows = connection.execute(
                "SELECT id, created_at, sender, language, question, contact, status FROM handovers "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        finally:
            connection.close()
        return [
            Handover(
                id=row["id"],
                **{
                    name: "" if row[name] is None else str(row[name])
                    for name in ("created_at", "sender", "language", "question", "contact", "status")
                },
            )
            for row in rows
        ]
