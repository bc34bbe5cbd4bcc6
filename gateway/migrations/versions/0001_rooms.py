"""Rooms: rooms, the languages read in each, messages (with the author's client ids), translations.

A database made before migrations existed (the SQLite file of `make run`, possibly from before client ids)
already has some of these tables: they are kept as they are, and what is missing is added.

Revision ID: 0001_rooms
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_rooms"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    if "rooms" not in present:
        op.create_table(
            "rooms",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
        )
    if "room_languages" not in present:
        op.create_table(
            "room_languages",
            sa.Column("room_id", sa.Text, sa.ForeignKey("rooms.id"), primary_key=True),
            sa.Column("lang", sa.Text, primary_key=True),
        )
    if "room_messages" not in present:
        op.create_table(
            "room_messages",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("room_id", sa.Text, sa.ForeignKey("rooms.id"), nullable=False),
            sa.Column("author", sa.Text, nullable=False),
            sa.Column("lang", sa.Text, nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("client_id", sa.Text),
            # SQLite: ids are never reused, even after the newest message is deleted.
            sqlite_autoincrement=True,
        )
    elif "client_id" not in {column["name"] for column in inspector.get_columns("room_messages")}:
        op.add_column("room_messages", sa.Column("client_id", sa.Text))
    indexes = (
        {index["name"] for index in inspector.get_indexes("room_messages")}
        if "room_messages" in present
        else set()
    )
    if "room_messages_by_room" not in indexes:
        op.create_index("room_messages_by_room", "room_messages", ["room_id", "id"])
    if "room_messages_client_id" not in indexes:
        # NULLs never collide: messages sent without a client id are never taken for retries.
        op.create_index(
            "room_messages_client_id", "room_messages", ["room_id", "author", "client_id"], unique=True
        )
    if "room_translations" not in present:
        op.create_table(
            "room_translations",
            sa.Column("message_id", sa.Integer, sa.ForeignKey("room_messages.id"), primary_key=True),
            sa.Column("lang", sa.Text, primary_key=True),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
        )
