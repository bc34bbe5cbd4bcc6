"""The labelled benchmark (evaluation/benchmark/*.yml): schema, counts, evidence found in the corpus, held-out
discipline towards the public questions (../shared/eval/questions.yml)."""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from textkit import fold

REPO_ROOT = Path(__file__).resolve().parents[3]
BENCHMARK_DIR = REPO_ROOT / "evaluation" / "benchmark"
SHARED_DIR = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))
CORPUS_DIR = SHARED_DIR / "corpus"
PUBLIC_QUESTIONS = SHARED_DIR / "eval" / "questions.yml"

LANGS = ("cs", "de", "pl")
KINDS = ("document", "knowledge", "no_answer")
SPLITS = ("dev", "test")
ASKS_FOR = (
    "person",
    "organisation",
    "date",
    "amount",
    "count",
    "frequency",
    "place",
    "list",
    "description",
    "yes_no",
)
KEYS = {"id", "lang", "split", "kind", "asks_for", "ask", "cites", "evidence", "all", "any"}
MINIMUM = {"cs": 100, "de": 50, "pl": 50}


def load() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for lang in LANGS:
        data = yaml.safe_load((BENCHMARK_DIR / f"{lang}.yml").read_text(encoding="utf-8"))
        assert isinstance(data, list), f"{lang}.yml is not a YAML list"
        entries.extend(data)
    return entries


QUESTIONS = load()


def folded(text: str) -> str:
    return fold(text, collapse_whitespace=True).strip()


def words_folded(text: str) -> str:
    """As ../shared/eval/overlap.py folds: lower case, no diacritics, words only."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("ł", "l").replace("ß", "ss")
    return " ".join(re.findall(r"\w+", text))


def test_every_entry_follows_the_schema() -> None:
    for q in QUESTIONS:
        where = q.get("id")
        assert isinstance(q, dict) and set(q) <= KEYS, f"{where}: unknown keys {set(q) - KEYS}"
        assert isinstance(q["id"], str) and q["id"].startswith(f"{q['lang']}-"), where
        assert q["lang"] in LANGS and q["split"] in SPLITS and q["kind"] in KINDS, where
        assert q["asks_for"] in ASKS_FOR, where
        assert isinstance(q["ask"], str) and q["ask"].strip(), where
        for key in ("all", "any", "evidence"):
            value = q.get(key) or []
            assert isinstance(value, list) and all(isinstance(s, str) and s.strip() for s in value), where
        if q["kind"] == "document":
            assert isinstance(q.get("cites"), str) and q["cites"].endswith(".txt"), where
            assert q.get("evidence"), f"{where}: a document question needs evidence"
            assert q.get("all") or q.get("any"), f"{where}: no expected facts"
        elif q["kind"] == "knowledge":
            assert not q.get("cites") and not q.get("evidence"), where
            assert q.get("all") or q.get("any"), f"{where}: no expected facts"
        else:
            assert not any(q.get(key) for key in ("cites", "evidence", "all", "any")), where


def test_ids_are_unique() -> None:
    counts = Counter(q["id"] for q in QUESTIONS)
    assert not [i for i, n in counts.items() if n > 1]


def test_counts_per_language_kind_and_split() -> None:
    by_lang = Counter(q["lang"] for q in QUESTIONS)
    for lang, minimum in MINIMUM.items():
        assert by_lang[lang] >= minimum, (lang, by_lang[lang])
        splits = {q["split"] for q in QUESTIONS if q["lang"] == lang}
        assert splits == set(SPLITS), (lang, splits)
        kinds = Counter(q["kind"] for q in QUESTIONS if q["lang"] == lang)
        assert kinds["no_answer"] >= 5 and kinds["knowledge"] >= 5, (lang, kinds)
    assert sum(q["kind"] == "no_answer" for q in QUESTIONS) >= 20


def test_evidence_spans_are_short_and_plain_text() -> None:
    for q in QUESTIONS:
        for span in q.get("evidence") or []:
            assert 2 <= len(span.split()) <= 12, (q["id"], span)
            assert not re.search(r"\*\*|\[|\]\(|\(#\)", span), f"{q['id']}: markdown in evidence {span!r}"


def test_every_evidence_span_occurs_in_the_cited_corpus_file() -> None:
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"no corpus at {CORPUS_DIR}")
    texts = {path.name: folded(path.read_text(encoding="utf-8")) for path in CORPUS_DIR.glob("*.txt")}
    problems = []
    for q in QUESTIONS:
        if q["kind"] != "document":
            continue
        if q["cites"] not in texts:
            problems.append(f"{q['id']}: no corpus file {q['cites']}")
            continue
        problems += [
            f"{q['id']}: {span!r} not in {q['cites']}"
            for span in q["evidence"]
            if folded(span) not in texts[q["cites"]]
        ]
    assert not problems, "\n".join(problems)


def test_no_question_is_close_to_a_public_one() -> None:
    if not PUBLIC_QUESTIONS.is_file():
        pytest.skip(f"no public questions at {PUBLIC_QUESTIONS}")
    public = [words_folded(p["ask"]) for p in yaml.safe_load(PUBLIC_QUESTIONS.read_text(encoding="utf-8"))]
    public = [p for p in public if len(p) > 12]
    close = []
    for q in QUESTIONS:
        ours = words_folded(q["ask"])
        for theirs in public:
            if theirs in ours or ours in theirs or difflib.SequenceMatcher(None, theirs, ours).ratio() >= 0.8:
                close.append(f"{q['id']}: {q['ask']!r} ~ {theirs!r}")
    assert not close, "\n".join(close)
