"""SQLite storage of conversation rooms: rooms, the languages present in each, messages, translations.

Every message is written here before it is acknowledged, sent to anyone or translated, so a crash or a
translation outage never loses one. A message may carry the id its client made for it (`client_id`): the same
author sending the same client id again (a retry after a dropped connection) gets the stored message back
instead of a second copy. A translation is stored once per (message, language) and reused for every reader of
that language.

The methods block (SQLite); async code calls them through `AsyncRoomStore` (gateway/rooms/database.py), on one
worker thread.
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
    created_at TEXT NOT NULL,
    client_id TEXT
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
# After the column exists (a database from before client ids gets it added first). NULLs never collide, so
# messages sent without a client id are never taken for retries.
_CLIENT_ID_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS room_messages_client_id ON room_messages (room_id, author, client_id)"
)
_MESSAGE_COLUMNS = "id, room_id, author, lang, text, created_at"

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

    def __init__(self, db_path: Path | str, busy_timeout_s: float = 5.0) -> None:
        if str(db_path) != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(
            str(db_path), check_same_thread=False, isolation_level=None, timeout=busy_timeout_s
        )
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            # WAL: readers never wait for the writer. The busy timeout covers another process holding the
            # write lock (sqlite3's `timeout` sets it too; the pragma states it where the other pragmas are).
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._connection.executescript(_SCHEMA)
            columns = {row["name"] for row in self._connection.execute("PRAGMA table_info(room_messages)")}
            if "client_id" not in columns:
                self._connection.execute("ALTER TABLE room_messages ADD COLUMN client_id TEXT")
            self._connection.execute(_CLIENT_ID_INDEX)

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

    def add_message(
        self, room_id: str, author: str, lang: str, text: str, client_id: str | None = None
    ) -> tuple[StoredMessage, bool]:
        """Store a message; returns it and True, or, when this author already sent `client_id` in this room,
        the message stored then (with its translations) and False."""
        created_at = _now()
        with self._transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO room_messages (room_id, author, lang, text, created_at, client_id) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room_id, author, client_id) DO NOTHING",
                (room_id, author, lang, text, created_at, client_id),
            )
            if cursor.rowcount == 1:
                message_id = cursor.lastrowid
                assert message_id is not None  # an INSERT into a rowid table always sets it
                return StoredMessage(message_id, room_id, author, lang, text, created_at), True
            rows = connection.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM room_messages "
                "WHERE room_id = ? AND author = ? AND client_id = ?",
                (room_id, author, client_id),
            ).fetchall()
            return self._attach_translations(rows)[0], False

    def save_translations(self, translations: list[tuple[int, str, str]]) -> None:
        """Store (message id, language, text) triples in one transaction (one commit for a whole batch)."""
        created_at = _now()
        with self._transaction() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO room_translations (message_id, lang, text, created_at) "
                "VALUES (?, ?, ?, ?)",
                [(message_id, lang, text, created_at) for message_id, lang, text in translations],
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

    def history(self, room_id: str, limit: int = 200, after: int | None = None) -> list[StoredMessage]:
        """Oldest first, with their stored translations: the room's last `limit` messages, or with `after`
        (a message id, the reader's cursor) the first `limit` messages newer than that one."""
        with self._lock:
            if after is None:
                rows = self._connection.execute(
                    f"SELECT * FROM (SELECT {_MESSAGE_COLUMNS} FROM room_messages "
                    "WHERE room_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                    (room_id, limit),
                ).fetchall()
            else:
                rows = self._connection.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM room_messages WHERE room_id = ? AND id > ? "
                    "ORDER BY id LIMIT ?",
                    (room_id, after, limit),
                ).fetchall()
            return self._attach_translations(rows)

    def catch_up(
        self, room_id: str, after: int | None, recent: int = 200, limit: int = 1000
    ) -> tuple[list[StoredMessage], bool]:
        """What a (re)joining reader is sent: the last `recent` messages (their translations may have arrived
        since the reader saw them) and every message after the reader's cursor `after`, at most `limit`,
        oldest first. The flag says whether that was all (False: fetch the rest with `history(after=...)`)."""
        with self._lock:
            row = self._connection.execute(
                "SELECT MIN(id) AS first FROM (SELECT id FROM room_messages WHERE room_id = ? "
                "ORDER BY id DESC LIMIT ?)",
                (room_id, recent),
            ).fetchone()
            if row["first"] is None:
                return [], True
            since = row["first"] - 1 if after is None else min(after, row["first"] - 1)
            rows = self._connection.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM room_messages WHERE room_id = ? AND id > ? "
                "ORDER BY id LIMIT ?",
                (room_id, since, limit + 1),
            ).fetchall()
            return self._attach_translations(rows[:limit]), len(rows) <= limit

    def get_message(self, message_id: int) -> StoredMessage | None:
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM room_messages WHERE id = ?",
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
