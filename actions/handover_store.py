"""The action server's side of the handover table: append-only writes (schema in ``actions.handover_table``).

Blocking (SQLAlchemy: the SQLite file ``HANDOVER_DB``, or the PostgreSQL of ``DATABASE_URL``): the actions
call it through ``asyncio.to_thread``. A record is committed before the caller is told its id, and nothing
here ever deletes or rewrites a record (the office's lifecycle is the gateway's: ``gateway/handovers.py``).
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from actions import handover_table


@dataclass(frozen=True)
class HandoverStore:
    # An SQLite file or a database URL (handover_table.database_url).
    path: Path | str
    busy_timeout_s: float = 10.0

    def _connect(self) -> Connection:
        if not handover_table.is_url(self.path):
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        return handover_table.connect(self.path, self.busy_timeout_s)

    def add(self, sender: str, language: str, question: str, contact: str) -> int:
        """Store one request and return its id; the row is committed when this returns."""
        with closing(self._connect()) as connection:
            return handover_table.insert(connection, sender, language, question, contact)

    def all(self) -> list[dict[str, Any]]:
        with closing(self._connect()) as connection:
            return handover_table.oldest_first(connection)
