"""Chat conversations under load through a balancer, checked against Rasa's stored trackers (issue 12).

`run_conversations` keeps `clients` conversations going at once, each `turns` messages long; a turn that
fails (a replica died under it) is sent again, at most RETRIES times, with the same sender. `lost_turns` then
reads every conversation's tracker from Rasa (any replica: the tracker store is shared) and lists the turns
that were answered but are not stored. Bounded: every request has a timeout and the whole run a deadline.
Used by tests/integration/test_scaled.py and bench/scaled_bench.py.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

# One conversation's messages: a greeting, a question that asks back, its answer, and a document question.
SCRIPTS = (
    ("cs", ("Dobrý den", "Jaké dotace jsou pro obce?", "Na opravu památky", "Kdo schvaluje koncepci?")),
    ("de", ("Guten Tag", "Welche Förderungen gibt es für Gemeinden?", "Für die Feuerwehr", "Danke, tschüss")),
    ("pl", ("Dzień dobry", "Jakie są dotacje dla gmin?", "Na drogi", "Dziękuję")),
)  # fmt: skip
RETRIES = 5
REQUEST_TIMEOUT_S = 60.0


@dataclass
class Conversation:
    lang: str
    texts: list[str]
    sender: str | None = None
    answered: list[str] = field(default_factory=list)  # texts whose turn got a 200
    failures: int = 0  # failed attempts (each retried)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))] if ordered else 0.0


async def _converse(
    http: httpx.AsyncClient,
    conversation: Conversation,
    latencies: list[float],
    deadline: float,
    halfway: asyncio.Event,
    turns: int,
) -> None:
    for text in conversation.texts:
        for _attempt in range(RETRIES + 1):
            if time.monotonic() > deadline:
                return
            body = {"message": text, "lang": conversation.lang}
            if conversation.sender:
                body["sender"] = conversation.sender
            started = time.perf_counter()
            try:
                response = await http.post("/api/chat", json=body)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 200:
                latencies.append((time.perf_counter() - started) * 1000)
                conversation.sender = response.json()["sender"]
                conversation.answered.append(text)
                if len(latencies) * 2 >= turns:
                    halfway.set()
                break
            conversation.failures += 1
            await asyncio.sleep(0.5)
        else:
            return  # this conversation gave up; counted as unanswered


async def run_conversations(
    gateway_url: str,
    clients: int,
    turns: int,
    time_limit_s: float = 300.0,
    halfway: asyncio.Event | None = None,
) -> tuple[list[Conversation], dict[str, Any]]:
    """`clients` conversations of `turns` messages each (the script repeated); `halfway` is set once half
    of all turns are answered (a test kills replicas then)."""
    conversations = [
        Conversation(lang, [texts[turn % len(texts)] for turn in range(turns)])
        for lang, texts in (SCRIPTS[number % len(SCRIPTS)] for number in range(clients))
    ]
    halfway = halfway or asyncio.Event()
    latencies: list[float] = []
    deadline = time.monotonic() + time_limit_s
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=REQUEST_TIMEOUT_S, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _converse(http, conversation, latencies, deadline, halfway, clients * turns)
                for conversation in conversations
            )
        )
        elapsed = time.perf_counter() - started
    figures = {
        "conversations": clients,
        "turns": sum(len(conversation.texts) for conversation in conversations),
        "answered": len(latencies),
        "unanswered": sum(len(c.texts) - len(c.answered) for c in conversations),
        "failed_attempts": sum(conversation.failures for conversation in conversations),
        "messages_per_s": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "wall_s": round(elapsed, 1),
    }
    return conversations, figures


async def stored_user_texts(rasa_url: str, token: str, sender: str) -> list[str]:
    async with httpx.AsyncClient(base_url=rasa_url, timeout=REQUEST_TIMEOUT_S) as http:
        response = await http.get(
            f"/conversations/{quote(sender, safe='')}/tracker",
            params={"token": token, "include_events": "ALL"},
        )
        response.raise_for_status()
    return [event.get("text") or "" for event in response.json()["events"] if event.get("event") == "user"]


async def lost_turns(rasa_url: str, token: str, conversations: list[Conversation]) -> list[tuple[str, str]]:
    """(sender, text) of every answered turn that the conversation's stored tracker does not hold."""
    lost: list[tuple[str, str]] = []
    for conversation in conversations:
        if conversation.sender is None:
            continue
        missing = Counter(conversation.answered) - Counter(
            await stored_user_texts(rasa_url, token, conversation.sender)
        )
        lost += [(conversation.sender, text) for text in missing.elements()]
    return lost
