"""Reads the handover requests that the action server records.

The table is defined once, in ``actions/handover_table.py`` (plain sqlite3, importable here too): its schema,
its migration and the newest-first query the gateway lists.
"""

from contextlib import closing
from pathlib import Path

from actions import handover_table
from actions.handover_table import CREATE_TABLE_SQL
from gateway.schemas import Handover

__all__ = ["CREATE_TABLE_SQL", "HandoverStore"]


class HandoverStore:
    def __init__(self, database_path: Path) -> None:
        self._database_path = database_path

    def newest(self, limit: int) -> list[Handover]:
        """The `limit` newest handovers; none while the action server has not created the database yet."""
        if not self._database_path.is_file():
            return []
        with closing(handover_table.connect(self._database_path, busy_timeout_s=5)) as connection:
            rows = handover_table.newest(connection, limit)
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
