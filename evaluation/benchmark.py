"""The project's labelled benchmark (evaluation/benchmark/*.yml): retrieval metrics and answer accuracy.

    python -m evaluation.benchmark [--split dev|test|all] [--gateway-url URL] [--index PATH]
                                   [--report-dir reports/eval] [--retrieval-only]

Retrieval is measured in-process on the document index: for every document question the first 5 hits
of `DocumentIndex.search`; a hit is relevant when it comes from the cited file and its text contains one of
the question's evidence spans (both folded). Reported: recall@1, recall@5 and MRR (over the first 5), per
language.

Answers go through the gateway (`POST /api/chat`, a new conversation per question) and are scored exactly
as evaluation/run_eval.py scores a case; when nothing answers at --gateway-url, run_eval starts the whole
stack on free ports. Reported: accuracy per language and per kind, and for "the documents do not say" the
precision and recall of the no-answer replies (detected as run_eval detects them).

Writes reports/eval/benchmark-<split>.json; `--split all` reports dev and test side by side. The exit
status is 0 whatever the score; 1 with a one-line error when the benchmark cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evaluation.run_eval import (
    DEFAULT_GATEWAY_URL,
    LANGUAGES,
    ROOT,
    Case,
    EvaluationError,
    Verdict,
    evaluate_case,
    fold,
    gateway_url_for_run,
    load_titles,
    open_client,
    says_no_answer,
)

BENCHMARK_DIR = ROOT / "evaluation" / "benchmark"
SPLITS = ("dev", "test")
KINDS = ("document", "knowledge", "no_answer")
K = 5


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    split: str
    kind: str
    asks_for: str
    ask: str
    cites: str | None = None
    evidence: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()

    def case(self) -> Case:
        """The question as run_eval scores it."""
        return Case(
            id=self.id,
            lang=self.lang,
            ask=self.ask,
            all=self.all,
            any=self.any,
            cites=self.cites if self.kind == "document" else None,
            expect="no_answer" if self.kind == "no_answer" else None,
        )


def load_questions(folder: Path = BENCHMARK_DIR) -> list[Question]:
    questions: list[Question] = []
    for lang in LANGUAGES:
        path = folder / f"{lang}.yml"
        try:
            entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise EvaluationError(f"cannot read {path}: {error}") from error
        for entry in entries if isinstance(entries, list) else []:
            try:
                questions.append(
                    Question(
                        id=str(entry["id"]),
                        lang=str(entry["lang"]),
                        split=str(entry["split"]),
                        kind=str(entry["kind"]),
                        asks_for=str(entry.get("asks_for") or ""),
                        ask=str(entry["ask"]),
                        cites=entry.get("cites") or None,
                        evidence=tuple(str(s) for s in entry.get("evidence") or ()),
                        all=tuple(str(s) for s in entry.get("all") or ()),
                        any=tuple(str(s) for s in entry.get("any") or ()),
                    )
                )
            except (KeyError, TypeError) as error:
                raise EvaluationError(f"{path}: malformed entry {entry!r:.80}: {error}") from error
    if not questions:
        raise EvaluationError(f"no benchmark questions in {folder}")
    return questions


# --- metric arithmetic ------------------------------------------------------------------------------------


def is_relevant(hit_file: str, hit_text: str, question: Question, hit_section: str = "") -> bool:
    """A hit answers when it is from the cited file and its text (or its section heading, where a document
    states a fact only in a heading) contains one of the evidence spans, compared folded."""
    if not question.cites or hit_file != question.cites:
        return False
    text = fold(f"{hit_section}\n{hit_text}")
    return any(fold(span).strip() in text for span in question.evidence)


def first_relevant_rank(relevant: Sequence[bool], k: int = K) -> int | None:
    """1-based rank of the first relevant hit among the first k, or None."""
    return next((rank for rank, flag in enumerate(relevant[:k], 1) if flag), None)


def retrieval_metrics(ranks: Sequence[int | None], k: int = K) -> dict[str, Any]:
    """recall@1, recall@k and MRR over the first k, from the rank of each question's first relevant hit."""
    n = len(ranks)
    if not n:
        return {"n": 0, "recall@1": None, f"recall@{k}": None, "mrr": None}
    return {
        "n": n,
        "recall@1": round(sum(r == 1 for r in ranks) / n, 3),
        f"recall@{k}": round(sum(r is not None and r <= k for r in ranks) / n, 3),
        "mrr": round(sum(1.0 / r for r in ranks if r is not None and r <= k) / n, 3),
    }


def accuracy(passed: Sequence[bool]) -> dict[str, Any]:
    n = len(passed)
    return {"n": n, "passed": sum(passed), "accuracy": round(sum(passed) / n, 3) if n else None}


def no_answer_scores(expected: Sequence[bool], said: Sequence[bool]) -> dict[str, Any]:
    """Precision: of the replies that said "no answer", how many were no_answer questions; recall: of the
    no_answer questions, how many got the no-answer reply."""
    both = sum(e and s for e, s in zip(expected, said, strict=True))
    replies, wanted = sum(said), sum(expected)
    return {
        "no_answer_replies": replies,
        "no_answer_questions": wanted,
        "precision": round(both / replies, 3) if replies else None,
        "recall": round(both / wanted, 3) if wanted else None,
    }


# --- running ----------------------------------------------------------------------------------------------


def resolve_index(path: Path | None) -> Path:
    if path is None:
        from docsearch.config import index_path

        path = index_path()
    if not path.is_absolute() and not path.exists():
        path = ROOT / path
    return path


def run_retrieval(questions: Sequence[Question], index_file: Path) -> dict[str, tuple[int | None, list[str]]]:
    """Rank of the first relevant hit and the files of the first K hits, for every document question."""
    try:
        from docsearch import DocumentIndex

        index = DocumentIndex.open(index_file, create=False)
    except Exception as error:  # any failure to open is "cannot run", reported in one line
        raise EvaluationError(
            f"cannot open the document index {index_file}: {error} (build it: make index)"
        ) from error
    results: dict[str, tuple[int | None, list[str]]] = {}
    for question in questions:
        if question.kind != "document":
            continue
        try:
            hits = index.search(question.ask, lang=question.lang, k=K)
        except Exception as error:
            raise EvaluationError(f"document search failed on {question.id}: {error}") from error
        flags = [is_relevant(hit.file, hit.text, question, hit.section) for hit in hits]
        results[question.id] = (first_relevant_rank(flags), [hit.file for hit in hits])
    return results


def run_answers(questions: Sequence[Question], gateway_url: str, timeout: float) -> dict[str, Verdict]:
    titles = load_titles(Path(os.environ.get("KNOWLEDGE_DIR", ROOT / "knowledge")))
    run_id = uuid.uuid4().hex  # evaluate_case makes a fresh sender of it per question
    verdicts: dict[str, Verdict] = {}
    with gateway_url_for_run(gateway_url) as url, open_client(url, timeout) as client:
        for question in questions:
            verdicts[question.id] = evaluate_case(client, question.case(), titles, run_id)
    if verdicts and all(v.error for v in verdicts.values()):
        raise EvaluationError(f"no usable reply from the gateway: {next(iter(verdicts.values())).error}")
    return verdicts


def split_report(
    questions: Sequence[Question],
    retrieval: dict[str, tuple[int | None, list[str]]],
    verdicts: dict[str, Verdict] | None,
) -> dict[str, Any]:
    documents = [q for q in questions if q.kind == "document"]
    report: dict[str, Any] = {
        "questions": {lang: sum(q.lang == lang for q in questions) for lang in LANGUAGES},
        "retrieval": {
            **{
                lang: retrieval_metrics([retrieval[q.id][0] for q in documents if q.lang == lang])
                for lang in LANGUAGES
            },
            "all": retrieval_metrics([retrieval[q.id][0] for q in documents]),
        },
        "retrieval_missed": [
            {"id": q.id, "cites": q.cites, "files": retrieval[q.id][1]}
            for q in documents
            if retrieval[q.id][0] is None
        ],
    }
    if verdicts is None:
        return report
    answered = [q for q in questions if q.id in verdicts]
    passed = {q.id: verdicts[q.id].passed for q in answered}
    # A "documents do not say" reply cites nothing: a quote or a knowledge entry that happens to contain
    # "neuvádějí" or "keine" (the grant reply says which details the documents do not give) has a source.
    said = [
        says_no_answer(fold(verdicts[q.id].reply_text)) and not verdicts[q.id].cited_files for q in answered
    ]
    report["answers"] = {
        **{lang: accuracy([passed[q.id] for q in answered if q.lang == lang]) for lang in LANGUAGES},
        "all": accuracy(list(passed.values())),
        "by_kind": {kind: accuracy([passed[q.id] for q in answered if q.kind == kind]) for kind in KINDS},
        "no_answer": no_answer_scores([q.kind == "no_answer" for q in answered], said),
        "errors": sum(bool(verdicts[q.id].error) for q in answered),
    }
    report["failed"] = [
        {"id": q.id, "reasons": verdicts[q.id].reasons, "reply": verdicts[q.id].reply_text[:300]}
        for q in answered
        if not passed[q.id]
    ]
    return report


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def _accuracy_cell(metrics: dict[str, Any]) -> str:
    return f"{metrics['n']:3d} {metrics['passed']:4d}  {_fmt(metrics['accuracy'])}"


def table(reports: dict[str, dict[str, Any]]) -> list[str]:
    """One column block per split, side by side."""
    rows: list[tuple[str, list[str]]] = [
        ("retrieval (document questions)", ["  n  R@1  R@5  MRR"] * len(reports))
    ]
    for group in (*LANGUAGES, "all"):
        cells = []
        for report in reports.values():
            m = report["retrieval"][group]
            cells.append(f"{m['n']:3d} {_fmt(m['recall@1'])} {_fmt(m[f'recall@{K}'])} {_fmt(m['mrr'])}")
        rows.append((f"  {group}", cells))
    if all("answers" in r for r in reports.values()):
        rows.append(("answer accuracy", ["  n pass   acc"] * len(reports)))
        for label, pick in [
            *((f"  {g}", lambda a, g=g: a[g]) for g in (*LANGUAGES, "all")),
            *((f"  kind {k}", lambda a, k=k: a["by_kind"][k]) for k in KINDS),
        ]:
            cells = [_accuracy_cell(pick(r["answers"])) for r in reports.values()]
            rows.append((label, cells))
        rows.append(("'documents do not say'", ["     P     R"] * len(reports)))
        rows.append(
            (
                "  no-answer replies",
                [
                    f"  {_fmt(na['precision'])}  {_fmt(na['recall'])}"
                    for na in (r["answers"]["no_answer"] for r in reports.values())
                ],
            )
        )
    width = 32
    lines = [f"{'':{width}}" + "".join(f"{split:<22}" for split in reports)]
    lines += [f"{label:{width}}" + "".join(f"{cell:<22}" for cell in cells) for label, cells in rows]
    return [line.rstrip() for line in lines]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.benchmark", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="dev")
    parser.add_argument("--gateway-url", default=os.environ.get("GATEWAY_URL", DEFAULT_GATEWAY_URL))
    parser.add_argument("--index", type=Path, default=None, help="document index (default: DOCUMENT_INDEX)")
    parser.add_argument("--report-dir", type=Path, default=Path("reports/eval"))
    parser.add_argument("--retrieval-only", action="store_true", help="skip the answers through the gateway")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one reply")
    args = parser.parse_args(argv)
    splits = SPLITS if args.split == "all" else (args.split,)
    try:
        questions = [q for q in load_questions() if q.split in splits]
        index_file = resolve_index(args.index)
        retrieval = run_retrieval(questions, index_file)
        verdicts = None if args.retrieval_only else run_answers(questions, args.gateway_url, args.timeout)
        reports = {
            split: split_report([q for q in questions if q.split == split], retrieval, verdicts)
            for split in splits
        }
        report_file = args.report_dir / f"benchmark-{args.split}.json"
        args.report_dir.mkdir(parents=True, exist_ok=True)
        body = {"split": args.split, "index": str(index_file), "k": K, "splits": reports}
        report_file.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except EvaluationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print("\n".join(table(reports)))
    print(f"report: {report_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
