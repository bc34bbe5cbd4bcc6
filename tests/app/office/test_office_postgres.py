"""The handovers and the office's tables in a real PostgreSQL (issue 12: DATABASE_URL set, replicas share
them), started by deploy/backing.py on loopback (tests/app/conftest.py). Each test gets a database of its own.

The handover functions run here with psycopg 3 (SQLAlchemy 2) and, through the Rasa environment's Python, with
psycopg2 (SQLAlchemy 1.4): the action server's writer and the gateway's reader meet in one table. The office's
round trips of test_office_round_trip.py and test_office_missed.py run again on PostgreSQL (imported below,
collected here with this module's `database_url`)."""

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from actions import handover_table
from deploy.backing import Backing
from gateway.handovers import HandoverStore
from gateway.office.services import OfficeServices
from gateway.settings import Settings
from tests.app.office.test_office_missed import (  # noqa: F401  (run again on PostgreSQL)
    test_questions_are_filtered_by_week_and_language_and_counted,
)
from tests.app.office.test_office_round_trip import (  # noqa: F401  (run again on PostgreSQL)
    test_a_handed_over_conversation_reaches_the_official_not_the_bot_until_closed,
    test_only_the_official_who_claimed_it_answers_and_closes,
    test_the_answer_reaches_the_web_page_translated_with_the_czech_original,
)

ROOT = Path(__file__).resolve().parents[3]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


@pytest.fixture
def database_url(backing: Backing) -> Iterator[str]:
    """A new, empty database in the session's PostgreSQL, as a plain postgresql:// URL (DATABASE_URL)."""
    name = f"handovers_{uuid.uuid4().hex[:12]}"
    admin = create_engine(handover_table.database_url(backing.postgres.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    yield backing.postgres.url.rsplit("/", 1)[0] + f"/{name}"


def test_the_driver_is_the_one_this_environment_has() -> None:
    url = "postgresql://u@127.0.0.1:5432/db"
    assert handover_table.database_url(url) == "postgresql+psycopg://u@127.0.0.1:5432/db"
    assert handover_table.database_url("/srv/var/handovers.sqlite") == "sqlite:////srv/var/handovers.sqlite"


def test_the_office_uses_database_url_unless_office_database_url_is_set() -> None:
    assert Settings().office_database == "sqlite:///var/office.sqlite"
    assert Settings(database_url="postgresql://u@db/t").office_database == "postgresql://u@db/t"
    both = Settings(database_url="postgresql://u@db/t", office_database_url="sqlite:///elsewhere.sqlite")
    assert both.office_database == "sqlite:///elsewhere.sqlite"


def test_the_handover_lifecycle_on_postgresql(database_url: str) -> None:
    with closing(handover_table.connect(database_url)) as connection:
        first = handover_table.insert(connection, "a", "de", "Frage", "a@example.de")
        second = handover_table.insert(connection, "b", "pl", "pytanie", "b@example.pl")
        assert [row["id"] for row in handover_table.newest(connection, 10)] == [second, first]
        assert handover_table.claim(connection, first, "jana")["status"] == "claimed"
        assert handover_table.claim(connection, first, "jana")["claimed_by"] == "jana"  # again: a no-op
        with pytest.raises(handover_table.HandoverStateError, match="claimed by jana"):
            handover_table.claim(connection, first, "petr")
        assert handover_table.taken_over(connection, "a")["id"] == first
        resident = handover_table.add_message(connection, first, "resident", "de", "Noch da?")
        answer = handover_table.add_message(
            connection,
            first,
            "official",
            "cs",
            "Ano.",
            official="jana",
            translation="Ja.",
            translated_to="de",
        )
        assert answer["id"] > resident["id"] and answer["translation_failed"] == 0
        assert handover_table.get(connection, first)["status"] == "answered"
        assert [m["text"] for m in handover_table.messages_to_resident(connection, "a", 0)] == ["Ano."]
        assert handover_table.messages_to_resident(connection, "a", answer["id"]) == []
        closed = handover_table.close(connection, first, "jana")
        assert closed["status"] == "closed" and closed["closed_at"]
        assert handover_table.taken_over(connection, "a") is None
        assert [row["id"] for row in handover_table.with_lifecycle(connection, ("closed",), 10)] == [first]
        assert handover_table.purge_contacts(connection, "9999") == 1
        assert handover_table.get(connection, first)["contact"] is None
        assert handover_table.get(connection, second)["contact"] == "b@example.pl"


def test_postgresql_and_sqlite_get_the_same_tables(database_url: str, tmp_path: Path) -> None:
    def tables(location: str | Path) -> dict[str, list[tuple[str, bool]]]:
        with closing(handover_table.connect(location)) as connection:
            inspector = inspect(connection)
            return {
                table: [(column["name"], column["nullable"]) for column in inspector.get_columns(table)]
                for table in ("handovers", "handover_messages")
            }

    assert tables(database_url) == tables(tmp_path / "handovers.sqlite")


def test_the_action_servers_writer_and_the_gateway_share_the_table(database_url: str) -> None:
    """The Rasa environment (SQLAlchemy 1.4, psycopg2) writes; the gateway (SQLAlchemy 2, psycopg 3) reads."""
    if not RASA_PYTHON.exists():
        pytest.skip("no .venv-rasa here")
    script = (
        "import sys; from actions.handover_store import HandoverStore; "
        "store = HandoverStore(sys.argv[1]); print(store.add('s-1', 'cs', 'dotaz', 'c@example.cz'))"
    )
    written = subprocess.run(
        [str(RASA_PYTHON), "-c", script, database_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    handover_id = int(written.stdout.strip())
    store = HandoverStore(database_url)
    assert [(handover.id, handover.sender, handover.question) for handover in store.newest(10)] == [
        (handover_id, "s-1", "dotaz")
    ]
    assert store.claim(handover_id, "jana")["claimed_by"] == "jana"


def test_the_office_fixture_is_on_postgresql(office: OfficeServices) -> None:
    """The imported round trips above really run on PostgreSQL: the office's tables and the handovers."""
    assert office.engine.dialect.name == "postgresql"
    assert handover_table.is_url(office.handovers.location)
