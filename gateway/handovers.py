"""The gateway's side of the handover tables: the office's listing and lifecycle, the takeover check.

The tables are defined once, in ``actions/handover_table.py`` (SQLAlchemy Core, importable here too): their
schema, migration and queries, in the SQLite file ``HANDOVER_DB`` or the PostgreSQL of ``DATABASE_URL``. Every
method blocks; async code calls them in a worker thread (``run_in_threadpool`` / ``asyncio.to_thread``).
"""

from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from actions import handover_table
from actions.handover_table import CREATE_TABLE_SQL, HandoverStateError
from gateway.schemas import Handover

__all__ = ["CREATE_TABLE_SQL", "HandoverStateError", "HandoverStore"]

T = TypeVar("T")
BUSY_TIMEOUT_S = 5.0


class HandoverStore:
    def __init__(self, location: Path | str) -> None:
        """``location``: the SQLite file, or a database URL (``DATABASE_URL``)."""
        self.location = location

    def _with_connection(self, work: Callable[..., T], *args: Any, default: T) -> T:
        """``work(connection, *args)``; ``default`` while the SQLite file has not been created."""
        if not handover_table.is_url(self.location) and not Path(self.location).is_file():
            return default
        with closing(handover_table.connect(self.location, BUSY_TIMEOUT_S)) as connection:
            return work(connection, *args)

    def _with_database(self, work: Callable[..., T], *args: Any) -> T:
        """``work(connection, *args)``, creating the database when there is none yet."""
        if not handover_table.is_url(self.location):
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        with closing(handover_table.connect(self.location, BUSY_TIMEOUT_S)) as connection:
            return work(connection, *args)

    def newest(self, limit: int) -> list[Handover]:
        """The `limit` newest handovers; none while the action server has not created the database yet."""
        rows = self._with_connection(handover_table.newest, limit, default=[])
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

    # --- the office ------------------------------------------------------------------------------------

    def listing(self, include_closed: bool, limit: int = 200) -> list[dict[str, Any]]:
        statuses = (
            (*handover_table.OPEN_STATUSES, "closed") if include_closed else handover_table.OPEN_STATUSES
        )
        return self._with_connection(handover_table.with_lifecycle, statuses, limit, default=[])

    def get(self, handover_id: int) -> dict[str, Any] | None:
        return self._with_connection(handover_table.get, handover_id, default=None)

    def messages(self, handover_id: int) -> list[dict[str, Any]]:
        return self._with_connection(handover_table.messages, handover_id, default=[])

    def claim(self, handover_id: int, official: str) -> dict[str, Any]:
        return self._with_database(handover_table.claim, handover_id, official)

    def require_claimed_by(self, handover_id: int, official: str) -> dict[str, Any]:
        return self._with_database(handover_table.require_claimed_by, handover_id, official)

    def add_message(
        self, handover_id: int, author: str, language: str, text: str, **extra: Any
    ) -> dict[str, Any]:
        return self._with_database(
            lambda connection: handover_table.add_message(
                connection, handover_id, author, language, text, **extra
            )
        )

    def close(self, handover_id: int, official: str) -> dict[str, Any]:
        return self._with_database(handover_table.close, handover_id, official)

    def purge_contacts(self, retention: timedelta) -> int:
        """Delete the contacts of handovers closed longer ago than ``retention``; how many."""
        cutoff = (datetime.now(timezone.utc) - retention).isoformat(timespec="seconds")
        return self._with_connection(handover_table.purge_contacts, cutoff, default=0)

    # --- the resident's side -------------------------------------------------------------------------

    def taken_over(self, sender: str) -> dict[str, Any] | None:
        """The open handover of ``sender`` that an official holds (the bot stays out of it), if any."""
        return self._with_connection(handover_table.taken_over, sender, default=None)

    def messages_to_resident(self, sender: str, after: int) -> list[dict[str, Any]]:
        return self._with_connection(handover_table.messages_to_resident, sender, after, default=[])
