"""Calibrate the thresholds of the service and grant matchers on the project's own labelled questions.

    .venv-rasa/bin/python -m actions.calibrate_matching [--questions FILE] [--out FILE]

The questions (actions/calibration/matching_questions.yml) are split into dev and test. The thresholds are
chosen on dev only: every pair (SERVICE_EMBEDDING_THRESHOLD, SERVICE_MEANING_ONLY_THRESHOLD) and every
GRANT_EMBEDDING_THRESHOLD of a grid is tried and the most accurate one wins (ties: the one nearest the middle
of the best values, so that it does not sit on the edge of a plateau). Then the accuracy on dev and on test is
printed and everything is written to actions/calibration/matching.json; the constants in actions/matching.py
are set by hand from that file. The test split is never used to choose.

A question is right when the best match is the labelled id, or when nothing matches for ``none``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from actions.knowledge import Knowledge, load_knowledge
from actions.matching import GrantMatcher, ServiceMatcher, embed_passages, embed_queries
from actions.settings import ActionsSettings

CALIBRATION_DIR = Path(__file__).resolve().parent / "calibration"
QUESTIONS_FILE = CALIBRATION_DIR / "matching_questions.yml"
RESULT_FILE = CALIBRATION_DIR / "matching.json"

SERVICE_GRID = [round(0.78 + 0.005 * step, 3) for step in range(29)]  # 0.78 .. 0.92
GRANT_GRID = [round(0.78 + 0.005 * step, 3) for step in range(29)]
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Question:
    split: str
    matcher: str  # "service" or "grant"
    lang: str
    text: str
    expect: str  # an id, or "none"


def load_questions(path: Path) -> list[Question]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    questions = [
        Question(str(q["split"]), str(q["matcher"]), str(q["lang"]), str(q["text"]), str(q["expect"]))
        for q in raw
    ]
    for question in questions:
        if question.split not in SPLITS or question.matcher not in ("service", "grant"):
            raise ValueError(f"bad question {question}")
    return questions


def cached(embed: Callable[[Sequence[str]], np.ndarray]) -> Callable[[Sequence[str]], np.ndarray]:
    """The embedder, computing each list of texts once (every grid point asks the same questions)."""
    memory: dict[tuple[str, ...], np.ndarray] = {}

    def embed_once(texts: Sequence[str]) -> np.ndarray:
        key = tuple(texts)
        if key not in memory:
            memory[key] = embed(list(texts))
        return memory[key]

    return embed_once


def check_labels(questions: list[Question], knowledge: Knowledge) -> None:
    for question in questions:
        known = knowledge.services if question.matcher == "service" else knowledge.grants
        if question.expect != "none" and question.expect not in known:
            raise ValueError(f"{question.text!r}: {question.expect!r} is not a {question.matcher} id")


class Calibration:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.embed_query = cached(embed_queries)
        self.embed_passages = cached(embed_passages)

    def service_predictions(
        self, questions: list[Question], threshold: float, meaning_only: float
    ) -> list[str]:
        matcher = ServiceMatcher(
            self.knowledge,
            embed_query=self.embed_query,
            embed_passages=self.embed_passages,
            threshold=threshold,
            meaning_only_threshold=meaning_only,
        )
        predictions = []
        for question in questions:
            matches = matcher.match(question.text, question.lang)
            predictions.append(matches[0].service.id if matches else "none")
        return predictions

    def grant_predictions(self, questions: list[Question], threshold: float) -> list[str]:
        matcher = GrantMatcher(
            self.knowledge,
            embed_query=self.embed_query,
            embed_passages=self.embed_passages,
            threshold=threshold,
        )
        predictions = []
        for question in questions:
            grants = matcher.match(question.text, question.lang)
            predictions.append(grants[0].id if grants else "none")
        return predictions


def accuracy(questions: list[Question], predictions: list[str]) -> float:
    right = sum(1 for question, got in zip(questions, predictions, strict=True) if got == question.expect)
    return right / len(questions) if questions else 0.0


def most_central(best: list[tuple[float, ...]]) -> tuple[float, ...]:
    """Of the equally good grid points, the one nearest their centre."""
    centre = np.mean(np.asarray(best), axis=0)
    return min(best, key=lambda point: float(np.sum((np.asarray(point) - centre) ** 2)))


def misses(questions: list[Question], predictions: list[str]) -> list[dict[str, str]]:
    return [
        {"lang": q.lang, "text": q.text, "expect": q.expect, "got": got}
        for q, got in zip(questions, predictions, strict=True)
        if got != q.expect
    ]


def run(questions_file: Path, out_file: Path) -> dict[str, Any]:
    questions = load_questions(questions_file)
    knowledge = load_knowledge(ActionsSettings().knowledge_dir)
    check_labels(questions, knowledge)
    calibration = Calibration(knowledge)
    by = {
        (matcher, split): [q for q in questions if q.matcher == matcher and q.split == split]
        for matcher in ("service", "grant")
        for split in SPLITS
    }

    service_scores: dict[tuple[float, float], float] = {}
    for threshold in SERVICE_GRID:
        for meaning_only in SERVICE_GRID:
            if meaning_only < threshold:
                continue  # a match on meaning alone never needs less than one a keyword confirms
            dev = by["service", "dev"]
            service_scores[threshold, meaning_only] = accuracy(
                dev, calibration.service_predictions(dev, threshold, meaning_only)
            )
    best_service = max(service_scores.values())
    threshold, meaning_only = most_central(
        [point for point, score in service_scores.items() if score == best_service]
    )

    grant_scores: dict[float, float] = {}
    for grant_threshold in GRANT_GRID:
        dev = by["grant", "dev"]
        grant_scores[grant_threshold] = accuracy(dev, calibration.grant_predictions(dev, grant_threshold))
    best_grant = max(grant_scores.values())
    best_grants = [(point,) for point, score in grant_scores.items() if score == best_grant]
    (grant_threshold,) = most_central(best_grants)

    result: dict[str, Any] = {
        "questions": str(questions_file.relative_to(Path(__file__).resolve().parents[1])),
        "chosen_on": "dev",
        "SERVICE_EMBEDDING_THRESHOLD": threshold,
        "SERVICE_MEANING_ONLY_THRESHOLD": meaning_only,
        "GRANT_EMBEDDING_THRESHOLD": grant_threshold,
        "grid": {"service": [SERVICE_GRID[0], SERVICE_GRID[-1]], "grant": [GRANT_GRID[0], GRANT_GRID[-1]]},
        "accuracy": {},
        "counts": {},
        "misses": {},
    }
    for split in SPLITS:
        service_questions, grant_questions = by["service", split], by["grant", split]
        service_predictions = calibration.service_predictions(service_questions, threshold, meaning_only)
        grant_predictions = calibration.grant_predictions(grant_questions, grant_threshold)
        result["accuracy"][split] = {
            "service": round(accuracy(service_questions, service_predictions), 3),
            "grant": round(accuracy(grant_questions, grant_predictions), 3),
            "all": round(
                accuracy(service_questions + grant_questions, service_predictions + grant_predictions), 3
            ),
        }
        result["counts"][split] = {"service": len(service_questions), "grant": len(grant_questions)}
        result["misses"][split] = misses(service_questions, service_predictions) + misses(
            grant_questions, grant_predictions
        )
    out_file.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
    parser.add_argument("--out", type=Path, default=RESULT_FILE)
    args = parser.parse_args(argv)
    result = run(args.questions, args.out)
    print(
        "chosen on dev: SERVICE_EMBEDDING_THRESHOLD = {SERVICE_EMBEDDING_THRESHOLD}, "
        "SERVICE_MEANING_ONLY_THRESHOLD = {SERVICE_MEANING_ONLY_THRESHOLD}, "
        "GRANT_EMBEDDING_THRESHOLD = {GRANT_EMBEDDING_THRESHOLD}".format(**result)
    )
    for split in SPLITS:
        figures = result["accuracy"][split]
        counts = result["counts"][split]
        print(
            f"{split:4s} accuracy: services {figures['service']:.3f} ({counts['service']} questions), "
            f"grants {figures['grant']:.3f} ({counts['grant']}), all {figures['all']:.3f}"
        )
        for miss in result["misses"][split]:
            print(f"  miss [{miss['lang']}] {miss['text']!r}: expected {miss['expect']}, got {miss['got']}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
