"""Calibrate ranking fusion and the no-answer threshold on docsearch/calibration/dev_questions.yml.

    python -m docsearch.calibrate [--index var/index.sqlite] [--check ../shared/eval/questions.yml] [--write]

For every setting in a small grid (fusion rrf|mix, relative or absolute cosine, lexical weight) and every
threshold, a dev question counts as right when an answerable one is answered (confidence >= threshold) with
a top hit from the right file, and an unanswerable one is not answered. The best setting is written to
docsearch/calibration/calibration.json with its measured numbers (--write). --check prints hit@1/hit@3 and the
answered/unanswered decisions on another question file (the evaluation file's cases with `cites` or
`expect: no_answer`), which must not be used for the choice itself.
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

from docsearch.config import CALIBRATION_FILE, PACKAGE_DIR, SearchSettings, index_path, load_settings
from docsearch.index import DocumentIndex

DEV_SET = PACKAGE_DIR / "calibration" / "dev_questions.yml"
GRID_FUSION = ("rrf", "mix")
GRID_RELATIVE = (False, True)
GRID_LEXICAL_WEIGHT = (0.0, 0.05, 0.1, 0.2, 0.3)


@dataclasses.dataclass
class Case:
    lang: str
    question: str
    file: str | None  # None: the corpus does not answer


def load_dev_set(path: Path = DEV_SET) -> list[Case]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(entry["lang"], entry["q"], entry.get("file")) for entry in entries]


def load_eval_cases(path: Path) -> list[Case]:
    """Cases of the evaluation file that say something about documents: `cites` or `expect: no_answer`."""
    cases: list[Case] = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        if entry.get("cites"):
            cases.append(Case(entry.get("lang", "cs"), entry["ask"], entry["cites"]))
        elif entry.get("expect") == "no_answer":
            cases.append(Case(entry.get("lang", "cs"), entry["ask"], None))
    return cases


def evaluate(index: DocumentIndex, cases: list[Case], settings: SearchSettings) -> dict[str, Any]:
    """hit@1/hit@3 on answerable cases and, per case, the confidence of the top hit."""
    index.settings = settings
    rows: list[tuple[Case, float, list[str]]] = []
    for case in cases:
        hits = index.search(case.question, lang=case.lang, k=3)
        rows.append((case, hits[0].score if hits else 0.0, [hit.file for hit in hits]))
    answerable = [(c, conf, files) for c, conf, files in rows if c.file]
    hit1 = sum(1 for c, _, files in answerable if files[:1] == [c.file]) / max(1, len(answerable))
    hit3 = sum(1 for c, _, files in answerable if c.file in files) / max(1, len(answerable))
    return {"rows": rows, "hit@1": hit1, "hit@3": hit3}


def best_thresholds(rows: list[tuple[Case, float, list[str]]]) -> tuple[float, float, float]:
    """(accuracy, Czech threshold, offset for German and Polish questions): a threshold is chosen for each
    group, the cross-lingual one expressed as the offset that brings it to the Czech one."""
    czech = [row for row in rows if row[0].lang == "cs"]
    other = [row for row in rows if row[0].lang != "cs"]
    czech_accuracy, czech_threshold = best_threshold(czech)
    if not other:
        return czech_accuracy, czech_threshold, 0.0
    other_accuracy, other_threshold = best_threshold(other)
    accuracy = (czech_accuracy * len(czech) + other_accuracy * len(other)) / len(rows)
    return accuracy, czech_threshold, czech_threshold - other_threshold


def best_threshold(rows: list[tuple[Case, float, list[str]]]) -> tuple[float, float]:
    """The threshold with the most right decisions (midpoint between neighbouring confidences)."""
    if not rows:
        return 0.0, 0.0
    confidences = sorted({conf for _, conf, _ in rows})
    candidates = [confidences[0] - 1e-3] + [(a + b) / 2 for a, b in itertools.pairwise(confidences)]
    best = (0.0, candidates[0])
    for threshold in candidates:
        right = 0
        for case, conf, files in rows:
            if case.file is None:
                right += conf < threshold
            else:
                right += conf >= threshold and files[:1] == [case.file]
        accuracy = right / len(rows)
        if accuracy > best[0]:
            best = (accuracy, threshold)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--check", type=Path, default=None, help="a questions.yml to check the result on")
    parser.add_argument("--write", action="store_true", help=f"write the best setting to {CALIBRATION_FILE}")
    args = parser.parse_args(argv)
    path = args.index or index_path()
    if not path.is_file():
        print(f"error: no index at {path}; run `python -m docsearch index` first", file=sys.stderr)
        return 1
    dev = load_dev_set()
    index = DocumentIndex.open(path, create=False)
    results: list[dict[str, Any]] = []
    for fusion in GRID_FUSION:
        for relative in GRID_RELATIVE:
            for weight in GRID_LEXICAL_WEIGHT:
                settings = SearchSettings(fusion=fusion, relative=relative, lexical_weight=weight)
                measured = evaluate(index, dev, settings)
                accuracy, threshold, offset = best_thresholds(measured["rows"])
                results.append(
                    {
                        "fusion": fusion,
                        "relative": relative,
                        "lexical_weight": weight,
                        "threshold": round(threshold, 4),
                        "cross_lingual_offset": round(offset, 4),
                        "dev_accuracy": round(accuracy, 3),
                        "dev_hit@1": round(measured["hit@1"], 3),
                        "dev_hit@3": round(measured["hit@3"], 3),
                    }
                )
                print(json.dumps(results[-1]))
    best = max(
        results, key=lambda r: (r["dev_accuracy"], r["dev_hit@1"], r["dev_hit@3"], -r["lexical_weight"])
    )
    print("best:", json.dumps(best))
    chosen = SearchSettings(
        fusion=best["fusion"],
        relative=best["relative"],
        lexical_weight=best["lexical_weight"],
        threshold=best["threshold"],
        cross_lingual_offset=best["cross_lingual_offset"],
    )
    if args.write:
        payload = {
            **dataclasses.asdict(chosen),
            "measured_on": "docsearch/calibration/dev_questions.yml",
            **{key: best[key] for key in ("dev_accuracy", "dev_hit@1", "dev_hit@3")},
            "grid": results,
        }
        CALIBRATION_FILE.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"written {CALIBRATION_FILE}")
    if args.check:
        # Without --write the check shows what the best setting of this grid would do, next to the stored one.
        settings = chosen if args.write or not CALIBRATION_FILE.is_file() else load_settings()
        checked = evaluate(index, load_eval_cases(args.check), settings)
        print(f"check on {args.check}: hit@1 {checked['hit@1']:.2f}, hit@3 {checked['hit@3']:.2f}")
        for case, conf, files in checked["rows"]:
            answered = conf >= settings.threshold
            verdict = "answered" if answered else "no answer"
            print(f"  [{conf:.3f} {verdict}] {case.question} -> {files[:1]} (expected {case.file})")
    index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
