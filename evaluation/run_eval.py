"""Score the assistant on a questions file (../shared/eval/questions.yml) through a running gateway.

    python -m evaluation.run_eval --questions ../shared/eval/questions.yml [--gateway-url URL] [--report FILE]

Every case is a new conversation: `POST /api/chat` with the case's question and language. A case passes when
the reply (the text of every message plus the titles of the sources it cites, case and diacritics folded)
contains every string of `all`, one of `any`, cites the file of `cites` (by file name or by a title the
project gives it in knowledge/documents.yml), and, for `expect: no_answer`, says plainly that the documents do
not answer and states no amount. For document cases, retrieval is also measured on
`GET /api/documents/search`: hit@1 and hit@3 (the cited file first / among the first three).

When nothing answers at --gateway-url, the whole stack is started on free ports for the run (deploy.stack) and
stopped afterwards. The exit status is 0 whatever the score; 1 when the run itself fails (no gateway, a bad
questions file, server errors).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

import textkit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GATEWAY_URL = "http://127.0.0.1:8000"
LANGUAGES = ("cs", "de", "pl")

# Folded phrases by which a reply says that it has no answer (cs, de, pl). A no-answer case needs one of them.
NO_ANSWER_MARKERS = (
    "nevim", "nenasel", "nenasla", "nenaslo", "nenajdu", "nemam", "neuvadi", "neuvadeji", "neobsahuj",
    "neodpovid", "nedokazu", "bohuzel", "zadne informace", "zadnou informaci",
    "leider", "keine", "nicht beantwort", "nicht gefunden", "weiss ich nicht", "weiß ich nicht",
    "niestety", "nie wiem", "nie znalaz", "nie zawier", "nie odpowiad", "brak informacji",
)  # fmt: skip
# An amount: what a no-answer reply must not invent (a phone number of where to ask is fine).
FIGURE = re.compile(r"\d[\d .,]*\s?(?:kc|korun|czk|eur|€|%|procent|mil|tis|zl|zlotych)\b")


class EvaluationError(Exception):
    """The evaluation cannot run: a bad questions file, no gateway, a server error. The message says which."""


def fold(text: str) -> str:
    """Lower case, no diacritics, one kind of dash, single spaces: how replies and expectations compare."""
    return textkit.fold(text, collapse_whitespace=True)


def says_no_answer(folded_text: str) -> bool:
    """Whether a folded reply says that it has no answer (one of NO_ANSWER_MARKERS)."""
    return any(marker in folded_text for marker in NO_ANSWER_MARKERS)


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    ask: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    cites: str | None = None
    expect: str | None = None

    @property
    def is_document_case(self) -> bool:
        """A question about the documents: it names the file that answers, or expects "no answer"."""
        return bool(self.cites) or self.expect == "no_answer"


@dataclass
class Verdict:
    case: Case
    passed: bool
    reasons: list[str]
    reply_text: str = ""
    cited_files: list[str] = field(default_factory=list)
    search_files: list[str] | None = None  # /api/documents/search, document cases only
    search_answered: bool | None = None
    error: str | None = None

    @property
    def hit_at_1(self) -> bool | None:
        if not self.case.cites or self.search_files is None:
            return None
        return self.search_files[:1] == [self.case.cites]

    @property
    def hit_at_3(self) -> bool | None:
        if not self.case.cites or self.search_files is None:
            return None
        return self.case.cites in self.search_files[:3]


def _strings(entry: dict[str, Any], key: str, case_id: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str | int | float) for item in value):
        raise EvaluationError(f"case {case_id}: `{key}` must be a list of strings")
    return tuple(str(item) for item in value)


def load_cases(path: Path) -> list[Case]:
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise EvaluationError(f"cannot read {path}: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise EvaluationError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(entries, list) or not entries:
        raise EvaluationError(f"{path}: expected a non-empty list of cases")
    cases: list[Case] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("ask"), str) or not entry["ask"].strip():
            raise EvaluationError(f"{path}: case {number} has no `ask` question")
        case_id = str(entry.get("id") or f"case{number}")
        lang = str(entry.get("lang") or "cs")
        if lang not in LANGUAGES:
            raise EvaluationError(f"case {case_id}: unknown lang {lang!r} (cs, de, pl)")
        cases.append(
            Case(
                id=case_id,
                lang=lang,
                ask=entry["ask"],
                all=_strings(entry, "all", case_id),
                any=_strings(entry, "any", case_id),
                cites=entry.get("cites") or None,
                expect=entry.get("expect"),
            )
        )
    return cases


def load_titles(knowledge_dir: Path) -> dict[str, set[str]]:
    """Folded titles the project gives each corpus file (knowledge/documents.yml), by file name."""
    path = knowledge_dir / "documents.yml"
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError):
        return {}
    titles: dict[str, set[str]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("file"), str)
            and isinstance(entry.get("title"), dict)
        ):
            titles[entry["file"]] = {fold(str(title)) for title in entry["title"].values()}
    return titles


def score_reply(case: Case, reply: dict[str, Any], titles: dict[str, set[str]]) -> Verdict:
    """Judge one chat reply by what a right answer contains (see the module docstring)."""
    messages = reply.get("messages") or []
    texts = [str(message.get("text") or "") for message in messages]
    sources = [source for message in messages for source in (message.get("sources") or [])]
    source_titles = [str(source.get("title") or "") for source in sources]
    haystack = fold("\n".join(texts + source_titles))
    reasons: list[str] = []
    missing = [needle for needle in case.all if fold(needle) not in haystack]
    if missing:
        reasons.append(f"missing {missing}")
    if case.any and not any(fold(needle) in haystack for needle in case.any):
        reasons.append(f"none of {list(case.any)}")
    cited_files = [str(source.get("file") or "") for source in sources]
    if case.cites:
        wanted_titles = titles.get(case.cites, set())
        cited = case.cites in cited_files or any(
            fold(title) in wanted_titles for title in source_titles if title
        )
        if not cited:
            reasons.append(f"does not cite {case.cites} (cited {sorted(set(cited_files)) or 'nothing'})")
    if case.expect == "no_answer":
        if not says_no_answer(haystack):
            reasons.append("does not say that the documents do not answer")
        question_figures = set(FIGURE.findall(fold(case.ask)))
        invented = [
            match.group(0) for match in FIGURE.finditer(haystack) if match.group(0) not in question_figures
        ]
        if invented:
            reasons.append(f"states a figure {invented[:3]}")
    if not texts or not any(text.strip() for text in texts):
        reasons.append("empty reply")
    return Verdict(
        case, not reasons, reasons, reply_text=" / ".join(t for t in texts if t), cited_files=cited_files
    )


def evaluate_case(client: httpx.Client, case: Case, titles: dict[str, set[str]], run_id: str) -> Verdict:
    try:
        # No sender: every case is a new conversation, named by the gateway (run_id names none now).
        response = client.post("/api/chat", json={"message": case.ask, "lang": case.lang})
    except httpx.HTTPError as error:
        return Verdict(case, False, [f"chat request failed: {error}"], error=str(error))
    if response.status_code != 200:
        reason = f"chat answered HTTP {response.status_code}: {response.text[:200]}"
        return Verdict(case, False, [reason], error=reason)
    try:
        verdict = score_reply(case, response.json(), titles)
    except (ValueError, AttributeError, TypeError) as error:
        reason = f"chat reply is not the documented JSON: {error}"
        return Verdict(case, False, [reason], error=reason)
    if case.is_document_case:
        try:
            search = client.get("/api/documents/search", params={"q": case.ask, "lang": case.lang, "k": 3})
            if search.status_code == 200:
                body = search.json()
                verdict.search_files = [str(hit.get("file") or "") for hit in body.get("results") or []]
                verdict.search_answered = bool(body.get("answered"))
            else:
                verdict.reasons.append(f"(document search answered HTTP {search.status_code})")
        except (httpx.HTTPError, ValueError) as error:
            verdict.reasons.append(f"(document search failed: {error})")
    return verdict


@dataclass
class Summary:
    verdicts: list[Verdict]

    def _share(self, verdicts: list[Verdict]) -> float:
        return 100.0 * sum(v.passed for v in verdicts) / len(verdicts) if verdicts else 0.0

    @property
    def document_verdicts(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.case.is_document_case]

    @property
    def errors(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.error]

    def hit_rate(self, k: int) -> float | None:
        hits = [v.hit_at_1 if k == 1 else v.hit_at_3 for v in self.verdicts]
        measured = [hit for hit in hits if hit is not None]
        return sum(measured) / len(measured) if measured else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_percent": round(self._share(self.verdicts), 1),
            "document_percent": round(self._share(self.document_verdicts), 1),
            "hit@1": self.hit_rate(1),
            "hit@3": self.hit_rate(3),
            "cases": [
                {
                    **asdict(v.case),
                    "passed": v.passed,
                    "reasons": v.reasons,
                    "reply": v.reply_text,
                    "cited_files": v.cited_files,
                    "search_files": v.search_files,
                    "search_answered": v.search_answered,
                    "error": v.error,
                }
                for v in self.verdicts
            ],
        }

    def lines(self) -> list[str]:
        output: list[str] = []
        for v in self.verdicts:
            kind = "doc" if v.case.is_document_case else "   "
            mark = "PASS" if v.passed else "FAIL"
            retrieval = ""
            if v.hit_at_3 is not None:
                retrieval = f" [hit@1 {'yes' if v.hit_at_1 else 'no'}, hit@3 {'yes' if v.hit_at_3 else 'no'}]"
            elif v.case.expect == "no_answer" and v.search_answered is not None:
                retrieval = f" [search says {'answered' if v.search_answered else 'no answer'}]"
            why = "; ".join(v.reasons) if v.reasons else "ok"
            output.append(f"{v.case.id:>6} {mark} {kind} {v.case.lang} {why}{retrieval}")
            if not v.passed and v.reply_text:
                output.append(f"{'':>12}reply: {v.reply_text[:240]}")
        documents = self.document_verdicts
        output.append(
            f"total: {sum(v.passed for v in self.verdicts)}/{len(self.verdicts)} "
            f"= {self._share(self.verdicts):.1f}%"
        )
        output.append(
            f"document cases: {sum(v.passed for v in documents)}/{len(documents)} "
            f"= {self._share(documents):.1f}%"
        )
        hit1, hit3 = self.hit_rate(1), self.hit_rate(3)
        if hit1 is not None and hit3 is not None:
            output.append(f"retrieval (/api/documents/search): hit@1 {hit1:.2f}, hit@3 {hit3:.2f}")
        return output


def run_cases(client: httpx.Client, cases: list[Case], titles: dict[str, set[str]]) -> Summary:
    run_id = uuid.uuid4().hex[:8]
    return Summary([evaluate_case(client, case, titles, run_id) for case in cases])


def open_client(url: str, timeout: float) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=timeout)


def gateway_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=3.0).status_code < 500
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gateway_url_for_run(url: str) -> Iterator[str]:
    """`url` when a gateway answers there; otherwise a stack of our own on free ports, stopped afterwards.
    Its conversations and handovers go to a temporary folder, so the run leaves no trace in var/."""
    if gateway_answers(url):
        yield url
        return
    from deploy.stack import Stack, StackError

    print(f"no gateway at {url}: starting the stack on free ports ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="eval-stack-") as data_dir:
        environment = {
            "RASA_PORT": str(_free_port()),
            "ACTIONS_PORT": str(_free_port()),
            "TRANSLATION_PORT": str(_free_port()),
            "GATEWAY_PORT": str(_free_port()),
            "RUN_DIR": f"{data_dir}/run",
            "HANDOVER_DB": f"{data_dir}/handovers.sqlite",
            "ROOMS_DB": f"{data_dir}/rooms.sqlite",
            "RASA_TRACKER_DB": f"{data_dir}/rasa-tracker.sqlite",
        }
        stack = Stack(env=environment)
        started = time.monotonic()
        try:
            stack.start()
        except StackError as error:
            stack.stop()
            raise EvaluationError(f"could not start the stack: {error}") from error
        print(f"stack ready in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        try:
            yield stack.env["GATEWAY_URL"]
        finally:
            stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.run_eval", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--questions", type=Path, required=True, help="the questions file (YAML list of cases)"
    )
    parser.add_argument("--gateway-url", default=os.environ.get("GATEWAY_URL", DEFAULT_GATEWAY_URL))
    parser.add_argument("--report", type=Path, default=None, help="also write the results as JSON here")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one reply")
    args = parser.parse_args(argv)
    try:
        cases = load_cases(args.questions)
        titles = load_titles(Path(os.environ.get("KNOWLEDGE_DIR", ROOT / "knowledge")))
        with gateway_url_for_run(args.gateway_url) as url, open_client(url, args.timeout) as client:
            summary = run_cases(client, cases, titles)
    except EvaluationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print("\n".join(summary.lines()))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(
            json.dumps(summary.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if summary.errors:
        print(f"error: {len(summary.errors)} case(s) got no usable reply from the gateway", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
