"""The index file: schema, migrations, and reading passages and their vectors.

One SQLite file. `passages` is the content table; `passages_fts` is an FTS5 index over its `lemmas` and
`stems` columns with external content, kept in sync by triggers, so no code path can update one without the
other. The index is derived data: a file of an older schema is rebuilt from the documents (the `index`
command), the embedding cache surviving the rebuild, or refused with a message naming that command.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from docsearch import embeddings
from docsearch.errors import IndexUnavailable

# 3: passages are embedded with their document title.
# 4: FTS5 with external content and triggers; per-sentence vectors for the re-ranker.
SCHEMA_VERSION = "4"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    file TEXT NOT NULL,
    titles TEXT NOT NULL,          -- JSON {lang: title}; "cs" always present
    date TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source_text TEXT NOT NULL,     -- the normalised text: passage offsets point into it
    indexed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    sentences TEXT NOT NULL,       -- JSON [[start, end], ...] within text
    terms TEXT NOT NULL,           -- folded lemmas of section + text, space separated
    lemmas TEXT NOT NULL,          -- terms + the document title's lemmas: what FTS5 indexes
    stems TEXT NOT NULL,           -- prefix stems of lemmas
    embedding BLOB NOT NULL,       -- float32[384] of title + section + text, normalised
    sentence_embeddings BLOB NOT NULL  -- float32[n, 384], one row per span of `sentences`
);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    lemmas, stems, content = 'passages', content_rowid = 'id', tokenize = 'unicode61'
);
CREATE TRIGGER IF NOT EXISTS passages_fts_insert AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, lemmas, stems) VALUES (new.id, new.lemmas, new.stems);
END;
CREATE TRIGGER IF NOT EXISTS passages_fts_delete AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, lemmas, stems)
        VALUES ('delete', old.id, old.lemmas, old.stems);
END;
CREATE TRIGGER IF NOT EXISTS passages_fts_update AFTER UPDATE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, lemmas, stems)
        VALUES ('delete', old.id, old.lemmas, old.stems);
    INSERT INTO passages_fts(rowid, lemmas, stems) VALUES (new.id, new.lemmas, new.stems);
END;
CREATE TABLE IF NOT EXISTS embedding_cache (text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""
_DERIVED_TABLES = ("passages_fts", "passages", "documents", "meta")
PASSAGE_COLUMNS = ("id", "text", "section", "start", "end", "sentences", "terms", "file", "titles", "date")

_blas_limited = False


def use_one_blas_thread() -> None:
    """One BLAS thread for this process, set once. The query's matrix-vector product is memory-bound, and
    OpenBLAS's spinning worker threads slow the e5 query embedding (ONNX Runtime) that runs just before it:
    on 2 cores, 16k passages, query p95 fell from 123-141 ms to 69-73 ms (make bench, documents x100)."""
    global _blas_limited
    if not _blas_limited:
        threadpool_limits(limits=1, user_api="blas")
        _blas_limited = True


@dataclass(frozen=True)
class TermCounts:
    """Passage frequencies of the index's lemmas: how telling a word of a question is. "kraj" is in most
    passages and says little about which one answers; "zpracoval" or "RVVI" say a lot."""

    passages: int
    frequency: dict[str, int]
    vocabulary: frozenset[str] = field(init=False)
    stems: frozenset[str] = field(init=False)  # 5-letter prefixes of the vocabulary

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabulary", frozenset(self.frequency))
        object.__setattr__(self, "stems", frozenset(word[:5] for word in self.frequency))

    def knows(self, term: str) -> bool:
        """Whether some passage uses the term, as a lemma or by its 5-letter stem (the lemmatiser leaves
        "akcniho" without diacritics unlemmatised; "planu" is "plan" less its ending)."""
        return (
            term in self.vocabulary
            or (len(term) >= 5 and term[:5] in self.stems)
            or (len(term) == 5 and term[:4] in self.vocabulary)
        )

    def weight(self, term: str) -> float:
        """Inverse passage frequency (smoothed); a word no passage uses weighs as much as the rarest one."""
        return math.log((self.passages + 1) / (self.frequency.get(term, 0) + 1)) + 1.0


@dataclass
class DenseMatrix:
    generation: str
    ids: np.ndarray  # int64 passage ids, row order of `vectors`
    vectors: np.ndarray  # float32 (n, 384)


class Store:
    """The open index file. Every statement runs under `lock`, so one Store is safe to share between
    threads."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path
        self.lock = threading.RLock()
        self._dense: DenseMatrix | None = None
        self._sentence_vectors: dict[int, np.ndarray] = {}
        self._sentence_generation = ""
        self._term_counts: tuple[str, TermCounts] | None = None

    @classmethod
    def open(cls, path: str | Path, create: bool = True, rebuild_outdated: bool = False) -> Store:
        index_file = Path(path)
        if not create and not index_file.is_file():
            raise IndexUnavailable(
                f"no document index at {index_file}: build it with `python -m docsearch index`"
            )
        try:
            index_file.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(str(index_file), check_same_thread=False)
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            _migrate(connection, index_file, rebuild_outdated)
        except sqlite3.DatabaseError as error:
            raise IndexUnavailable(f"cannot open the document index {index_file}: {error}") from error
        except OSError as error:
            raise IndexUnavailable(f"cannot open the document index {index_file}: {error}") from error
        return cls(connection, index_file)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # --- generation: another process may re-index the file under us ---------------------------------------
    def generation(self) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else "0"

    def bump_generation(self) -> None:
        self.db.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'"
        )
        self.forget_vectors()

    def forget_vectors(self) -> None:
        self._dense = None
        self._sentence_vectors = {}
        self._term_counts = None

    def dense_matrix(self) -> DenseMatrix:
        """All passage vectors as one float32 matrix, reloaded only when the generation changed."""
        use_one_blas_thread()
        generation = self.generation()
        if self._dense is not None and self._dense.generation == generation:
            return self._dense
        rows = self.db.execute("SELECT id, embedding FROM passages ORDER BY id").fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        if rows:
            vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), -1)
        else:
            vectors = np.zeros((0, embeddings.DIM), dtype=np.float32)
        self._dense = DenseMatrix(generation, ids, vectors)
        return self._dense

    def term_counts(self) -> TermCounts:
        """In how many passages each lemma occurs, reloaded when the generation changed."""
        generation = self.generation()
        if self._term_counts is None or self._term_counts[0] != generation:
            counts: Counter[str] = Counter()
            passages = 0
            for (lemmas,) in self.db.execute("SELECT lemmas FROM passages"):
                counts.update(set(lemmas.split()))
                passages += 1
            self._term_counts = (generation, TermCounts(passages, dict(counts)))
        return self._term_counts[1]

    def sentence_vectors(self, passage_ids: Iterable[int]) -> dict[int, np.ndarray]:
        """Per-sentence vectors of the given passages, (n_sentences, 384) each; kept in memory per
        generation."""
        generation = self.generation()
        if generation != self._sentence_generation:
            self._sentence_vectors = {}
            self._sentence_generation = generation
        wanted = [pid for pid in dict.fromkeys(passage_ids) if pid not in self._sentence_vectors]
        if wanted:
            marks = ",".join("?" * len(wanted))
            for pid, blob in self.db.execute(
                f"SELECT id, sentence_embeddings FROM passages WHERE id IN ({marks})", wanted
            ):
                self._sentence_vectors[pid] = np.frombuffer(blob, dtype=np.float32).reshape(
                    -1, embeddings.DIM
                )
        return {pid: self._sentence_vectors[pid] for pid in passage_ids if pid in self._sentence_vectors}

    # --- reading -------------------------------------------------------------------------------------------
    def passage_rows(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        id_list = list(ids)
        if not id_list:
            return {}
        marks = ",".join("?" * len(id_list))
        rows = self.db.execute(
            'SELECT p.id, p.text, p.section, p.start, p."end", p.sentences, p.terms, '
            "d.file, d.titles, d.date "
            f"FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id IN ({marks})",
            id_list,
        ).fetchall()
        return {row[0]: dict(zip(PASSAGE_COLUMNS, row, strict=True)) for row in rows}

    def neighbour(self, passage_id: int, step: int, same_section: bool = True) -> dict[str, Any] | None:
        """The passage just before (step -1) or after (+1) in the same document (and section)."""
        order = "DESC" if step < 0 else "ASC"
        compare = "<" if step < 0 else ">"
        section = "AND n.section = p.section " if same_section else ""
        row = self.db.execute(
            "SELECT n.id FROM passages p JOIN passages n ON n.document_id = p.document_id "
            f"{section}AND n.start {compare} p.start "
            f"WHERE p.id = ? ORDER BY n.start {order} LIMIT 1",
            (passage_id,),
        ).fetchone()
        return self.passage_rows([row[0]]).get(row[0]) if row else None

    def lexical_ranks(self, match: str, limit: int) -> dict[int, int]:
        rows = self.db.execute(
            "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? "
            "ORDER BY bm25(passages_fts, 1.0, 0.5) LIMIT ?",
            (match, limit),
        ).fetchall()
        return {row[0]: rank for rank, row in enumerate(rows)}

    def source_text_of_passage(self, passage_id: int) -> str:
        row = self.db.execute(
            "SELECT d.source_text FROM documents d JOIN passages p ON p.document_id = d.id WHERE p.id = ?",
            (passage_id,),
        ).fetchone()
        return row[0] if row else ""


def decode_sentences(row: dict[str, Any]) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in json.loads(row["sentences"])]


def _schema_version(connection: sqlite3.Connection) -> str | None:
    has_meta = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if not has_meta:
        return None
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    return row[0] if row else None


def _migrate(connection: sqlite3.Connection, index_file: Path, rebuild_outdated: bool) -> None:
    """Bring the file to SCHEMA_VERSION. Every older version migrates the same way, by a rebuild: the tables
    are derived from the documents, so they are dropped and the next `update` fills them again. The embedding
    cache is kept (keyed by the embedded text), and the generation goes on counting, so that processes holding
    the old index in memory see that it changed."""
    version = _schema_version(connection)
    generation = 0
    if version not in (None, SCHEMA_VERSION):
        if not rebuild_outdated:
            connection.close()
            raise IndexUnavailable(
                f"{index_file} has index schema {version}, this code needs {SCHEMA_VERSION}: "
                "run `python -m docsearch index` to rebuild it"
            )
        row = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        generation = int(row[0]) + 1 if row and str(row[0]).isdigit() else 1
        for trigger in ("passages_fts_insert", "passages_fts_delete", "passages_fts_update"):
            connection.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for table in _DERIVED_TABLES:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
    connection.executescript(_SCHEMA)
    connection.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?), ('generation', ?)",
        (SCHEMA_VERSION, str(generation)),
    )
    connection.commit()
