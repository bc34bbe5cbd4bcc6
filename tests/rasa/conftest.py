"""Fixtures of the action tests (helpers live in rasa_action_helpers.py).

One application context is built per session, as the server builds it at start-up (the knowledge embeddings
are computed once); a test that needs another document index or handover database gets a copy with that
one service replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_action_helpers import REPO_ROOT, FakeDocumentIndex, sample_answer, with_documents

from actions.context import ActionContext, build_context
from actions.settings import ActionsSettings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> ActionsSettings:
    data = tmp_path_factory.mktemp("actions-data")
    return ActionsSettings(
        knowledge_dir=REPO_ROOT / "knowledge",
        # No index unless a test gives one: the tests check how answers are shown, not the corpus.
        document_index=data / "no-index.sqlite",
        handover_db=data / "handovers.sqlite",
        translation_url="http://translator.test:9",
        actions_token="test-token",
        actions_warm_up=False,
    )


@pytest.fixture(scope="session")
def context(settings: ActionsSettings) -> ActionContext:
    return build_context(settings)


@pytest.fixture
def document_index() -> FakeDocumentIndex:
    return FakeDocumentIndex({"záhon": sample_answer(), "beet": sample_answer(), "grząd": sample_answer()})


@pytest.fixture
def document_context(context: ActionContext, document_index: FakeDocumentIndex) -> ActionContext:
    """The context with a document index that answers questions about the made-up garden rules."""
    return with_documents(context, document_index)


@pytest.fixture
def empty_document_index() -> FakeDocumentIndex:
    return FakeDocumentIndex()


@pytest.fixture
def empty_document_context(context: ActionContext, empty_document_index: FakeDocumentIndex) -> ActionContext:
    """The context with a document index that answers nothing."""
    return with_documents(context, empty_document_index)


@pytest.fixture
def handover_db(tmp_path: Path) -> Path:
    return tmp_path / "var" / "handovers.sqlite"
