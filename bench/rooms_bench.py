"""Room soak: many WebSocket clients in one room, each sending messages and reading everyone's (issue 11).

    python -m bench.rooms_bench [--clients 50] [--messages 20] [--drop-every 0] [--interval 0]

Starts the real gateway (uvicorn, its default WebSocket keepalive) and a fake translation service on free
loopback ports, creates one room, and joins the clients in all three languages. Each client then sends its
messages one after the other, waiting for the ack of each (the page's own pace, as fast as the gateway
allows). Reported: messages lost (acknowledged or sent but not stored), duplicated (stored twice), deliveries
missing or doubled (every client must read every message once), reconnects, delivery latency (send to
arrival at each reader, translated) and ack latency. Merges the `rooms` section of bench/results.json.

`--drop-every N` makes each client cut its TCP connection right after every Nth send, before the ack, then
reconnect and resend what was not acknowledged (the page's behaviour): retries must not duplicate anything.

`--interval S` paces each client (S seconds between its messages). The burst is over in seconds, before
uvicorn's first keepalive ping (every 20 s, 20 s to answer); `--interval 3` keeps 50 sockets busy for a
minute, through three rounds of pings. The burst is recorded as `rooms.burst`, a paced run as `rooms.paced`.

`run_soak` is also what tests/app/rooms/test_rooms_soak.py runs at a CI size.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.results import RESULTS_PATH, merge_results

REPO_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("cs", "de", "pl")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


@dataclass
class _Shared:
    ws_url: str
    total: int  # messages the room must end up with
    sent_at: dict[str, float] = field(default_factory=dict)  # message text -> first send (monotonic)
    delivery_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    everyone_joined: asyncio.Event = field(default_factory=asyncio.Event)
    joined: int = 0


@dataclass
class _Client:
    name: str
    lang: str
    texts: list[str]
    drop_every: int
    interval_s: float
    ws_url: str = ""  # this client's gateway, when the room is spread over several (else the shared one)
    live: Counter[int] = field(default_factory=Counter)  # message id -> live `message` events
    seen: set[int] = field(default_factory=set)  # live or from a history replay
    replayed: set[int] = field(default_factory=set)  # from a history replay
    unacked: dict[str, str] = field(default_factory=dict)  # client id -> text, in sending order
    next_text: int = 0
    sends: int = 0
    reconnects: int = 0
    max_id: int = 0
    counted_join: bool = False
    acked: asyncio.Event = field(default_factory=asyncio.Event)

    def finished(self, total: int) -> bool:
        return len(self.seen) >= total and not self.unacked and self.next_text == len(self.texts)


class _Incomplete(Exception):
    """The server ended the connection cleanly before this client was done (it reconnects)."""


async def _read(client: _Client, socket: ClientConnection, shared: _Shared) -> None:
    async for frame in socket:
        event = json.loads(frame)
        kind = event.get("type")
        if kind in ("message", "update", "ack"):
            message = event["message"]
            client.max_id = max(client.max_id, message["id"])
            if kind == "message":
                client.live[message["id"]] += 1
                # The first live arrival, also at its author (whose ack may come first: through Redis the
                # event makes a round trip the ack does not).
                first = client.live[message["id"]] == 1 and message["id"] not in client.replayed
                if first and message["original"] in shared.sent_at:
                    shared.delivery_ms.append((time.monotonic() - shared.sent_at[message["original"]]) * 1000)
            client.seen.add(message["id"])
            if kind == "ack" and client.unacked.pop(event["client_id"], None) is not None:
                shared.ack_ms.append((time.monotonic() - shared.sent_at[message["original"]]) * 1000)
                client.acked.set()
        elif kind == "history":
            for message in event["messages"]:
                client.seen.add(message["id"])
                client.replayed.add(message["id"])
                client.max_id = max(client.max_id, message["id"])
        if client.finished(shared.total):
            return


async def _send(client: _Client, socket: ClientConnection, shared: _Shared) -> None:
    # After a reconnect: what was sent but never acknowledged goes again, with the same client ids.
    for client_id, text in list(client.unacked.items()):
        await socket.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))
    while client.unacked:
        client.acked.clear()
        await client.acked.wait()
    while client.next_text < len(client.texts):
        text = client.texts[client.next_text]
        client_id = f"{client.name}-{client.next_text:04d}"
        client.unacked[client_id] = text
        client.next_text += 1
        client.acked.clear()
        shared.sent_at.setdefault(text, time.monotonic())
        await socket.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))
        client.sends += 1
        if client.drop_every and client.sends % client.drop_every == 0:
            socket.transport.abort()  # gone before the ack: the retry must not store it twice
            return
        while client_id in client.unacked:
            await client.acked.wait()
            client.acked.clear()
        if client.interval_s:
            await asyncio.sleep(client.interval_s)


async def _session(client: _Client, shared: _Shared, clients: int) -> None:
    async with connect(client.ws_url or shared.ws_url, open_timeout=20, max_size=2**23) as socket:
        join: dict[str, Any] = {"type": "join", "name": client.name, "lang": client.lang}
        if client.max_id:
            join["after"] = client.max_id
        await socket.send(json.dumps(join))
        while True:  # up to the history; live events before it are not possible (the server holds them)
            event = json.loads(await socket.recv())
            if event["type"] == "history":
                for message in event["messages"]:
                    client.seen.add(message["id"])
                    client.replayed.add(message["id"])
                    client.max_id = max(client.max_id, message["id"])
                break
        if not client.counted_join:  # everyone is in before anyone writes
            client.counted_join = True
            shared.joined += 1
            if shared.joined == clients:
                shared.everyone_joined.set()
        await shared.everyone_joined.wait()
        reader = asyncio.create_task(_read(client, socket, shared))
        sender = asyncio.create_task(_send(client, socket, shared))
        try:
            await reader
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await sender
        if not client.finished(shared.total):
            raise _Incomplete


async def _run_client(client: _Client, shared: _Shared, clients: int) -> None:
    while True:
        try:
            await _session(client, shared, clients)
            return
        except (ConnectionClosed, OSError, _Incomplete):
            client.reconnects += 1
            await asyncio.sleep(0.05)


async def run_soak(
    base_url: str,
    room_id: str,
    clients: int,
    messages: int,
    drop_every: int = 0,
    timeout_s: float = 120.0,
    interval_s: float = 0.0,
    spread_over: Sequence[str] = (),
) -> dict[str, Any]:
    """Run the soak against a running gateway and return its figures (see the module docstring).

    `spread_over`: base URLs of several gateways of one deployment; client i joins through the i-th modulo
    their number (a room whose members are on different replicas, issue 12)."""
    ws_url = base_url.replace("http", "ws", 1) + f"/rooms/{room_id}/ws"
    gateways = [url.replace("http", "ws", 1) + f"/rooms/{room_id}/ws" for url in spread_over]
    shared = _Shared(ws_url=ws_url, total=clients * messages)
    soakers = [
        _Client(
            name=f"c{number:03d}",
            lang=LANGUAGES[number % len(LANGUAGES)],
            texts=[f"soak c{number:03d} message {index}" for index in range(messages)],
            drop_every=drop_every,
            interval_s=interval_s,
            ws_url=gateways[number % len(gateways)] if gateways else "",
        )
        for number in range(clients)
    ]
    started = time.monotonic()
    tasks = [asyncio.create_task(_run_client(client, shared, clients)) for client in soakers]
    done, pending = await asyncio.wait(tasks, timeout=timeout_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    failures = [repr(task.exception()) for task in done if task.exception() is not None]
    wall_s = time.monotonic() - started
    stored = await _stored_texts(base_url, room_id)
    counts = Counter(stored)
    sent = {text for client in soakers for text in client.texts[: client.next_text]}
    return {
        "clients": clients,
        "messages_per_client": messages,
        "drop_every": drop_every,
        "interval_s": interval_s,
        "sent": len(sent),
        "stored": len(stored),
        "lost": len(sent - counts.keys()) + sum(len(client.texts) - client.next_text for client in soakers),
        "duplicated": sum(count - 1 for count in counts.values()),
        "unacknowledged": sum(len(client.unacked) for client in soakers),
        "deliveries_missing": sum(max(0, len(stored) - len(client.seen)) for client in soakers),
        "deliveries_doubled": sum(count - 1 for client in soakers for count in client.live.values()),
        "reconnects": sum(client.reconnects for client in soakers),
        "timed_out_clients": len(pending),
        "client_errors": failures[:5],
        "delivery_p50_ms": round(percentile(shared.delivery_ms, 0.5), 1),
        "delivery_p95_ms": round(percentile(shared.delivery_ms, 0.95), 1),
        "delivery_max_ms": round(max(shared.delivery_ms, default=float("nan")), 1),
        "deliveries_timed": len(shared.delivery_ms),
        "ack_p50_ms": round(percentile(shared.ack_ms, 0.5), 1),
        "ack_p95_ms": round(percentile(shared.ack_ms, 0.95), 1),
        "wall_s": round(wall_s, 2),
        "messages_per_s": round(len(stored) / wall_s, 1) if wall_s else 0.0,
    }


async def _stored_texts(base_url: str, room_id: str) -> list[str]:
    """Every stored message's original text, paged through the history's `after` cursor."""
    texts: list[str] = []
    after = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        while True:
            response = await http.get(
                f"/api/rooms/{room_id}/messages", params={"lang": "cs", "limit": 1000, "after": after}
            )
            response.raise_for_status()
            page = response.json()["messages"]
            texts += [message["original"] for message in page]
            if len(page) < 1000:
                return texts
            after = page[-1]["id"]


# --- the processes ------------------------------------------------------------------------------


def _free_port() -> int:
    from tests.app.rooms.fake_translation import free_port  # the tests' helper, one definition

    return free_port()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


@contextlib.contextmanager
def _process(command: list[str], env: dict[str, str], log_path: Path, health_url: str) -> Iterator[None]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(health_url, process, log_path)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def running_stack(work_dir: Path) -> Iterator[str]:
    """The gateway as `make run` starts it (uvicorn, default WebSocket settings) and a fake translation
    service; yields the gateway's base URL."""
    translation_port, gateway_port = _free_port(), _free_port()
    translation_url = f"http://127.0.0.1:{translation_port}"
    unused = f"http://127.0.0.1:{_free_port()}"
    env = {
        **os.environ,
        "RASA_URL": unused,
        "ACTIONS_URL": unused,
        "TRANSLATION_URL": translation_url,
        "DOCUMENT_INDEX": str(work_dir / "missing-index.sqlite"),
        "HANDOVER_DB": str(work_dir / "handovers.sqlite"),
        "ROOMS_DB": str(work_dir / "rooms.sqlite"),
        "TELEGRAM_BOT_TOKEN": "",
    }
    fake = [sys.executable, "-m", "tests.app.rooms.fake_translation", "--port", str(translation_port)]
    gateway = [sys.executable, "-m", "uvicorn", "gateway.main:app", "--host", "127.0.0.1"]
    with (
        _process(fake, env, work_dir / "translation.log", f"{translation_url}/health"),
        _process(
            [*gateway, "--port", str(gateway_port)],
            env,
            work_dir / "gateway.log",
            f"http://127.0.0.1:{gateway_port}/health",
        ),
    ):
        yield f"http://127.0.0.1:{gateway_port}"


def _server_errors(log_path: Path) -> list[str]:
    lines = log_path.read_text(errors="replace").splitlines()
    return [line for line in lines if "Traceback" in line or line.startswith(("ERROR", "CRITICAL"))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20, help="messages per client")
    parser.add_argument("--drop-every", type=int, default=0, help="cut the connection after every Nth send")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between a client's messages")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before the soak gives up")
    parser.add_argument("--no-save", action="store_true", help=f"do not merge into {RESULTS_PATH.name}")
    arguments = parser.parse_args()
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rooms-bench-") as work:
        work_dir = Path(work)
        with running_stack(work_dir) as base_url:
            room_id = httpx.post(f"{base_url}/api/rooms", json={"title": "soak"}, timeout=10).json()["id"]
            figures = asyncio.run(
                run_soak(
                    base_url,
                    room_id,
                    arguments.clients,
                    arguments.messages,
                    arguments.drop_every,
                    arguments.timeout,
                    arguments.interval,
                )
            )
        errors = _server_errors(work_dir / "gateway.log")
    run = {
        **figures,
        "server_errors": len(errors),
        "server_error_lines": errors[:5],
        "server": "gateway.main:app under uvicorn (defaults: ws ping 20 s / timeout 20 s), fake translation",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_at_start": [round(value, 2) for value in load_at_start],
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],  # other work skews numbers
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(run, indent=2, ensure_ascii=False))
    if not arguments.no_save:
        # The other kind of run stays as it was recorded.
        merge_results({"paced" if arguments.interval else "burst": run}, "rooms", keep=("burst", "paced"))
        print(f"merged into {RESULTS_PATH}")
    clean = not (run["lost"] or run["duplicated"] or run["deliveries_missing"] or errors)
    return 0 if clean and not run["deliveries_doubled"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
