"""Fit the re-ranker and the no-answer threshold on the dev split of the project's benchmark questions.

    python -m docsearch.calibrate [--index var/index.sqlite] [--questions evaluation/benchmark] [--write]

Every dev document question is ranked; a candidate passage is relevant when it is from the cited file and
holds
one of the question's evidence spans. A logistic regression (scikit-learn) over the candidates' features
learns
the re-ranker's weights; the threshold on its probability for the best candidate is the one that makes the
most
dev questions right (answerable: the best candidate is relevant and above it; unanswerable: below it). The
test
split is never read here. --write stores the result in docsearch/calibration/calibration.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path
from typing import Any

import yaml

from docsearch.config import CALIBRATION_FILE, SearchSettings, index_path
from docsearch.errors import DocsearchError
from docsearch.index import DocumentIndex
from docsearch.search import FEATURES, Candidate, score
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


def collect(index: DocumentIndex, cases: list[Case]) -> list[tuple[Case, list[Candidate]]]:
    return [(case, index.rank(case.question, case.lang).candidates) for case in cases]


def _vector(candidate: Candidate) -> list[float]:
    return [candidate.features[name] for name in FEATURES]


def fit(ranked: list[tuple[Case, list[Candidate]]], defaults: SearchSettings) -> SearchSettings:
    """Pairwise logistic regression (RankNet's linear case): within one question, a relevant passage should
    score above each irrelevant one. Pairs, not single passages, because what matters is the order inside a
    pool, and raw feature levels differ from question to question. The bias is set later, from the
    threshold."""
    from sklearn.linear_model import LogisticRegression

    differences: list[list[float]] = []
    labels: list[int] = []
    for case, candidates in ranked:
        relevant_ones = [_vector(c) for c in candidates if relevant(case, c)]
        others = [_vector(c) for c in candidates if not relevant(case, c)]
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


def decisions(
    ranked: list[tuple[Case, list[Candidate]]], settings: SearchSettings
) -> list[tuple[Case, float, bool]]:
    """Per case: the best candidate's probability under `settings` and whether that candidate is relevant."""
    rows: list[tuple[Case, float, bool]] = []
    for case, candidates in ranked:
        scored = sorted(candidates, key=lambda c: -score(c.features, settings))
        best = scored[0] if scored else None
        rows.append(
            (case, score(best.features, settings) if best else 0.0, bool(best and relevant(case, best)))
        )
    return rows


def choose_threshold(rows: list[tuple[Case, float, bool]]) -> tuple[float, float]:
    """The threshold that makes the most cases right (the middle of the first best run of candidate values, so
    that it is not on the edge of one question), and that accuracy."""
    points = sorted({round(p, 4) for _, p, _ in rows} | {0.0, 1.0})

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
    return round((points[first] + points[last]) / 2, 4), round(best, 4)


def metrics(ranked: list[tuple[Case, list[Candidate]]], settings: SearchSettings) -> dict[str, Any]:
    answerable = [(c, cands) for c, cands in ranked if c.file]
    recall_1 = recall_5 = reciprocal = 0.0
    for case, candidates in answerable:
        order = sorted(candidates, key=lambda c: -score(c.features, settings))[:5]
        flags = [relevant(case, c) for c in order]
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
            settings = fit(ranked, index.settings)
            # The threshold is found on the score with bias 0, then moved into the bias, so that a hit's
            # score is above 0.5 exactly when the documents are judged to answer.
            threshold, accuracy = choose_threshold(decisions(ranked, settings))
            logit = math.log(threshold / (1 - threshold)) if 0 < threshold < 1 else 0.0
            settings = dataclasses.replace(settings, bias=round(-logit, 4), threshold=0.5)
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
