"""The document actions accept docsearch's own Answer and Hit objects (skipped while it is not importable).

The fakes in the other tests mimic the interface; this test feeds the real dataclasses, so a renamed field in
docsearch fails here instead of in a conversation.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_action_helpers import make_tracker, replies_of, run_action, sources_of, texts_of, with_documents

from actions.context import ActionContext
from actions.document_actions import ActionAnswerDocument

docsearch_index = pytest.importorskip("docsearch")


class IndexReturningRealAnswers:
    def __init__(self, answer: Any) -> None:
        self._answer = answer

    def answer(self, question: str, lang: str | None = None) -> Any:
        return self._answer


def real_answer() -> Any:
    hit = docsearch_index.Hit(
        text="Žádosti o kompostér přijímá obecní úřad do 30. června.",
        score=0.8,
        title="Oznámení obce o kompostérech",
        file="2026-01-05_oznameni-kompostery.txt",
        section="Kompostéry",
        date="2026-01-05",
        start=0,
        end=55,
    )
    return docsearch_index.Answer(quote=hit.text, hit=hit, sources=[hit.source()])


def test_real_answer_objects_make_a_cited_reply(context: ActionContext) -> None:
    action = ActionAnswerDocument(with_documents(context, IndexReturningRealAnswers(real_answer())))
    tracker = make_tracker("Do kdy lze požádat o kompostér?", intent="ask_document")
    _, dispatcher = run_action(action, tracker)
    assert replies_of(dispatcher) == ["document_answer"]
    text = texts_of(dispatcher)[0]
    assert "30. června" in text
    # The citation travels once, as the source card below (test_actions_documents.py), not in the text.
    assert "Oznámení obce o kompostérech" not in text
    assert sources_of(dispatcher) == [
        {
            "title": "Oznámení obce o kompostérech",
            "file": "2026-01-05_oznameni-kompostery.txt",
            "section": "Kompostéry",
            "date": "2026-01-05",
            "url": "",
        }
    ]
