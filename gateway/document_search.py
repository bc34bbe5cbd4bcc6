"""The document index (docsearch package) behind /api/documents/search, opened once on first use.

docsearch is synchronous and keeps an SQLite connection, which may only be used from the thread that opened
it; all its work therefore runs on one dedicated worker thread, off the event loop.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gateway.schemas import DocumentHit, DocumentSearchResponse


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
    def __init__(self, index_path: Path) -> None:
        self._index_path = index_path
        self._index: Any = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docsearch")

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
            self._index = DocumentIndex.open(self._index_path)
        except Exception as error:  # a corrupt or foreign file must become a 503, not a crash
            raise DocumentIndexUnavailable(
                f"the document index {self._index_path} cannot be opened ({error}); "
                "rebuild it with `make index`"
            ) from error
        return self._index

    def _search_now(self, query: str, language: str, limit: int) -> DocumentSearchResponse:
        index = self._open_index()
        hits = index.search(query, lang=language, k=limit)
        answered = index.answer(query, language) is not None
        return DocumentSearchResponse(
            query=query, answered=answered, results=[_hit_to_model(hit) for hit in hits]
        )

    async def search(self, query: str, language: str, limit: int) -> DocumentSearchResponse:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self._search_now, query, language, limit)

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
