"""The document index (docsearch package) behind /api/documents/search, opened once on first use.

docsearch is synchronous and keeps an SQLite connection, which may only be used from the thread that opened
it; all its work therefore runs on one dedicated worker thread, off the event loop.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gateway.schemas import DocumentHit, DocumentSearchResponse
from gateway.translation_client import TranslationClient

logger = logging.getLogger(__name__)
# A German or Polish question is also searched as its Czech translation when the service answers within this;
# the glossary path of docsearch answers without it.
QUESTION_TRANSLATION_TIMEOUT_S = 5.0


class DocumentIndexUnavailable(Exception):
    """The index file is missing or the docsearch package cannot be loaded; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hit_to_model(hit: Any) -> DocumentHit:
    def text_of(name: str) -> str:
        value = getattr(hit, name, "")
        return "" if value is None else str(value)

    def offset_of(name: str) -> int | None:
        value = getattr(hit, name, None)
        return int(value) if isinstance(value, int | float) else None

    return DocumentHit(
        text=text_of("text"),
        score=float(getattr(hit, "score", 0.0) or 0.0),
        title=text_of("title"),
        file=text_of("file"),
        section=text_of("section"),
        date=text_of("date"),
        start=offset_of("start"),
        end=offset_of("end"),
    )


class DocumentSearch:
    def __init__(self, index_path: Path, translation: TranslationClient | None = None) -> None:
        self._index_path = index_path
        self._index: Any = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docsearch")
        self._translation = translation
        self._loop: asyncio.AbstractEventLoop | None = None

    def _translate_question(self, text: str, source: str, target: str) -> str | None:
        """Runs on the docsearch worker: the async client is driven on the gateway's event loop."""
        if self._translation is None or self._loop is None:
            return None
        translation = self._translation.translate(text, source, target)
        future = asyncio.run_coroutine_threadsafe(translation, self._loop)
        try:
            return future.result(timeout=QUESTION_TRANSLATION_TIMEOUT_S)
        except Exception as error:  # no model, service down or slow: the glossary path still answers
            future.cancel()
            logger.info("question not translated (%s -> %s): %s", source, target, error)
            return None

    def _open_index(self) -> Any:
        if self._index is not None:
            return self._index
        if not self._index_path.is_file():
            raise DocumentIndexUnavailable(
                f"the document index {self._index_path} does not exist yet; build it with `make index`"
            )
        try:
            from docsearch import DocumentIndex  # imported late: it loads numpy and the embedding model
        except ImportError as error:
            raise DocumentIndexUnavailable(f"the docsearch package cannot be imported: {error}") from error
        try:
            self._index = DocumentIndex.open(self._index_path, translator=self._translate_question)
        except Exception as error:  # a corrupt or foreign file must become a 503, not a crash
            raise DocumentIndexUnavailable(
                f"the document index {self._index_path} cannot be opened ({error}); "
                "rebuild it with `make index`"
            ) from error
        return self._index

    def _search_now(self, query: str, language: str, limit: int) -> DocumentSearchResponse:
        index = self._open_index()
        hits, answer = index.search_and_answer(query, language, limit)
        answered = answer is not None
        return DocumentSearchResponse(
            query=query, answered=answered, results=[_hit_to_model(hit) for hit in hits]
        )

    async def search(self, query: str, language: str, limit: int) -> DocumentSearchResponse:
        loop = asyncio.get_running_loop()
        self._loop = loop
        return await loop.run_in_executor(self._worker, self._search_now, query, language, limit)

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
