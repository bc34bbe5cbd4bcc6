"""The document index: the one object callers hold. It assembles the layers and adds nothing of its own:

store   (docsearch.store)   the SQLite file: schema, migrations, FTS5 kept in sync by triggers, vectors
ingest  (docsearch.ingest)  files -> passages, words, vectors
search  (docsearch.search)  hybrid first stage + re-ranker
answer  (docsearch.answer)  the sentences or list items that answer, with the citation
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docsearch.answer import Answer, Composer
from docsearch.config import SearchSettings, load_settings
from docsearch.ingest import UpdateReport, update
from docsearch.metadata import DocumentInfo
from docsearch.search import Hit, Ranking, Searcher, Translator
from docsearch.store import Store


class DocumentIndex:
    """Open with DocumentIndex.open(path); safe to share between threads of one process."""

    def __init__(self, store: Store, settings: SearchSettings, translator: Translator | None = None) -> None:
        self.store = store
        self.path = store.path
        self._searcher = Searcher(store, settings, translator)
        self._composer = Composer(store, self._searcher)

    @classmethod
    def open(
        cls,
        path: str | Path,
        settings: SearchSettings | None = None,
        create: bool = True,
        rebuild_outdated: bool = False,
        translator: Translator | None = None,
    ) -> DocumentIndex:
        """Open (or create) the index file. An index of an older schema is an error naming the fix, or, with
        `rebuild_outdated` (the `index` command), rebuilt by the next update. `translator` (text, source,
        target) -> Czech text or None lets German and Polish questions be searched in Czech too."""
        store = Store.open(path, create=create, rebuild_outdated=rebuild_outdated)
        return cls(store, settings or load_settings(), translator)

    @property
    def settings(self) -> SearchSettings:
        return self._searcher.settings

    @settings.setter
    def settings(self, settings: SearchSettings) -> None:
        self._searcher.settings = settings

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> DocumentIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def update(
        self,
        folders: Iterable[str | Path],
        progress: bool = True,
        documents_info: dict[str, DocumentInfo] | None = None,
    ) -> UpdateReport:
        return update(self.store, folders, progress=progress, documents_info=documents_info)

    def rank(self, query: str, lang: str | None = None) -> Ranking:
        return self._searcher.rank(query, lang)

    def search(self, query: str, lang: str | None = None, k: int = 5) -> list[Hit]:
        """The k best passages for `query`, best first. Hit.score: the re-ranker's probability."""
        return self._searcher.search(query, lang, k)

    def answer(self, query: str, lang: str | None = None) -> Answer | None:
        return self._composer.answer(query, lang)

    def search_and_answer(
        self, query: str, lang: str | None = None, k: int = 5
    ) -> tuple[list[Hit], Answer | None]:
        """The k best passages and the answer, from one ranking (one embedding, one translation)."""
        ranking = self._searcher.rank(query, lang)
        hits = [self._searcher.hit(c, ranking.language) for c in ranking.candidates[: max(0, k)]]
        return hits, self._composer.answer_ranked(ranking)

    # --- reading ---------------------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        with self.store.lock:
            documents = self.store.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            passages = self.store.db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        return {"documents": documents, "passages": passages}

    def documents(self) -> list[dict[str, str]]:
        with self.store.lock:
            rows = self.store.db.execute("SELECT file, titles, date FROM documents ORDER BY file").fetchall()
        return [
            {"file": file, "title": json.loads(titles).get("cs", file), "date": date}
            for file, titles, date in rows
        ]

    def passages(self) -> list[dict[str, Any]]:
        """Every passage in document order: file, section, text and its offsets into the normalised text."""
        with self.store.lock:
            rows = self.store.db.execute(
                'SELECT d.file, p.section, p.text, p.start, p."end" FROM passages p '
                "JOIN documents d ON d.id = p.document_id ORDER BY d.file, p.ordinal"
            ).fetchall()
        keys = ("file", "section", "text", "start", "end")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def document_text(self, file: str) -> str:
        """The normalised text of an indexed file (by file name), which passage offsets point into."""
        with self.store.lock:
            row = self.store.db.execute(
                "SELECT source_text FROM documents WHERE file = ? LIMIT 1", (file,)
            ).fetchone()
        return row[0] if row else ""

    def context(self, hit: Hit, chars: int = 300) -> str:
        """The normalised text around a hit (what `start`/`end` point into), for showing it in context."""
        with self.store.lock:
            source = self.store.source_text_of_passage(hit.passage_id)
        return source[max(0, hit.start - chars) : hit.end + chars] if source else hit.text
