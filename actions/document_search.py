"""The document index (``docsearch``) as the actions use it: opened once, on first use, and shared.

Blocking (SQLite, e5 embeddings, lemmatising): the actions call :meth:`DocumentSearch.answer` through
``asyncio.to_thread``; the index itself is safe to share between threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)

Translator = Callable[[str, str, str], "str | None"]


class AnswersQuestions(Protocol):
    """What the actions need of docsearch.DocumentIndex (tests pass a fake)."""

    def answer(self, question: str, lang: str) -> Any: ...


class DocumentSearch:
    """Answers from the index at ``path``; while the file is not built yet, every question gets None and the
    index is opened as soon as it exists."""

    def __init__(
        self, path: Path, translator: Translator | None = None, index: AnswersQuestions | None = None
    ) -> None:
        self.path = path
        self._translator = translator
        self._index = index
        self._lock = threading.Lock()  # searches run in worker threads; open the index once

    def index(self) -> AnswersQuestions | None:
        """The document index; None while it is not built or docsearch is missing."""
        with self._lock:
            if self._index is None:
                self._index = self._open()
            return self._index

    def _open(self) -> AnswersQuestions | None:
        if not self.path.exists():
            logger.warning("document index %s does not exist (run `python -m docsearch index`)", self.path)
            return None
        try:
            from docsearch import DocumentIndex
        except ImportError:
            logger.exception("docsearch is not importable; document questions get the no-answer reply")
            return None
        try:
            return DocumentIndex.open(str(self.path), translator=self._translator)
        except Exception:  # a corrupt or foreign file must not take the action server down
            logger.exception("cannot open document index %s", self.path)
            return None

    def answer(self, question: str, lang: str) -> Any:
        """docsearch's Answer for ``question`` or None (no index, nothing relevant, or the search failed)."""
        if not question.strip():
            return None
        index = self.index()
        if index is None:
            return None
        try:
            return index.answer(question, lang)
        except Exception:
            logger.exception("document search failed (%d characters, %s)", len(question), lang)
            return None

    def close(self) -> None:
        with self._lock:
            close = getattr(self._index, "close", None)
            if callable(close):
                close()
            self._index = None
