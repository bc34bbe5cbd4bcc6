"""The evaluation runner's scoring, against a fake gateway on httpx.MockTransport."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from evaluation import run_eval
from evaluation.run_eval import Case, EvaluationError, fold, load_cases, run_cases, score_reply

PLAN = "2030_plan-cyklostezek.txt"
TITLES = {PLAN: {fold("Plán cyklostezek 2030"), fold("Radwegeplan 2030")}}


def reply(text: str, sources: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"lang": "cs", "messages": [{"text": text, "buttons": [], "sources": sources or []}]}


def source(file: str = PLAN, title: str = "Plán cyklostezek 2030") -> dict[str, str]:
    return {"title": title, "file": file, "section": "2. Financování", "date": "2030-01-01", "url": ""}


def test_expected_strings_match_without_case_diacritics_or_dash_differences() -> None:
    case = Case(id="c1", lang="cs", ask="Kolik stojí stezka?", all=("milionu korun", "cz-de"), any=("NISY",))
    verdict = score_reply(case, reply("Stezka CZ–DE u Nisy stojí 48 MILIONŮ\u00a0KORUN."), TITLES)
    assert verdict.passed, verdict.reasons


def test_missing_strings_fail_with_the_reason() -> None:
    case = Case(id="c2", lang="cs", ask="?", all=("zrychlit", "usetrit"), any=("a", "b"))
    verdict = score_reply(case, reply("Cílem je zrychlit."), TITLES)
    assert not verdict.passed
    assert "missing ['usetrit']" in verdict.reasons[0] and "none of ['a', 'b']" in verdict.reasons[1]


def test_citation_by_file_name_or_by_a_title_the_project_gives_the_file() -> None:
    case = Case(id="c3", lang="de", ask="Radwege?", cites=PLAN)
    assert score_reply(case, reply("Ja.", [source()]), TITLES).passed
    assert score_reply(case, reply("Ja.", [source(file="", title="Radwegeplan 2030")]), TITLES).passed
    wrong = score_reply(case, reply("Ja.", [source(file="other.txt", title="Jiný plán")]), TITLES)
    assert not wrong.passed and "does not cite" in wrong.reasons[0]
    assert not score_reply(case, reply("Ja."), TITLES).passed


def test_source_titles_count_as_reply_text() -> None:
    case = Case(id="c4", lang="cs", ask="Kdy?", any=("2030",))
    assert score_reply(case, reply("Plán platí od ledna.", [source()]), TITLES).passed


def test_no_answer_needs_a_plain_statement_and_no_invented_figure() -> None:
    case = Case(id="c5", lang="cs", ask="Kolik stálo zpracování plánu?", expect="no_answer")
    plain = reply("Bohužel, dokumenty to neuvádějí. Zeptejte se na tel. 485 226 111.")
    assert score_reply(case, plain, TITLES).passed
    invented = score_reply(case, reply("Bohužel nevím přesně, asi 2 mil. Kč."), TITLES)
    assert not invented.passed and "states a figure" in invented.reasons[0]
    answered = score_reply(case, reply("Plán zpracovala agentura.", [source()]), TITLES)
    assert not answered.passed and "does not say" in answered.reasons[0]
    german = Case(id="c6", lang="de", ask="Was kostet es?", expect="no_answer")
    assert score_reply(german, reply("Leider steht das nicht in den Dokumenten."), TITLES).passed


def fake_gateway(
    chat: Callable[[dict[str, Any]], httpx.Response], search_files: dict[str, list[str]]
) -> tuple[httpx.Client, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/chat":
            body = json.loads(request.content)
            seen.append(body)
            return chat(body)
        if request.url.path == "/api/documents/search":
            files = search_files.get(request.url.params["q"], [])
            return httpx.Response(
                200,
                json={
                    "query": request.url.params["q"],
                    "answered": bool(files),
                    "results": [{"file": file, "text": "", "score": 0.1} for file in files],
                },
            )
        return httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://gateway"), seen


def test_a_run_scores_each_case_measures_retrieval_and_uses_new_conversations() -> None:
    cases = [
        Case(id="d1", lang="cs", ask="Kolik stojí stezka?", any=("48",), cites=PLAN),
        Case(id="d2", lang="pl", ask="Ile kosztuje bilet?", expect="no_answer"),
        Case(id="d3", lang="cs", ask="Kdy začne stavba?", any=("2031",), cites=PLAN),
        Case(id="g1", lang="cs", ask="Dobrý den", any=("dobry den",)),
    ]
    answers = {
        "Kolik stojí stezka?": reply("Stezka stojí 48 milionů.", [source()]),
        "Ile kosztuje bilet?": reply("Niestety, dokumenty tego nie podają."),
        "Kdy začne stavba?": reply("Stavba začne v roce 2030.", [source()]),
        "Dobrý den": reply("Dobrý den, s čím pomohu?"),
    }
    client, seen = fake_gateway(
        lambda body: httpx.Response(200, json=answers[body["message"]]),
        {"Kolik stojí stezka?": [PLAN, "x.txt"], "Kdy začne stavba?": ["x.txt", "y.txt", PLAN]},
    )
    summary = run_cases(client, cases, TITLES)
    assert [v.passed for v in summary.verdicts] == [True, True, False, True]
    assert [body["lang"] for body in seen] == ["cs", "pl", "cs", "cs"]
    assert all("sender" not in body for body in seen)  # each case a new conversation, id issued by the server
    assert summary.hit_rate(1) == 0.5 and summary.hit_rate(3) == 1.0
    data = summary.as_dict()
    assert data["total_percent"] == 75.0 and data["document_percent"] == pytest.approx(66.7)
    lines = "\n".join(summary.lines())
    assert "d3 FAIL doc cs none of ['2031']" in lines and "hit@1 0.50, hit@3 1.00" in lines
    assert "document cases: 2/3" in lines
    assert summary.errors == []


def test_server_errors_are_errors_not_failed_answers() -> None:
    client, _ = fake_gateway(lambda body: httpx.Response(503, json={"detail": "Rasa is down"}), {})
    summary = run_cases(client, [Case(id="e1", lang="cs", ask="Ahoj", any=("ahoj",))], TITLES)
    assert summary.errors and "HTTP 503" in summary.verdicts[0].reasons[0]


def test_main_exits_0_on_a_low_score_and_1_on_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.yml"
    questions.write_text("- {id: q1, lang: cs, ask: Ahoj, any: [nikdy]}\n", encoding="utf-8")
    client, _ = fake_gateway(lambda body: httpx.Response(200, json=reply("Dobrý den.")), {})
    monkeypatch.setattr(run_eval, "gateway_answers", lambda url: True)
    monkeypatch.setattr(run_eval, "open_client", lambda url, timeout: client)
    report = tmp_path / "report.json"
    assert run_eval.main(["--questions", str(questions), "--report", str(report)]) == 0
    assert "q1 FAIL" in capsys.readouterr().out
    assert json.loads(report.read_text(encoding="utf-8"))["total_percent"] == 0.0

    failing, _ = fake_gateway(lambda body: httpx.Response(500), {})
    monkeypatch.setattr(run_eval, "open_client", lambda url, timeout: failing)
    assert run_eval.main(["--questions", str(questions)]) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- {id: x, lang: cs}\n", "has no `ask`"),
        ("- {id: x, lang: en, ask: Hi}\n", "unknown lang 'en'"),
        ("- {id: x, ask: Hi, any: nope}\n", "must be a list"),
        ("a: [unclosed\n", "not valid YAML"),
        ("{}\n", "non-empty list"),
    ],
)
def test_bad_questions_files_get_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "questions.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvaluationError, match=message):
        load_cases(path)


def test_the_shared_questions_file_loads(tmp_path: Path) -> None:
    shared = Path(os.environ.get("SHARED_DIR", run_eval.ROOT.parent / "shared")) / "eval" / "questions.yml"
    if not shared.is_file():
        pytest.skip(f"no {shared}")
    cases = load_cases(shared)
    assert len(cases) >= 10 and any(case.expect == "no_answer" for case in cases)
    assert any(case.cites for case in cases) and {case.lang for case in cases} <= {"cs", "de", "pl"}
