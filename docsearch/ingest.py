"""Ingestion: files on disk -> documents, passages, words and vectors in the store.

A file is re-indexed only when its bytes, its titles in knowledge/documents.yml or the parser's version
changed; files gone from the folders are dropped; unreadable files are skipped with a message naming them.
Vectors come from an embedding cache keyed by the embedded text, so a rebuild embeds only new text.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from docsearch import embeddings
from docsearch.config import knowledge_dir
from docsearch.errors import ReadError
from docsearch.metadata import (
    DocumentInfo,
    date_from_file_name,
    date_from_text,
    load_documents_yml,
    title_from_file_name,
)
from docsearch.parsing import PARSING_VERSION, Passage, parse_document
from docsearch.readers import SUPPORTED_SUFFIXES, read_source
from docsearch.store import Store
from textkit import search_terms, stems


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one message per unreadable file, naming it
    passages: int = 0
    embedded: int = 0  # texts whose embedding was computed (not taken from the cache)
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


def passage_embedding_input(title: str, section: str, text: str) -> str:
    # The document title and heading path tell the model what a bare list item is about ("VIZE > Venkov" of
    # which working group), so a question naming the document or the topic finds it.
    return "\n".join(part for part in (title, section, text) if part)


def sentence_embedding_input(section: str, sentence: str) -> str:
    # The nearest heading only: enough to say what a list item is about, little enough that the sentence's
    # own words decide its vector (the passage vector already carries the whole path).
    heading = section.rsplit(" > ", 1)[-1]
    return f"{heading}: {sentence}" if heading else sentence


def passage_sentences(passage_text: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    return [passage_text[a:b].strip() for a, b in spans]


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


def _digest(data: bytes, info: DocumentInfo | None) -> str:
    # Titles from documents.yml count as content too: an edited title re-indexes the file. So does the
    # parser's version: passages built differently re-index the file.
    titles = json.dumps(info.titles if info else {}, sort_keys=True).encode()
    return hashlib.sha256(data + titles + PARSING_VERSION.encode()).hexdigest()


def update(
    store: Store,
    folders: Iterable[str | Path],
    progress: bool = True,
    documents_info: dict[str, DocumentInfo] | None = None,
) -> UpdateReport:
    """Make the store reflect the supported files under `folders`."""
    started = time.perf_counter()
    report = UpdateReport()
    files, problems = discover(folders)
    report.skipped.extend(problems)
    info_by_file = documents_info if documents_info is not None else load_documents_yml(knowledge_dir())
    with store.lock:
        known = {row[0]: row[1] for row in store.db.execute("SELECT path, content_hash FROM documents")}
        to_index: list[tuple[Path, str]] = []
        for file_path in files:
            try:
                data = file_path.read_bytes()
            except OSError as error:
                report.skipped.append(f"{file_path}: cannot be read ({error.strerror or error})")
                continue
            digest = _digest(data, info_by_file.get(file_path.name))
            if known.get(str(file_path)) == digest:
                report.unchanged.append(file_path.name)
                continue
            to_index.append((file_path, digest))

        seen = {str(path) for path in files}
        for stale_path in sorted(set(known) - seen):
            _delete_document(store, stale_path)
            report.removed.append(Path(stale_path).name)

        iterator: Iterable[tuple[Path, str]] = to_index
        if progress and to_index:
            from tqdm import tqdm

            iterator = tqdm(to_index, desc="indexing", unit="file", file=sys.stderr)
        for file_path, digest in iterator:
            try:
                passages_added, embedded = _index_file(
                    store, file_path, digest, info_by_file.get(file_path.name)
                )
            except ReadError as error:
                report.skipped.append(str(error))
                continue
            (report.updated if str(file_path) in known else report.added).append(file_path.name)
            report.passages += passages_added
            report.embedded += embedded
        if report.changed:
            _prune_embedding_cache(store)
            store.bump_generation()
        store.db.commit()
        store.forget_vectors()
    report.seconds = time.perf_counter() - started
    return report


def _delete_document(store: Store, path: str) -> None:
    # The FTS rows go with the passages (trigger), the passages with the document (cascade).
    store.db.execute("DELETE FROM documents WHERE path = ?", (path,))


def _index_file(store: Store, file_path: Path, digest: str, info: DocumentInfo | None) -> tuple[int, int]:
    source = read_source(file_path)
    parsed = parse_document(source.text, is_html=source.is_html)
    if not parsed.passages:
        raise ReadError(f"{file_path}: no text found in the file")
    titles = dict(info.titles) if info and info.titles else {}
    if "cs" not in titles:
        titles["cs"] = source.title_hint or parsed.title or title_from_file_name(file_path.name)
    date = (info.date if info else "") or date_from_file_name(file_path.name) or date_from_text(source.text)

    passage_texts = [passage_embedding_input(titles["cs"], p.section, p.text) for p in parsed.passages]
    sentence_texts = [
        [sentence_embedding_input(p.section, s) for s in passage_sentences(p.text, p.sentences)]
        for p in parsed.passages
    ]
    flat = passage_texts + [text for texts in sentence_texts for text in texts]
    vectors, embedded = _embed_cached(store, flat)
    passage_vectors = vectors[: len(passage_texts)]
    sentence_blocks = _split_rows(vectors[len(passage_texts) :], [len(texts) for texts in sentence_texts])

    _delete_document(store, str(file_path))
    cursor = store.db.execute(
        "INSERT INTO documents(path, file, titles, date, content_hash, source_text, indexed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (str(file_path), file_path.name, json.dumps(titles, ensure_ascii=False), date, digest, parsed.text,
         time.time()),
    )  # fmt: skip
    document_id = cursor.lastrowid
    title_terms = search_terms(titles["cs"])
    for ordinal, passage in enumerate(parsed.passages):
        _insert_passage(
            store,
            document_id,
            ordinal,
            passage,
            title_terms,
            passage_vectors[ordinal],
            sentence_blocks[ordinal],
        )
    return len(parsed.passages), embedded


def _insert_passage(
    store: Store,
    document_id: int | None,
    ordinal: int,
    passage: Passage,
    title_terms: list[str],
    vector: np.ndarray,
    sentence_vectors: np.ndarray,
) -> None:
    terms = search_terms(passage.section + "\n" + passage.text)
    # The document title joins the word index of every passage: a question naming the document ("Akční plán
    # II") then prefers its passages.
    lemmas = terms + title_terms
    store.db.execute(
        'INSERT INTO passages(document_id, ordinal, section, text, start, "end", sentences, terms, lemmas, '
        "stems, "
        "embedding, sentence_embeddings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            document_id, ordinal, passage.section, passage.text, passage.start, passage.end,
            json.dumps(passage.sentences), " ".join(terms), " ".join(lemmas), " ".join(stems(lemmas)),
            vector.astype(np.float32).tobytes(), sentence_vectors.astype(np.float32).tobytes(),
        ),
    )  # fmt: skip


def _split_rows(matrix: np.ndarray, counts: list[int]) -> list[np.ndarray]:
    blocks: list[np.ndarray] = []
    position = 0
    for count in counts:
        blocks.append(matrix[position : position + count])
        position += count
    return blocks


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _embed_cached(store: Store, texts: list[str]) -> tuple[np.ndarray, int]:
    """Embeddings of `texts`, computed only for texts the cache does not hold."""
    hashes = [_text_hash(text) for text in texts]
    cached: dict[str, np.ndarray] = {}
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for text_hash, blob in store.db.execute(
            f"SELECT text_hash, vector FROM embedding_cache WHERE text_hash IN ({marks})", chunk
        ):
            cached[text_hash] = np.frombuffer(blob, dtype=np.float32)
    missing = list(dict.fromkeys(h for h in hashes if h not in cached))
    if missing:
        text_of = dict(zip(hashes, texts, strict=True))
        computed = embeddings.embed_passages([text_of[h] for h in missing])
        for text_hash, vector in zip(missing, computed, strict=True):
            cached[text_hash] = vector
            store.db.execute(
                "INSERT OR REPLACE INTO embedding_cache(text_hash, vector) VALUES (?, ?)",
                (text_hash, vector.astype(np.float32).tobytes()),
            )
    if not hashes:
        return np.zeros((0, embeddings.DIM), np.float32), 0
    return np.stack([cached[h] for h in hashes]), len(missing)


def _prune_embedding_cache(store: Store) -> None:
    # Keep the cache to vectors some passage or sentence still uses, so the file does not grow without bound.
    used: set[str] = set()
    for titles, section, text, spans in store.db.execute(
        "SELECT d.titles, p.section, p.text, p.sentences "
        "FROM passages p JOIN documents d ON d.id = p.document_id"
    ):
        used.add(_text_hash(passage_embedding_input(json.loads(titles)["cs"], section, text)))
        for sentence in passage_sentences(text, json.loads(spans)):
            used.add(_text_hash(sentence_embedding_input(section, sentence)))
    stale = [h for (h,) in store.db.execute("SELECT text_hash FROM embedding_cache") if h not in used]
    store.db.executemany("DELETE FROM embedding_cache WHERE text_hash = ?", [(h,) for h in stale])
