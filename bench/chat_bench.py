"""Chat benchmark: the whole assistant through `POST /api/chat` on loopback.

    python -m bench.chat_bench [--gateway-url URL] [--clients 16] [--messages 240] [--no-write]

- documents: every document question of evaluation/benchmark (both splits: this measures time, nothing is
  tuned on it) asked one at a time as a new conversation; reply p50/p95. The issue's target: p50 < 300 ms.
- mixed: `--clients` concurrent clients send `--messages` messages in all, drawn in a fixed order from the
  benchmark's document, knowledge and no-answer questions plus greetings; each client keeps its conversation
  for a few messages and then starts a new one (new and returning senders). Messages/s, p50/p95, errors.

When nothing answers at --gateway-url the whole stack is started on free loopback ports for the run
(evaluation.run_eval.gateway_url_for_run) and stopped afterwards. Every loop is bounded in count and time.
Writes (merges) the `chat` section of bench/results.json with the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from typing import Any

import httpx

from bench.results import merge_results
from evaluation.benchmark import load_questions
from evaluation.run_eval import DEFAULT_GATEWAY_URL, EvaluationError, gateway_url_for_run

GREETINGS = (
    ("cs", "Dobrý den"), ("de", "Guten Morgen"), ("pl", "Dzień dobry"), ("cs", "Děkuji, nashledanou"),
)  # fmt: skip
MESSAGES_PER_CONVERSATION = 4
REQUEST_TIMEOUT_S = 60.0
RUN_LIMIT_S = 600.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))] if ordered else 0.0


def _summary(latencies_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(latencies_ms), 1) if latencies_ms else 0.0,
        "p95_ms": round(percentile(latencies_ms, 0.95), 1),
        "max_ms": round(max(latencies_ms), 1) if latencies_ms else 0.0,
    }


def document_questions() -> list[tuple[str, str]]:
    return [(q.lang, q.ask) for q in load_questions() if q.kind == "document"]


def mixed_messages(count: int) -> list[tuple[str, str]]:
    pool = [(q.lang, q.ask) for q in load_questions()]
    mixed: list[tuple[str, str]] = []
    for i in range(count):
        # Every fifth message a greeting or goodbye, the rest questions of every kind, in a fixed order.
        mixed.append(GREETINGS[i % len(GREETINGS)] if i % 5 == 0 else pool[(i * 7) % len(pool)])
    return mixed


def run_documents(client: httpx.Client, questions: list[tuple[str, str]]) -> dict[str, Any]:
    for lang, text in questions[:3]:  # warm-up: models loaded, caches filled as in a running service
        client.post("/api/chat", json={"message": text, "lang": lang})  # no sender: a new conversation
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + RUN_LIMIT_S
    for lang, text in questions:
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        response = client.post("/api/chat", json={"message": text, "lang": lang})
        latencies.append((time.perf_counter() - started) * 1000)
        errors += response.status_code != 200
    return {"questions": len(latencies), "errors": errors, **_summary(latencies)}


async def run_mixed(url: str, clients: int, messages: list[tuple[str, str]]) -> dict[str, Any]:
    queue: asyncio.Queue[tuple[int, str, str]] = asyncio.Queue()
    for number, (lang, text) in enumerate(messages):
        queue.put_nowait((number, lang, text))
    latencies: list[float] = []
    errors: list[str] = []

    async def client_loop(client: httpx.AsyncClient, name: int) -> None:
        # The server names conversations: a new resident sends no sender, a returning one the reply's.
        sender: str | None = None
        sent = 0
        while not queue.empty():
            _, lang, text = queue.get_nowait()
            if sent and sent % MESSAGES_PER_CONVERSATION == 0:
                sender = None  # a new resident
            started = time.perf_counter()
            try:
                body = {"message": text, "lang": lang} | ({"sender": sender} if sender else {})
                response = await client.post("/api/chat", json=body)
                if response.status_code != 200:
                    errors.append(f"HTTP {response.status_code}")
                else:
                    sender = response.json().get("sender") or sender
            except httpx.HTTPError as error:
                errors.append(type(error).__name__)
            latencies.append((time.perf_counter() - started) * 1000)
            sent += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(client_loop(client, n) for n in range(clients))), timeout=RUN_LIMIT_S
        )
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "messages": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "messages_per_s": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        **_summary(latencies),
    }


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "load_1min_before": round(os.getloadavg()[0], 2),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--gateway-url", default=os.environ.get("GATEWAY_URL", DEFAULT_GATEWAY_URL))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--messages", type=int, default=240)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 64 and 1 <= args.messages <= 2000):
        print("error: --clients must be 1-64 and --messages 1-2000", file=sys.stderr)
        return 2
    section: dict[str, Any] = {"machine": machine()}
    try:
        with gateway_url_for_run(args.gateway_url) as url:
            with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as client:
                section["documents"] = run_documents(client, document_questions())
            print(f"documents: {section['documents']}", file=sys.stderr, flush=True)
            section["mixed"] = asyncio.run(run_mixed(url, args.clients, mixed_messages(args.messages)))
            print(f"mixed: {section['mixed']}", file=sys.stderr, flush=True)
    except (EvaluationError, httpx.HTTPError, TimeoutError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    section["machine"]["load_1min_after"] = round(os.getloadavg()[0], 2)
    if not args.no_write:
        merge_results(section, "chat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
