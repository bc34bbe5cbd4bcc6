"""validate_handover_form and action_submit_handover: contact checks and records that are never lost."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from rasa_action_helpers import make_tracker, replies_of, run_action, texts_of, with_handover_db
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import handover_table
from actions.context import ActionContext
from actions.handover import ActionSubmitHandover, ValidateHandoverForm, extract_contact
from actions.handover_store import HandoverStore


@pytest.fixture
def handover_context(context: ActionContext, handover_db: Path) -> ActionContext:
    """The context writing handovers to a fresh database of this test (``handover_db``, conftest.py)."""
    return with_handover_db(context, handover_db)


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("jana.novakova@example.cz", "jana.novakova@example.cz"),
        ("pište na Jan.Novak+lk@mail.example.com, díky", "Jan.Novak+lk@mail.example.com"),
        ("+420 602 123 456", "+420 602 123 456"),
        ("mein Telefon: 0049 3581 123456", "0049 3581 123456"),
        ("tel. 602-123-456", "602-123-456"),
        ("zavolejte mi", None),
        ("123", None),
        ("jan@novak", None),
    ],
)
def test_contact_extraction(text: str, contact: str | None) -> None:
    assert extract_contact(text) == contact


def test_invalid_contact_is_asked_again_politely(context: ActionContext) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("zítra odpoledne", intent="inform", lang="de", active_loop="handover_form")
    result = ValidateHandoverForm(context).validate_handover_contact(
        "zítra odpoledne", dispatcher, tracker, {}
    )
    assert result == {"handover_contact": None}
    assert replies_of(dispatcher) == ["handover_contact_invalid"]
    assert "zítra odpoledne" in texts_of(dispatcher)[0]


def test_valid_contact_and_question_are_kept(context: ActionContext) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("x", intent="inform", active_loop="handover_form")
    form = ValidateHandoverForm(context)
    assert form.validate_handover_contact("+48 601 234 567", dispatcher, tracker, {}) == {
        "handover_contact": "+48 601 234 567"
    }
    question = "Kdy bude vyhlášen program 2.8?"
    assert form.validate_handover_question(question, dispatcher, tracker, {}) == {
        "handover_question": question
    }
    assert dispatcher.messages == []


def test_contact_found_twice_by_two_extractors_is_taken_once(context: ActionContext) -> None:
    # DIET and RegexEntityExtractor may both extract the address; the slot then holds a list.
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("pište na jana@example.cz", intent="inform", active_loop="handover_form")
    result = ValidateHandoverForm(context).validate_handover_contact(
        ["jana@example", "jana@example.cz"], dispatcher, tracker, {}
    )
    assert result == {"handover_contact": "jana@example.cz"}
    assert dispatcher.messages == []


def test_too_short_question_is_asked_again(context: ActionContext) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("?", intent="inform", active_loop="handover_form")
    assert ValidateHandoverForm(context).validate_handover_question("?", dispatcher, tracker, {}) == {
        "handover_question": None
    }
    assert replies_of(dispatcher) == ["handover_question_too_short"]


def submit(
    context: ActionContext, question: str, contact: str, lang: str = "cs", sender: str = "user-1"
) -> tuple[list, CollectingDispatcher]:
    tracker = make_tracker(
        contact,
        intent="inform",
        lang=lang,
        sender=sender,
        slots={"handover_question": question, "handover_contact": contact},
    )
    return run_action(ActionSubmitHandover(context), tracker)


def test_submit_stores_the_request_and_says_what_happens_next(
    handover_context: ActionContext, handover_db: Path
) -> None:
    events, dispatcher = submit(handover_context, "Kdy bude vyhlášen program 2.8?", "jana@example.cz")
    assert SlotSet("handover_question", None) in events and SlotSet("handover_contact", None) in events
    assert replies_of(dispatcher) == ["handover_submitted"]
    text = texts_of(dispatcher)[0]
    assert "jana@example.cz" in text and "pracovní dny" in text
    with sqlite3.connect(handover_db) as connection:
        rows = connection.execute(
            "SELECT id, sender, language, question, contact, status, created_at FROM handovers"
        ).fetchall()
    assert rows[0][:6] == (1, "user-1", "cs", "Kdy bude vyhlášen program 2.8?", "jana@example.cz", "new")
    assert rows[0][6].endswith("+00:00")


def test_later_requests_never_replace_earlier_ones(
    handover_context: ActionContext, handover_db: Path
) -> None:
    submit(handover_context, "první dotaz k dotacím", "a@example.cz", sender="a")
    submit(handover_context, "zweite Frage zum Aktionsplan", "+49 351 1234567", lang="de", sender="b")
    # The gateway may hold the database open while the action server writes.
    with sqlite3.connect(handover_db) as reader:
        reader.execute("SELECT count(*) FROM handovers").fetchone()
        submit(handover_context, "trzecie pytanie", "c@example.pl", lang="pl", sender="c")
    records = HandoverStore(handover_db).all()
    assert [(record["sender"], record["language"]) for record in records] == [
        ("a", "cs"),
        ("b", "de"),
        ("c", "pl"),
    ]


def test_existing_table_from_the_gateway_is_reused(
    handover_context: ActionContext, handover_db: Path
) -> None:
    handover_db.parent.mkdir(parents=True)
    with sqlite3.connect(handover_db) as connection:
        connection.execute(
            "CREATE TABLE handovers (id INTEGER PRIMARY KEY, created_at TEXT, sender TEXT, language TEXT, "
            "question TEXT, contact TEXT, status TEXT DEFAULT 'new')"
        )
        connection.execute("INSERT INTO handovers (created_at, question, status) VALUES ('x', 'old', 'done')")
    submit(handover_context, "nový dotaz na úřad", "n@example.cz")
    assert [record["question"] for record in HandoverStore(handover_db).all()] == [
        "old",
        "nový dotaz na úřad",
    ]


def test_storage_failure_tells_the_user_where_to_turn(context: ActionContext, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the database folder should be")
    blocked_context = with_handover_db(context, blocked / "handovers.sqlite")
    _, dispatcher = submit(blocked_context, "dotaz", "x@example.cz", lang="pl")
    assert replies_of(dispatcher) == ["handover_failed"]
    assert "Urzędu Kraju Libereckiego" in texts_of(dispatcher)[0]


# --- the one handover table (actions/handover_table.py, read by the gateway too) ---------------------------

LEGACY_TABLES = {
    "action server": "CREATE TABLE handovers (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, sender TEXT, "
    "language TEXT, question TEXT, contact TEXT, status TEXT DEFAULT 'new')",
    "gateway": "CREATE TABLE handovers (id INTEGER PRIMARY KEY, created_at TEXT, sender TEXT, language TEXT, "
    "question TEXT, contact TEXT, status TEXT DEFAULT 'new')",
}


@pytest.mark.parametrize("made_by", sorted(LEGACY_TABLES))
def test_a_table_made_before_the_shared_schema_is_adopted(handover_db: Path, made_by: str) -> None:
    handover_db.parent.mkdir(parents=True)
    with sqlite3.connect(handover_db) as connection:
        connection.execute(LEGACY_TABLES[made_by])
        connection.execute(
            "INSERT INTO handovers (created_at, question) VALUES ('2026-01-01T00:00:00+00:00', 'old')"
        )
    HandoverStore(handover_db).add("s", "de", "neu", "n@example.de")
    with closing(sqlite3.connect(handover_db)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (handover_table.SCHEMA_VERSION,)
        indexes = {row[1] for row in connection.execute("PRAGMA index_list(handovers)")}
        assert "handovers_newest" in indexes
    with closing(handover_table.connect(handover_db)) as connection:
        assert [row["question"] for row in handover_table.newest(connection, 10)] == ["neu", "old"]


def test_the_writer_and_the_reader_share_one_schema(handover_db: Path) -> None:
    store = HandoverStore(handover_db)
    first = store.add("a", "cs", "první", "a@example.cz")
    second = store.add("b", "pl", "drugie", "+48 601 234 567")
    with closing(handover_table.connect(handover_db)) as connection:
        newest = handover_table.newest(connection, 1)
    assert second > first
    assert [tuple(row) for row in newest] == [handover_table.COLUMNS]
    assert newest[0]["id"] == second and newest[0]["status"] == "new"


def test_a_table_without_the_contract_columns_is_an_error(handover_db: Path) -> None:
    handover_db.parent.mkdir(parents=True)
    with sqlite3.connect(handover_db) as connection:
        connection.execute("CREATE TABLE handovers (id INTEGER PRIMARY KEY, note TEXT)")
    with pytest.raises(handover_table.HandoverSchemaError, match="lacks the columns created_at"):
        HandoverStore(handover_db).add("s", "cs", "q", "c@example.cz")
