"""Fixtures of the action tests (helpers live in rasa_action_helpers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before any actions module is imported: the real knowledge, and no background warm-up thread in tests.
os.environ.setdefault("KNOWLEDGE_DIR", str(Path(__file__).resolve().parents[2] / "knowledge"))
os.environ.setdefault("ACTIONS_WARM_UP", "0")

from rasa_action_helpers import FakeDocumentIndex, sample_answer

from actions import documents


@pytest.fixture
def document_index() -> Iterator[FakeDocumentIndex]:
    index = FakeDocumentIndex({"záhon": sample_answer(), "beet": sample_answer(), "grząd": sample_answer()})
    documents.set_document_index(index)
    yield index
    documents.set_document_index(None)


@pytest.fixture
def empty_document_index() -> Iterator[FakeDocumentIndex]:
    index = FakeDocumentIndex()
    documents.set_document_index(index)
    yield index
    documents.set_document_index(None)
