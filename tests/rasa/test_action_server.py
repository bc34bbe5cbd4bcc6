"""The action server as an attacker meets it: `python -m actions.server` on loopback, with its shared token.

Issue 11 found the webhook open on every interface: a forged `POST /webhook` running `action_submit_handover`
wrote a handover, and a failing call echoed the request body (the whole tracker). These tests start the real
server the way supervisord does and try the same.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from rasa_action_helpers import REPO_ROOT

from actions.server import BodyError, authorized, read_action_call

TOKEN = "s3cret-token-of-this-stack"
MARKER = "private-question-text-7f3a"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    handover_db: Path
    port: int


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("action-server")
    port = free_port()
    env = {
        **os.environ,
        "ACTIONS_PORT": str(port),
        "ACTIONS_TOKEN": TOKEN,
        "KNOWLEDGE_DIR": str(REPO_ROOT / "knowledge"),
        "HANDOVER_DB": str(data / "handovers.sqlite"),
        "DOCUMENT_INDEX": str(data / "no-index.sqlite"),
        "TRANSLATION_URL": "http://127.0.0.1:9",
        "ACTIONS_WARM_UP": "0",
    }
    env.pop("HOST", None)  # the default: loopback
    log = (data / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"the action server exited: {(data / 'server.log').read_text(errors='replace')}")
            try:
                if requests.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the action server did not answer /health within 90 s")
            time.sleep(0.3)
        yield Server(url=url, handover_db=data / "handovers.sqlite", port=port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def action_call(action: str = "action_submit_handover", **slots: Any) -> dict[str, Any]:
    """A webhook body as Rasa 3.6 sends it, for a conversation that has just filled handover_form."""
    return {
        "next_action": action,
        "sender_id": "forged-sender",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "forged-sender",
            "slots": {
                "language": "cs",
                "handover_question": f"Kdy bude vyhlášen program? {MARKER}",
                "handover_contact": "attacker@example.org",
                **slots,
            },
            "latest_message": {"text": "attacker@example.org", "intent": {"name": "inform"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def stored_handovers(server: Server) -> list[tuple[Any, ...]]:
    if not server.handover_db.exists():
        return []
    with sqlite3.connect(server.handover_db) as connection:
        return connection.execute("SELECT sender, question FROM handovers").fetchall()


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_is_open_for_the_probes(server: Server) -> None:
    reply = requests.get(f"{server.url}/health", timeout=5)
    assert reply.status_code == 200 and reply.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("wrong-token"),
        bearer(""),
        {"Authorization": TOKEN},  # the token without the scheme
        {"Authorization": f"Basic {TOKEN}"},
        {"X-Actions-Token": TOKEN},
    ],
    ids=["none", "wrong", "empty", "no-scheme", "basic", "other-header"],
)
def test_a_forged_webhook_call_is_refused_and_writes_nothing(server: Server, headers: dict[str, str]) -> None:
    before = stored_handovers(server)
    reply = requests.post(f"{server.url}/webhook", json=action_call(), headers=headers, timeout=10)
    assert reply.status_code == 401
    assert reply.headers.get("WWW-Authenticate") == "Bearer"
    assert MARKER not in reply.text
    assert stored_handovers(server) == before


def test_the_action_list_needs_the_token_too(server: Server) -> None:
    assert requests.get(f"{server.url}/actions", timeout=5).status_code == 401
    reply = requests.get(f"{server.url}/actions", headers=bearer(), timeout=5)
    assert reply.status_code == 200
    assert {"name": "action_submit_handover"} in reply.json()


def test_rasa_with_the_token_runs_the_action(server: Server) -> None:
    reply = requests.post(f"{server.url}/webhook", json=action_call(), headers=bearer(), timeout=30)
    assert reply.status_code == 200
    body = reply.json()
    assert {"event": "slot", "name": "handover_question", "value": None} in [
        {key: event.get(key) for key in ("event", "name", "value")} for event in body["events"]
    ]
    assert "attacker@example.org" in body["responses"][0]["text"]
    assert ("forged-sender", f"Kdy bude vyhlášen program? {MARKER}") in stored_handovers(server)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "deflate"])
def test_rasa_calls_with_the_header_of_endpoints_yml(
    server: Server, monkeypatch: pytest.MonkeyPatch, compress: bool
) -> None:
    """The project's endpoints.yml, read by Rasa 3.6's own reader, makes a request that the server takes."""
    import asyncio

    from rasa.utils.endpoints import ClientResponseError, read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", f"{server.url}/webhook")
    monkeypatch.setenv("ACTIONS_TOKEN", TOKEN)
    # endpoints.yml names these too (deploy/stack.py sets them): the embedded tracker and lock stores.
    embedded_stores = {
        "RASA_TRACKER_DB": "unused-by-this-test.sqlite",
        "RASA_TRACKER_DIALECT": "sqlite",
        "RASA_TRACKER_URL": "",
        "RASA_LOCK_STORE": "in_memory",
        "RASA_LOCK_STORE_HOST": "",
        "RASA_LOCK_STORE_PORT": "6379",
        "RASA_LOCK_STORE_DB": "0",
    }
    for name, value in embedded_stores.items():
        monkeypatch.setenv(name, value)
    endpoint = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint is not None
    call = action_call("action_ask_handover_question")
    # What RemoteAction.run does (rasa/core/actions/action.py): POST the JSON, compressed when
    # COMPRESS_ACTION_SERVER_REQUEST is set.
    reply = asyncio.run(endpoint.request(json=call, method="post", timeout=10, compress=compress))
    assert reply["responses"] and reply["events"] == []
    monkeypatch.setenv("ACTIONS_TOKEN", "another-stack")
    forged = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "action_endpoint")
    assert forged is not None
    with pytest.raises(ClientResponseError) as refused:
        asyncio.run(forged.request(json=call, method="post", timeout=10))
    assert refused.value.status == 401


def test_a_compressed_call_is_read_like_rasa_sends_it(server: Server) -> None:
    body = zlib.compress(json.dumps(action_call("action_ask_handover_contact")).encode())
    headers = {**bearer(), "Content-Type": "application/json", "Content-Encoding": "deflate"}
    reply = requests.post(f"{server.url}/webhook", data=body, headers=headers, timeout=10)
    assert reply.status_code == 200 and reply.json()["responses"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        # A tracker Rasa never sends: the action fails on it.
        (json.dumps({**action_call("action_answer_service"), "tracker": {"latest_message": MARKER}}), 500),
        (json.dumps(action_call(f"action_{MARKER}")), 404),
        (f'{{"next_action": "{MARKER}", ', 400),  # not JSON
        (json.dumps([MARKER]), 400),  # not an object
    ],
    ids=["broken-tracker", "unknown-action", "not-json", "not-an-object"],
)
def test_errors_do_not_echo_the_request(server: Server, body: str, status: int) -> None:
    headers = {**bearer(), "Content-Type": "application/json"}
    reply = requests.post(f"{server.url}/webhook", data=body.encode(), headers=headers, timeout=10)
    assert reply.status_code == status
    assert MARKER not in reply.text
    assert set(reply.json()) <= {"error", "action_name"}
    assert "Traceback" not in reply.text and "request_body" not in reply.text


def test_a_deflate_bomb_is_refused(server: Server) -> None:
    bomb = zlib.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", 9)
    headers = {**bearer(), "Content-Type": "application/json", "Content-Encoding": "deflate"}
    reply = requests.post(f"{server.url}/webhook", data=bomb, headers=headers, timeout=30)
    assert reply.status_code == 413


def test_it_listens_on_loopback_only(server: Server) -> None:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        addresses = set()
    outside = sorted(address for address in addresses if not address.startswith("127."))
    if not outside:
        pytest.skip("this machine has no address besides loopback to try")
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex((outside[0], server.port)) != 0


def test_the_token_check() -> None:
    assert authorized(f"Bearer {TOKEN}", TOKEN)
    assert authorized(f"bearer {TOKEN}", TOKEN)
    assert not authorized(f"Bearer {TOKEN}x", TOKEN)
    assert not authorized(None, TOKEN)
    # Without a configured token nothing is accepted, not even an empty one.
    assert not authorized("Bearer ", "")
    assert not authorized("Bearer x", "")


def test_the_body_reader_limits_the_inflated_size() -> None:
    assert read_action_call(b'{"next_action": "x"}', None, 100) == {"next_action": "x"}
    assert read_action_call(zlib.compress(b'{"a": 1}'), "deflate", 100) == {"a": 1}
    with pytest.raises(BodyError) as error:
        read_action_call(zlib.compress(b"{}" + b" " * 1000), "deflate", 100)
    assert error.value.status == 413
    with pytest.raises(BodyError):
        read_action_call(b"not deflate", "deflate", 100)


def test_importing_the_actions_loads_nothing(tmp_path: Path) -> None:
    """No import-time side effects: with no knowledge anywhere, every module still imports."""
    code = (
        "import threading, actions.server, actions.registry, actions.context, actions.knowledge;"
        "assert threading.active_count() == 1, threading.enumerate()"
    )
    env = {**os.environ, "KNOWLEDGE_DIR": str(tmp_path / "nowhere")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
