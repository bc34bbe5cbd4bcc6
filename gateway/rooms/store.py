"""SQLite storage of conversation rooms: rooms, the languages present in each, messages, translations.

Every message is written here before it is sent to anyone or translated, so a crash or a translation outage
never loses one. A translation is stored once per (message, language) and reused for every reader of that
language.
"""

import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS room_languages (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    lang TEXT NOT NULL,
    PRIMARY KEY (room_id, lang)
);
CREATE TABLE IF NOT EXISTS room_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    author TEXT NOT NULL,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS room_messages_by_room ON room_messages (room_id, id);
CREATE TABLE IF NOT EXISTS room_translations (
    message_id INTEGER NOT NULL REFERENCES room_messages(id),
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (message_id, lang)
);
"""

# 12 random bytes -> 16 URL-safe characters: unguessable, so a room link is its own access token.
_ROOM_ID_BYTES = 12


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Room:
    id: str
    title: str
    created_at: str


@dataclass
class StoredMessage:
    id: int
    room_id: str
    author: str
    lang: str
    text: str
    created_at: str
    translations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PendingTranslation:
    """A message that still lacks its translation into `target` (a language present in its room)."""

    message: StoredMessage
    target: str


class RoomStore:
    """Thread-safe access to the rooms database (one connection, one lock: every statement is a few ms)."""

    def __init__(self, db_path: Path | str) -> None:
        if str(db_path) != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._connection.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def create_room(self, title: str) -> Room:
        room = Room(id=secrets.token_urlsafe(_ROOM_ID_BYTES), title=title, created_at=_now())
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO rooms (id, title, created_at) VALUES (?, ?, ?)",
                (room.id, room.title, room.created_at),
            )
        return room

    def get_room(self, room_id: str) -> Room | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT id, title, created_at FROM rooms WHERE id = ?", (room_id,)
            ).fetchone()
        return Room(row["id"], row["title"], row["created_at"]) if row else None

    def add_language(self, room_id: str, lang: str) -> bool:
        """Record that a reader of `lang` is in the room; True when the language is new there."""
        with self._transaction() as connection:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO room_languages (room_id, lang) VALUES (?, ?)", (room_id, lang)
            )
            return cursor.rowcount == 1

    def languages(self, room_id: str) -> set[str]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT lang FROM room_languages WHERE room_id = ?", (room_id,)
            ).fetchall()
        return {row["lang"] for row in rows}

    def add_message(self, room_id: str, author: str, lang: str, text: str) -> StoredMessage:
        created_at = _now()
        with self._transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO room_messages (room_id, author, lang, text, created_at) VALUES (?, ?, ?, ?, ?)",
                (room_id, author, lang, text, created_at),
            )
            message_id = cursor.lastrowid
        assert message_id is not None  # an INSERT into a rowid table always sets it
        return StoredMessage(message_id, room_id, author, lang, text, created_at)

    def save_translation(self, message_id: int, lang: str, text: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO room_translations (message_id, lang, text, created_at) "
                "VALUES (?, ?, ?, ?)",
                (message_id, lang, text, _now()),
            )

    def _attach_translations(self, rows: list[sqlite3.Row]) -> list[StoredMessage]:
        messages = [
            StoredMessage(
                row["id"], row["room_id"], row["author"], row["lang"], row["text"], row["created_at"]
            )
            for row in rows
        ]
        if not messages:
            return messages
        by_id = {message.id: message for message in messages}
        placeholders = ",".join("?" * len(by_id))
        translation_rows = self._connection.execute(
            f"SELECT message_id, lang, text FROM room_translations WHERE message_id IN ({placeholders})",
            tuple(by_id),
        ).fetchall()
        for row in translation_rows:
            by_id[row["message_id"]].translations[row["lang"]] = row["text"]
        return messages

    def history(self, room_id: str, limit: int = 200) -> list[StoredMessage]:
        """The room's last `limit` messages, oldest first, with their stored translations."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT * FROM (SELECT id, room_id, author, lang, text, created_at FROM room_messages "
                "WHERE room_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                (room_id, limit),
            ).fetchall()
            return self._attach_translations(rows)

    def get_message(self, message_id: int) -> StoredMessage | None:
        with self._lock:
            rows = self._connection.execute(
                "SELECT id, room_id, author, lang, text, created_at FROM room_messages WHERE id = ?",
                (message_id,),
            ).fetchall()
            messages = self._attach_translations(rows)
        return messages[0] if messages else None

    def pending_translations(self, limit: int = 100) -> list[PendingTranslation]:
        """Missing translations into the languages present in each message's room, newest messages first.

        Newest first: the conversation going on now matters more than the history a latecomer scrolls back to.
        """
        with self._lock:
            rows = self._connection.execute(
                "SELECT m.id, m.room_id, m.author, m.lang, m.text, m.created_at, l.lang AS target "
                "FROM room_messages m JOIN room_languages l ON l.room_id = m.room_id AND l.lang != m.lang "
                "LEFT JOIN room_translations t ON t.message_id = m.id AND t.lang = l.lang "
                "WHERE t.message_id IS NULL ORDER BY m.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            PendingTranslation(
                StoredMessage(
                    row["id"], row["room_id"], row["author"], row["lang"], row["text"], row["created_at"]
                ),
                row["target"],
            )
            for row in rows
        ]
