"""Fit the re-ranker and the no-answer decision on the dev split of the project's benchmark questions.

    python -m docsearch.calibrate [--index var/index.sqlite] [--questions evaluation/benchmark] [--write]

Every dev document question is ranked; a candidate passage is relevant when it is from the cited file and
holds one of the question's evidence spans. A pairwise logistic regression (scikit-learn) over the
candidates' features learns the re-ranker's weights. A second logistic regression learns whether the answer
would be right from the best candidate's logit and the question's words that no passage uses, and its
threshold is the one that makes the most dev questions right (answerable: a relevant passage is quoted and
the probability clears it; unanswerable: it does not). The test split is never read here. --write stores the
result in docsearch/calibration/calibration.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from docsearch.config import CALIBRATION_FILE, SearchSettings, index_path
from docsearch.errors import DocsearchError
from docsearch.index import DocumentIndex
from docsearch.search import (
    ANSWER_FEATURES,
    FEATURES,
    Candidate,
    Ranking,
    answer_features,
    answerability,
    logit,
    score,
)
from textkit import fold_words

BENCHMARK_DIR = Path(__file__).resolve().parent.parent / "evaluation" / "benchmark"


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    lang: str
    question: str
    file: str | None  # None: the documents do not answer
    evidence: tuple[str, ...]


def load_cases(folder: Path = BENCHMARK_DIR, split: str = "dev") -> list[Case]:
    """The document and no-answer questions of one split (knowledge questions are the actions' business)."""
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if entry.get("split") != split or entry.get("kind") not in ("document", "no_answer"):
                continue
            evidence = tuple(fold_words(span) for span in entry.get("evidence") or ())
            cases.append(Case(entry["id"], entry["lang"], entry["ask"], entry.get("cites"), evidence))
    return cases


def relevant(case: Case, candidate: Candidate) -> bool:
    if case.file is None or candidate.row["file"] != case.file:
        return False
    text = fold_words(candidate.row["text"])
    return any(span and span in text for span in case.evidence)


def collect(index: DocumentIndex, cases: list[Case]) -> list[tuple[Case, Ranking]]:
    return [(case, index.rank(case.question, case.lang)) for case in cases]


def _vector(candidate: Candidate) -> list[float]:
    return [candidate.features[name] for name in FEATURES]


def fit(ranked: list[tuple[Case, Ranking]], defaults: SearchSettings) -> SearchSettings:
    """Pairwise logistic regression (RankNet's linear case): within one question, a relevant passage should
    score above each irrelevant one. Pairs, not single passages, because what matters is the order inside a
    pool, and raw feature levels differ from question to question. The bias is set later, from the
    threshold."""
    from sklearn.linear_model import LogisticRegression

    differences: list[list[float]] = []
    labels: list[int] = []
    for case, ranking in ranked:
        relevant_ones = [_vector(c) for c in ranking.candidates if relevant(case, c)]
        others = [_vector(c) for c in ranking.candidates if not relevant(case, c)]
        for good in relevant_ones:
            for bad in others:
                difference = [g - b for g, b in zip(good, bad, strict=True)]
                differences.extend([difference, [-d for d in difference]])
                labels.extend([1, 0])
    if not differences:
        raise DocsearchError("no dev question has relevant and irrelevant candidates: check the evidence")
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000).fit(differences, labels)
    weights = {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef_[0], strict=True)}
    return dataclasses.replace(defaults, weights=weights, bias=0.0)


def centred(ranked: list[tuple[Case, Ranking]], settings: SearchSettings) -> SearchSettings:
    """The re-ranker's bias set so that the median best candidate of the dev questions scores 0.5: the
    pairwise fit leaves the level free, and a hit's score should be a readable number, not 1.0 for all."""
    tops = sorted(
        max((logit(c.features, settings) for c in ranking.candidates), default=0.0) for _, ranking in ranked
    )
    middle = float(tops[len(tops) // 2]) if tops else 0.0
    return dataclasses.replace(settings, bias=round(settings.bias - middle, 4))


def _ordered(ranking: Ranking, settings: SearchSettings) -> list[Candidate]:
    return sorted(ranking.candidates, key=lambda c: -score(c.features, settings))


def decisions(ranked: list[tuple[Case, Ranking]], settings: SearchSettings) -> list[tuple[Case, float, bool]]:
    """Per case: the probability that the documents answer, and whether the answer would quote a relevant
    passage (the best or the runner-up, which is quoted when close)."""
    rows: list[tuple[Case, float, bool]] = []
    for case, ranking in ranked:
        order = _ordered(ranking, settings)
        best = order[0] if order else None
        features = answer_features(best, ranking.unknown, settings)
        ok = any(relevant(case, c) for c in order[:2])
        rows.append((case, answerability(features, settings), ok))
    return rows


def fit_answerability(ranked: list[tuple[Case, Ranking]], settings: SearchSettings) -> SearchSettings:
    """Logistic regression of "the answer would be right" on the best candidate's logit and the question's
    unknown words: a question whose answer would be wrong is better declined, like one the documents do not
    answer."""
    from sklearn.linear_model import LogisticRegression

    rows: list[list[float]] = []
    labels: list[int] = []
    for case, ranking in ranked:
        order = _ordered(ranking, settings)
        best = order[0] if order else None
        features = answer_features(best, ranking.unknown, settings)
        rows.append([features.get(name, 0.0) for name in ANSWER_FEATURES])
        labels.append(int(bool(case.file) and any(relevant(case, c) for c in order[:2])))
    if len(set(labels)) < 2:
        return settings
    model = LogisticRegression(C=1.0, max_iter=2000).fit(rows, labels)
    weights = {name: round(float(w), 4) for name, w in zip(ANSWER_FEATURES, model.coef_[0], strict=True)}
    bias = round(float(model.intercept_[0]), 4)
    return dataclasses.replace(settings, answer_weights=weights, answer_bias=bias)


def choose_threshold(rows: list[tuple[Case, float, bool]]) -> tuple[float, float]:
    """The threshold that makes the most cases right, and that accuracy. Candidates lie halfway between
    neighbouring probabilities (never on one: a rounded threshold just above a case's own value would drop
    it); of a run of equally good candidates the middle one, so that it is not on the edge of one question."""
    values = sorted({p for _, p, _ in rows})
    points = [0.0, *((low + high) / 2 for low, high in itertools.pairwise(values)), 1.0]

    def accuracy(t: float) -> float:
        right = sum(
            1 for case, p, ok in rows if (case.file and ok and p >= t) or (case.file is None and p < t)
        )
        return right / max(1, len(rows))

    scores = [accuracy(t) for t in points]
    best = max(scores)
    first = scores.index(best)
    last = first
    while last + 1 < len(points) and scores[last + 1] == best:
        last += 1
    return round(points[(first + last) // 2], 4), round(best, 4)


def metrics(ranked: list[tuple[Case, Ranking]], settings: SearchSettings) -> dict[str, Any]:
    answerable = [(c, r) for c, r in ranked if c.file]
    recall_1 = recall_5 = reciprocal = 0.0
    for case, ranking in answerable:
        flags = [relevant(case, c) for c in _ordered(ranking, settings)[:5]]
        recall_1 += bool(flags[:1] and flags[0])
        recall_5 += any(flags)
        reciprocal += next((1.0 / (i + 1) for i, f in enumerate(flags) if f), 0.0)
    n = max(1, len(answerable))
    rows = decisions(ranked, settings)
    said_no = [case for case, p, _ in rows if p < settings.threshold]
    unanswerable = [case for case, _, _ in rows if case.file is None]
    true_no = sum(1 for case in said_no if case.file is None)
    return {
        "questions": len(ranked),
        "recall@1": round(recall_1 / n, 3),
        "recall@5": round(recall_5 / n, 3),
        "mrr@5": round(reciprocal / n, 3),
        "no_answer_precision": round(true_no / len(said_no), 3) if said_no else None,
        "no_answer_recall": round(true_no / len(unanswerable), 3) if unanswerable else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m docsearch.calibrate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--questions", type=Path, default=BENCHMARK_DIR)
    parser.add_argument("--write", action="store_true", help=f"write {CALIBRATION_FILE}")
    args = parser.parse_args(argv)
    try:
        cases = load_cases(args.questions, "dev")
        if not cases:
            raise DocsearchError(f"no dev questions under {args.questions}")
        with DocumentIndex.open(args.index or index_path(), create=False) as index:
            ranked = collect(index, cases)
            settings = fit_answerability(ranked, centred(ranked, fit(ranked, index.settings)))
            threshold, accuracy = choose_threshold(decisions(ranked, settings))
            settings = dataclasses.replace(settings, threshold=threshold)
            result = {**dataclasses.asdict(settings), "measured_on": "evaluation/benchmark, split dev",
                      "dev_decision_accuracy": accuracy, "dev": metrics(ranked, settings)}  # fmt: skip
    except (DocsearchError, OSError, yaml.YAMLError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.write:
        CALIBRATION_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written to {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
