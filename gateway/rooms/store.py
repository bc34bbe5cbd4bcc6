"""Storage of conversation rooms: rooms, the languages present in each, messages, translations.

An SQLite file by default, PostgreSQL when DATABASE_URL is set (gateway/sql.py), through SQLAlchemy Core: the
same statements for both; the schema is made and migrated by Alembic (gateway/migrations).

Every message is written here before it is acknowledged, sent to anyone or translated, so a crash or a
translation outage never loses one. A message may carry the id its client made for it (`client_id`): the same
author sending the same client id again (a retry after a dropped connection) gets the stored message back
instead of a second copy. A translation is stored once per (message, language) and reused for every reader of
that language.

The methods block; async code calls them through `AsyncRoomStore` (gateway/rooms/database.py), on one worker
thread.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from gateway import migrations
from gateway.sql import open_engine

_metadata = sa.MetaData()
rooms = sa.Table(
    "rooms",
    _metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
room_languages = sa.Table(
    "room_languages",
    _metadata,
    sa.Column("room_id", sa.Text, sa.ForeignKey("rooms.id"), primary_key=True),
    sa.Column("lang", sa.Text, primary_key=True),
)
room_messages = sa.Table(
    "room_messages",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("room_id", sa.Text, sa.ForeignKey("rooms.id"), nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("lang", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("client_id", sa.Text),
)
room_translations = sa.Table(
    "room_translations",
    _metadata,
    sa.Column("message_id", sa.Integer, sa.ForeignKey("room_messages.id"), primary_key=True),
    sa.Column("lang", sa.Text, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
_MESSAGE_COLUMNS = (
    room_messages.c.id,
    room_messages.c.room_id,
    room_messages.c.author,
    room_messages.c.lang,
    room_messages.c.text,
    room_messages.c.created_at,
)

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
    """Thread-safe access to the rooms database (every statement is a few ms; SQLAlchemy's pool hands each
    caller its own connection)."""

    def __init__(self, location: Path | str, busy_timeout_s: float = 5.0) -> None:
        self._engine = open_engine(location, busy_timeout_s)
        migrations.upgrade(self._engine)
        # The dialect's INSERT ... ON CONFLICT (SQLite and PostgreSQL spell it the same).
        self._insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        self._row_locks = self._engine.dialect.name == "postgresql"

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    def create_room(self, title: str) -> Room:
        room = Room(id=secrets.token_urlsafe(_ROOM_ID_BYTES), title=title, created_at=_now())
        with self._engine.begin() as connection:
            connection.execute(
                rooms.insert().values(id=room.id, title=room.title, created_at=room.created_at)
            )
        return room

    def get_room(self, room_id: str) -> Room | None:
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(rooms).where(rooms.c.id == room_id)).first()
        return Room(row.id, row.title, row.created_at) if row else None

    def add_language(self, room_id: str, lang: str) -> bool:
        """Record that a reader of `lang` is in the room; True when the language is new there."""
        statement = (
            self._insert(room_languages)
            .values(room_id=room_id, lang=lang)
            .on_conflict_do_nothing()
            .returning(room_languages.c.lang)
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).first() is not None

    def languages(self, room_id: str) -> set[str]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(room_languages.c.lang).where(room_languages.c.room_id == room_id)
            ).all()
        return {row.lang for row in rows}

    def add_message(
        self, room_id: str, author: str, lang: str, text: str, client_id: str | None = None
    ) -> tuple[StoredMessage, bool]:
        """Store a message; returns it and True, or, when this author already sent `client_id` in this room,
        the message stored then (with its translations) and False."""
        created_at = _now()
        statement = (
            self._insert(room_messages)
            .values(
                room_id=room_id,
                author=author,
                lang=lang,
                text=text,
                created_at=created_at,
                client_id=client_id,
            )
            .on_conflict_do_nothing(index_elements=["room_id", "author", "client_id"])
            .returning(room_messages.c.id)
        )
        with self._engine.begin() as connection:
            if self._row_locks:
                # One writer per room at a time (PostgreSQL): ids are then committed in the order they are
                # given, so a reader's `after` cursor never passes a message that another gateway commits
                # later with a smaller id. SQLite's single writer gives the same order by itself.
                connection.execute(sa.select(rooms.c.id).where(rooms.c.id == room_id).with_for_update())
            row = connection.execute(statement).first()
            if row is not None:
                return StoredMessage(row.id, room_id, author, lang, text, created_at), True
            rows = connection.execute(
                sa.select(*_MESSAGE_COLUMNS).where(
                    room_messages.c.room_id == room_id,
                    room_messages.c.author == author,
                    room_messages.c.client_id == client_id,
                )
            ).all()
            return self._attach_translations(connection, rows)[0], False

    def save_translations(self, translations: list[tuple[int, str, str]]) -> None:
        """Store (message id, language, text) triples in one transaction (one commit for a whole batch)."""
        if not translations:
            return
        created_at = _now()
        statement = self._insert(room_translations)
        statement = statement.on_conflict_do_update(
            index_elements=["message_id", "lang"],
            set_={"text": statement.excluded.text, "created_at": statement.excluded.created_at},
        )
        with self._engine.begin() as connection:
            connection.execute(
                statement,
                [
                    {"message_id": message_id, "lang": lang, "text": text, "created_at": created_at}
                    for message_id, lang, text in translations
                ],
            )

    @staticmethod
    def _attach_translations(connection: Connection, rows: Sequence[Row]) -> list[StoredMessage]:
        messages = [
            StoredMessage(row.id, row.room_id, row.author, row.lang, row.text, row.created_at) for row in rows
        ]
        if not messages:
            return messages
        by_id = {message.id: message for message in messages}
        translation_rows = connection.execute(
            sa.select(
                room_translations.c.message_id, room_translations.c.lang, room_translations.c.text
            ).where(room_translations.c.message_id.in_(list(by_id)))
        ).all()
        for row in translation_rows:
            by_id[row.message_id].translations[row.lang] = row.text
        return messages

    def history(self, room_id: str, limit: int = 200, after: int | None = None) -> list[StoredMessage]:
        """Oldest first, with their stored translations: the room's last `limit` messages, or with `after`
        (a message id, the reader's cursor) the first `limit` messages newer than that one."""
        in_room = sa.select(*_MESSAGE_COLUMNS).where(room_messages.c.room_id == room_id)
        with self._engine.connect() as connection:
            if after is None:
                newest = in_room.order_by(room_messages.c.id.desc()).limit(limit).subquery()
                rows = connection.execute(sa.select(newest).order_by(newest.c.id)).all()
            else:
                rows = connection.execute(
                    in_room.where(room_messages.c.id > after).order_by(room_messages.c.id).limit(limit)
                ).all()
            return self._attach_translations(connection, rows)

    def catch_up(
        self, room_id: str, after: int | None, recent: int = 200, limit: int = 1000
    ) -> tuple[list[StoredMessage], bool]:
        """What a (re)joining reader is sent: the last `recent` messages (their translations may have arrived
        since the reader saw them) and every message after the reader's cursor `after`, at most `limit`,
        oldest first. The flag says whether that was all (False: fetch the rest with `history(after=...)`)."""
        newest = (
            sa.select(room_messages.c.id)
            .where(room_messages.c.room_id == room_id)
            .order_by(room_messages.c.id.desc())
            .limit(recent)
            .subquery()
        )
        with self._engine.connect() as connection:
            first = connection.execute(sa.select(sa.func.min(newest.c.id))).scalar()
            if first is None:
                return [], True
            since = first - 1 if after is None else min(after, first - 1)
            rows = connection.execute(
                sa.select(*_MESSAGE_COLUMNS)
                .where(room_messages.c.room_id == room_id, room_messages.c.id > since)
                .order_by(room_messages.c.id)
                .limit(limit + 1)
            ).all()
            return self._attach_translations(connection, rows[:limit]), len(rows) <= limit

    def get_message(self, message_id: int) -> StoredMessage | None:
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(*_MESSAGE_COLUMNS).where(room_messages.c.id == message_id)
            ).all()
            messages = self._attach_translations(connection, rows)
        return messages[0] if messages else None

    def pending_translations(self, limit: int = 100) -> list[PendingTranslation]:
        """Missing translations into the languages present in each message's room, newest messages first.

        Newest first: the conversation going on now matters more than the history a latecomer scrolls back to.
        """
        message, reader, done = room_messages, room_languages, room_translations
        query = (
            sa.select(*_MESSAGE_COLUMNS, reader.c.lang.label("target"))
            .join(reader, sa.and_(reader.c.room_id == message.c.room_id, reader.c.lang != message.c.lang))
            .outerjoin(done, sa.and_(done.c.message_id == message.c.id, done.c.lang == reader.c.lang))
            .where(done.c.message_id.is_(None))
            .order_by(message.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            PendingTranslation(
                StoredMessage(row.id, row.room_id, row.author, row.lang, row.text, row.created_at), row.target
            )
            for row in rows
        ]
