"""Czech content lemmas of the corpus by frequency: the candidate list for `knowledge/lexicon.yml`.

Each line shows the folded lemma the index stores (`textkit.search_terms`), the lemma as simplemma writes it
with diacritics, the most frequent original token of that lemma and its count. Numbers are left out.

    PYTHONPATH=. .venv-app/bin/python scripts/lexicon_candidates.py --top 450
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import simplemma

from textkit import fold, search_terms, tokens
from textkit.stoplists import STOPWORDS

DEFAULT_CORPUS = Path("/work/shared/corpus")


def corpus_texts(corpus: Path) -> list[str]:
    """The texts of the corpus's documents (README.md is not a document)."""
    return [path.read_text(encoding="utf-8") for path in sorted(corpus.glob("*.txt"))]


def count_lemmas(texts: list[str]) -> tuple[Counter[str], dict[str, Counter[str]], dict[str, Counter[str]]]:
    """Folded lemma frequencies, and per lemma the counts of its written lemmas and original tokens."""
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = {}
    surfaces: dict[str, Counter[str]] = {}
    for text in texts:
        counts.update(term for term in search_terms(text, "cs") if not term[0].isdigit())
        for token in tokens(text):
            if token[0].isdigit() or fold(token) in STOPWORDS:
                continue
            unfolded = simplemma.lemmatize(token.lower(), lang="cs")
            term = fold(unfolded)
            if term in STOPWORDS:
                continue
            written.setdefault(term, Counter())[unfolded] += 1
            surfaces.setdefault(term, Counter())[token] += 1
    return counts, written, surfaces


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=450, help="how many lemmas to print (default 450)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the corpus folder")
    parser.add_argument("--min-length", type=int, default=3, help="skip lemmas shorter than this")
    args = parser.parse_args(argv)
    counts, written, surfaces = count_lemmas(corpus_texts(args.corpus))
    shown = 0
    for term, count in counts.most_common():
        if len(term) < args.min_length:
            continue
        lemma_form = written[term].most_common(1)[0][0] if term in written else term
        surface = surfaces[term].most_common(1)[0][0] if term in surfaces else term
        print(f"{count:4d}  {term:<24} {lemma_form:<24} {surface}")
        shown += 1
        if shown >= args.top:
            break


if __name__ == "__main__":
    main()
