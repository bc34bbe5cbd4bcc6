"""action_answer_document and action_fallback: quotes with citations, translation, no-answer replies."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from rasa_action_helpers import (
    FakeDocumentIndex,
    make_tracker,
    replies_of,
    run_action,
    sample_answer,
    sources_of,
    texts_of,
    with_documents,
)

from actions import translation
from actions.context import ActionContext
from actions.document_actions import ActionAnswerDocument, ActionFallback


class FakeResponse:
    def __init__(self, status_code: int, body: Any) -> None:
        self.status_code = status_code
        self._body = body

    def json(self) -> Any:
        if isinstance(self._body, Exception):
            raise self._body
        return self._body


@pytest.fixture
def translation_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_post(url: str, json: dict[str, Any], timeout: float) -> FakeResponse:
        calls.append({"url": url, "json": json})
        return FakeResponse(200, {"translatedText": f"[{json['target']}] übersetzt"})

    # The test context's TRANSLATION_URL is http://translator.test:9 (conftest.py).
    monkeypatch.setattr(translation.requests, "post", fake_post)
    return calls


def test_czech_answer_is_the_quote_and_its_citation_the_source_card(
    document_context: ActionContext, document_index: FakeDocumentIndex
) -> None:
    tracker = make_tracker("Kdy se okopávají záhony krajských zahrad?", intent="ask_document")
    events, dispatcher = run_action(ActionAnswerDocument(document_context), tracker)
    assert events == []
    text = texts_of(dispatcher)[0]
    assert "každé úterý" in text
    # The citation travels once, as the source card below, not as a second paragraph (a second chat bubble).
    assert "Zdroj" not in text and "\n\n" not in text and len(texts_of(dispatcher)) == 1
    assert sources_of(dispatcher) == [
        {
            "title": "Zkušební řád krajských zahrad",
            "file": "2001-01-01_zkusebni-rad-zahrad.txt",
            "section": "3. Péče o záhony",
            "date": "2001-01-01",
            "url": "",
        }
    ]
    assert document_index.calls == [("Kdy se okopávají záhony krajských zahrad?", "cs")]


def test_german_answer_is_translated_and_keeps_the_original(
    document_context: ActionContext, translation_calls: list[dict[str, Any]]
) -> None:
    tracker = make_tracker("Wie oft werden die Beete der Gärten gehackt?", intent="ask_document", lang="de")
    _, dispatcher = run_action(ActionAnswerDocument(document_context), tracker)
    assert replies_of(dispatcher) == ["document_answer_translated"]
    text = texts_of(dispatcher)[0]
    assert "[de] übersetzt" in text and "každé úterý" in text and "Quelle" not in text and "\n\n" not in text
    assert translation_calls == [
        {
            "url": "http://translator.test:9/translate",
            "json": {"q": sample_answer().quote, "source": "cs", "target": "de", "format": "text"},
        }
    ]


@pytest.mark.parametrize(
    "failure",
    [
        FakeResponse(503, {"error": "model not installed", "direction": "cs-pl", "install": "make models"}),
        FakeResponse(200, ValueError("not json")),
        FakeResponse(200, {"translatedText": ""}),
        requests.ConnectionError("refused"),
        requests.Timeout("slow"),
    ],
)
def test_translation_failure_shows_the_original_with_a_note(
    document_context: ActionContext, monkeypatch: pytest.MonkeyPatch, failure: Any
) -> None:
    def failing_post(url: str, json: dict[str, Any], timeout: float) -> FakeResponse:
        if isinstance(failure, Exception):
            raise failure
        return failure

    monkeypatch.setattr(translation.requests, "post", failing_post)
    tracker = make_tracker("Kiedy się pieli grządki w ogrodach kraju?", intent="ask_document", lang="pl")
    _, dispatcher = run_action(ActionAnswerDocument(document_context), tracker)
    assert replies_of(dispatcher) == ["document_answer_untranslated"]
    text = texts_of(dispatcher)[0]
    assert "Tłumaczenie jest teraz niedostępne" in text and "každé úterý" in text
    assert sources_of(dispatcher)


def test_no_answer_names_the_question_and_invents_no_figure(empty_document_context: ActionContext) -> None:
    question = "Kolik zaměstnanců má oddělení rozvojových koncepcí?"
    tracker = make_tracker(question, intent="ask_document")
    _, dispatcher = run_action(ActionAnswerDocument(empty_document_context), tracker)
    assert replies_of(dispatcher) == ["no_answer"]
    text = texts_of(dispatcher)[0]
    assert question in text and "neodpovídají" in text and "odbor" in text
    assert not re.search(r"\d", text)


def test_a_service_named_in_a_question_the_documents_do_not_answer_is_answered_from_the_knowledge(
    empty_document_context: ActionContext,
) -> None:
    # The NLU took it for a document question (or fell back); the name is in the knowledge's aliases.
    tracker = make_tracker("co je vlastně EDIH", intent="nlu_fallback")
    _, dispatcher = run_action(ActionFallback(empty_document_context), tracker)
    assert replies_of(dispatcher)[0] in ("service_answer", "service_answer_with_url")
    assert "NordEast Bohemia" in texts_of(dispatcher)[0]


def test_a_named_service_does_not_answer_a_question_its_description_cannot(
    empty_document_context: ActionContext,
) -> None:
    tracker = make_tracker("Kdy začal EDIH fungovat?", intent="ask_document")
    _, dispatcher = run_action(ActionAnswerDocument(empty_document_context), tracker)
    assert replies_of(dispatcher) == ["no_answer"]


def test_fallback_tries_the_documents_first(document_context: ActionContext) -> None:
    tracker = make_tracker("a ty záhony?", intent="nlu_fallback")
    _, dispatcher = run_action(ActionFallback(document_context), tracker)
    assert replies_of(dispatcher) == ["document_answer"]


def test_fallback_without_answer_says_plainly_it_does_not_know(
    empty_document_context: ActionContext,
) -> None:
    tracker = make_tracker("Wann fährt der Bus nach Görlitz?", intent="nlu_fallback", lang="de")
    _, dispatcher = run_action(ActionFallback(empty_document_context), tracker)
    text = texts_of(dispatcher)[0]
    assert "Wann fährt der Bus nach Görlitz?" in text and "keine Antwort" in text and "Kreisamt" in text


def test_failing_index_is_treated_as_no_answer(context: ActionContext) -> None:
    class BrokenIndex:
        def answer(self, question: str, lang: str) -> None:
            raise RuntimeError("disk error")

    action = ActionAnswerDocument(with_documents(context, BrokenIndex()))
    _, dispatcher = run_action(action, make_tracker("cokoliv", intent="ask_document"))
    assert replies_of(dispatcher) == ["no_answer"]


def test_missing_index_file_is_treated_as_no_answer(context: ActionContext) -> None:
    # The session's settings name an index file that does not exist (conftest.py).
    assert not context.settings.document_index.exists()
    _, dispatcher = run_action(ActionFallback(context), make_tracker("něco", intent="nlu_fallback"))
    assert replies_of(dispatcher) == ["no_answer"]


def test_the_search_runs_off_the_event_loop(context: ActionContext) -> None:
    import threading

    class ThreadRecordingIndex:
        def __init__(self) -> None:
            self.threads: list[str] = []

        def answer(self, question: str, lang: str) -> None:
            self.threads.append(threading.current_thread().name)

    index = ThreadRecordingIndex()
    run_action(
        ActionAnswerDocument(with_documents(context, index)), make_tracker("něco", intent="ask_document")
    )
    assert index.threads and index.threads[0] != threading.main_thread().name
