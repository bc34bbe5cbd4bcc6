"""The benchmark's metric arithmetic on hand-made hits and replies: no index, no gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import docsearch
from evaluation import benchmark
from evaluation.benchmark import (
    Question,
    accuracy,
    first_relevant_rank,
    is_relevant,
    no_answer_scores,
    retrieval_metrics,
    split_report,
)
from evaluation.run_eval import Case, Verdict

PLAN = "2030_plan-cyklostezek.txt"


def question(qid: str = "cs-001", kind: str = "document", lang: str = "cs", split: str = "dev") -> Question:
    return Question(
        id=qid,
        lang=lang,
        split=split,
        kind=kind,
        asks_for="amount",
        ask="Kolik stojí stezka?",
        cites=PLAN if kind == "document" else None,
        evidence=("stojí 48 milionů korun",) if kind == "document" else (),
        any=("48",) if kind != "no_answer" else (),
    )


@dataclass
class FakeHit:
    text: str
    file: str
    section: str = "2. Financování"
    score: float = 0.5


def test_a_hit_is_relevant_only_from_the_cited_file_with_an_evidence_span() -> None:
    q = question()
    assert is_relevant(PLAN, "Stezka CZ–DE STOJÍ 48\u00a0MILIONŮ  korun.", q)
    assert not is_relevant("other.txt", "stojí 48 milionů korun", q)
    assert not is_relevant(PLAN, "stezka je dlouhá 12 km", q)
    assert not is_relevant(PLAN, "stojí 48 milionů korun", question(kind="no_answer"))


def test_rank_of_the_first_relevant_hit_within_k() -> None:
    assert first_relevant_rank([False, True, True]) == 2
    assert first_relevant_rank([True]) == 1
    assert first_relevant_rank([False] * 5) is None
    assert first_relevant_rank([False] * 5 + [True]) is None  # beyond k=5
    assert first_relevant_rank([False, False, True], k=2) is None


def test_recall_at_k_and_mrr() -> None:
    metrics = retrieval_metrics([1, 2, None, 5])
    assert metrics == {"n": 4, "recall@1": 0.25, "recall@5": 0.75, "mrr": round((1 + 0.5 + 0.2) / 4, 3)}
    assert retrieval_metrics([]) == {"n": 0, "recall@1": None, "recall@5": None, "mrr": None}
    assert retrieval_metrics([3], k=2)["recall@2"] == 0.0


def test_no_answer_precision_and_recall() -> None:
    expected = [True, True, True, False, False]
    said = [True, False, True, True, False]
    scores = no_answer_scores(expected, said)
    assert scores["precision"] == round(2 / 3, 3) and scores["recall"] == round(2 / 3, 3)
    assert no_answer_scores([False], [False]) == {
        "no_answer_replies": 0,
        "no_answer_questions": 0,
        "precision": None,
        "recall": None,
    }


def test_accuracy() -> None:
    assert accuracy([True, False, True, True]) == {"n": 4, "passed": 3, "accuracy": 0.75}
    assert accuracy([])["accuracy"] is None


def test_split_report_counts_per_language_kind_and_lists_failures() -> None:
    questions = [question("cs-001"), question("de-001", lang="de"), question("cs-002", kind="no_answer")]
    retrieval = {"cs-001": (1, [PLAN]), "de-001": (None, ["other.txt"])}

    def verdict(q: Question, passed: bool, reply: str) -> Verdict:
        return Verdict(
            Case(id=q.id, lang=q.lang, ask=q.ask), passed, [] if passed else ["x"], reply_text=reply
        )

    verdicts = {
        "cs-001": verdict(questions[0], True, "Stojí 48 milionů korun."),
        "de-001": verdict(questions[1], False, "Leider weiß ich das nicht. " * 30),
        "cs-002": verdict(questions[2], True, "Bohužel, dokumenty to neuvádějí."),
    }
    report = split_report(questions, retrieval, verdicts)
    assert report["retrieval"]["cs"]["recall@1"] == 1.0 and report["retrieval"]["de"]["recall@5"] == 0.0
    assert report["retrieval"]["all"]["mrr"] == 0.5
    assert report["retrieval_missed"] == [{"id": "de-001", "cites": PLAN, "files": ["other.txt"]}]
    answers = report["answers"]
    assert answers["all"] == {"n": 3, "passed": 2, "accuracy": 0.667}
    assert answers["by_kind"]["no_answer"]["accuracy"] == 1.0
    assert answers["no_answer"]["precision"] == 0.5 and answers["no_answer"]["recall"] == 1.0
    assert [f["id"] for f in report["failed"]] == ["de-001"] and len(report["failed"][0]["reply"]) == 300


def test_retrieval_only_run_on_a_fake_index_writes_the_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    questions = [question("cs-001"), question("cs-002", split="test"), question("cs-003", kind="no_answer")]

    class FakeIndex:
        @classmethod
        def open(cls, path: Path, create: bool = True) -> FakeIndex:
            assert create is False
            return cls()

        def search(self, query: str, lang: str | None = None, k: int = 5) -> list[FakeHit]:
            return [FakeHit("nic", "other.txt"), FakeHit("stezka stojí 48 milionů korun", PLAN)][:k]

    monkeypatch.setattr(docsearch, "DocumentIndex", FakeIndex)
    monkeypatch.setattr(benchmark, "load_questions", lambda: questions)
    code = benchmark.main(
        ["--split", "all", "--retrieval-only", "--index", "x.sqlite", "--report-dir", str(tmp_path)]
    )
    assert code == 0
    body = json.loads((tmp_path / "benchmark-all.json").read_text(encoding="utf-8"))
    assert set(body["splits"]) == {"dev", "test"}
    assert body["splits"]["dev"]["retrieval"]["all"] == {"n": 1, "recall@1": 0.0, "recall@5": 1.0, "mrr": 0.5}
    assert "answers" not in body["splits"]["test"]


def test_a_missing_index_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = benchmark.main(
        ["--retrieval-only", "--index", str(tmp_path / "none.sqlite"), "--report-dir", str(tmp_path)]
    )
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err


def test_a_fact_stated_only_in_the_section_heading_counts() -> None:
    q = question()
    assert is_relevant(PLAN, "Financování z rozpočtu.", q, hit_section="Stezka stojí 48 milionů korun")
    assert not is_relevant(PLAN, "Financování z rozpočtu.", q, hit_section="2. Financování")


def test_answers_go_through_the_chat_api_and_are_scored_as_run_eval_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    questions = [
        question("cs-001"),
        question("cs-002", kind="no_answer"),
        question("cs-003", kind="knowledge"),
    ]
    senders: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/documents/search":
            return httpx.Response(200, json={"results": [{"file": PLAN}], "answered": True})
        body = json.loads(request.content)
        senders.append(body.get("sender"))
        assert body["lang"] == "cs"
        source = {"title": "Plán", "file": PLAN, "section": "", "date": "", "url": ""}
        text = "Stezka stojí 48 milionů korun." if body["message"] else ""
        return httpx.Response(200, json={"lang": "cs", "messages": [{"text": text, "sources": [source]}]})

    @contextmanager
    def same_url(url: str) -> Iterator[str]:
        yield url

    monkeypatch.setattr(benchmark, "gateway_url_for_run", same_url)
    monkeypatch.setattr(
        benchmark,
        "open_client",
        lambda url, timeout: httpx.Client(base_url=url, transport=httpx.MockTransport(handler)),
    )
    verdicts = benchmark.run_answers(questions, "http://gateway.test", 5.0)
    assert senders == [None] * 3  # a new conversation per question: no sender, the server issues one
    assert verdicts["cs-001"].passed and verdicts["cs-003"].passed
    assert not verdicts["cs-002"].passed  # no "no answer" marker, and it states a figure
