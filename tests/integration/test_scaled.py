"""The scaled stack (deploy/scaled.py, what `make run-scaled` starts) on loopback: PostgreSQL and Redis from
deploy/backing.py, two replicas of each service, HAProxy in front (issue 12).

The assistant answers through the balancer; a conversation goes on when its next turn reaches the other Rasa
replica; a button offered through one gateway is a button when clicked through the other; a room whose
readers are on different gateways gets every message once; and when one replica of every service is killed
in the middle of a chat load and a room soak, no answered turn and no stored room message is lost, no room
message is doubled, and the balancer sends the rest to the living replicas. Translation models are left out
(as in the other integration tests): the rooms show messages `pending`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal

import httpx
import pytest

from bench.rooms_bench import run_soak
from bench.scaled_load import lost_turns, run_conversations, stored_user_texts
from deploy.scaled import SERVICES, ScaledStack

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def rasa_token(scaled: ScaledStack) -> str:
    return scaled.replicas[0].env["RASA_TOKEN"]


def replica_url(scaled: ScaledStack, number: int, service: str) -> str:
    return f"http://127.0.0.1:{scaled.replicas_ports[number][service]}"


def test_the_assistant_answers_through_the_balancer(scaled: ScaledStack) -> None:
    with httpx.Client(base_url=scaled.url("gateway"), timeout=60) as http:
        health = http.get("/health").json()
        assert {name: health["services"][name] for name in ("rasa", "actions")} == {
            "rasa": "up",
            "actions": "up",
        }, health
        reply = http.post("/api/chat", json={"message": "Guten Tag", "lang": "auto"}).json()
        assert reply["lang"] == "de" and reply["messages"][0]["text"]
        # The id one gateway issued is valid on the other (a shared key): four turns cross both replicas.
        for _ in range(4):
            again = http.post("/api/chat", json={"message": "Danke", "lang": "de", "sender": reply["sender"]})
            assert again.status_code == 200, again.text


async def test_a_button_offered_by_one_gateway_is_a_button_on_the_other(scaled: ScaledStack) -> None:
    first, second = (replica_url(scaled, number, "gateway") for number in range(2))
    with httpx.Client(timeout=60) as http:
        offered = http.post(f"{first}/api/chat", json={"message": "Co umíš?", "lang": "cs"}).json()
        payload = next(button["payload"] for message in offered["messages"] for button in message["buttons"])
        sender = offered["sender"]
        clicked = http.post(f"{second}/api/chat", json={"message": payload, "lang": "cs", "sender": sender})
        assert clicked.status_code == 200, clicked.text
    stored = await stored_user_texts(scaled.url("rasa"), rasa_token(scaled), sender)
    # Passed on as the payload (Rasa reads its intent), not stripped to plain words as typed text is.
    assert stored[-1] == payload, stored


def rasa_turn(url: str, sender: str, text: str) -> None:
    response = httpx.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": {"language": "cs"}},
        timeout=60,
    )
    response.raise_for_status()


def actions_per_turn(scaled: ScaledStack, sender: str) -> list[list[str]]:
    """The actions Rasa took after each user message (what its policies decided, without the random choice
    among a response's variations), read from the shared tracker store."""
    response = httpx.get(
        f"{scaled.url('rasa')}/conversations/{sender}/tracker",
        params={"token": rasa_token(scaled), "include_events": "ALL"},
        timeout=60,
    )
    response.raise_for_status()
    turns: list[list[str]] = []
    for event in response.json()["events"]:
        if event["event"] == "user":
            turns.append([])
        elif event["event"] == "action" and turns and event["name"] != "action_listen":
            turns[-1].append(event["name"])
    return turns


def test_a_conversation_continues_on_the_other_rasa_replica(scaled: ScaledStack) -> None:
    first, second = replica_url(scaled, 0, "rasa"), replica_url(scaled, 1, "rasa")
    question = "Jaké dotace jsou pro obce?"
    alone, crossing = f"one-replica-{secrets.token_hex(4)}", f"two-replicas-{secrets.token_hex(4)}"
    # On one replica: the same question twice, and the second turn is decided by the first one's state.
    for _ in range(2):
        rasa_turn(first, alone, question)
    expected = actions_per_turn(scaled, alone)
    assert len(expected) == 2 and expected[0] != expected[1], expected
    # The same two turns, the second on the other replica: it reads the first from PostgreSQL.
    rasa_turn(first, crossing, question)
    rasa_turn(second, crossing, question)
    assert actions_per_turn(scaled, crossing) == expected


async def test_a_room_across_two_gateways_gets_each_message_once(scaled: ScaledStack) -> None:
    gateways = [replica_url(scaled, number, "gateway") for number in range(2)]
    async with httpx.AsyncClient(base_url=scaled.url("gateway")) as http:
        room_id = (await http.post("/api/rooms", json={"title": "replicas"})).json()["id"]
    figures = await run_soak(
        gateways[0], room_id, clients=6, messages=6, timeout_s=120, interval_s=0.05, spread_over=gateways
    )
    assert figures["timed_out_clients"] == 0 and figures["client_errors"] == [], figures
    assert figures["stored"] == figures["sent"] == 36 and figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["deliveries_missing"] == 0 and figures["deliveries_doubled"] == 0, figures


async def kill_one_replica_of_each_service(scaled: ScaledStack, when: asyncio.Event) -> dict[str, int]:
    await asyncio.wait_for(when.wait(), 120)
    replica = scaled.replicas[0]
    killed = {}
    for service in SERVICES:
        pid = int(replica.ctl("pid", service))
        assert pid > 0, f"{service} is not running"  # never kill(0): that is this process group
        os.kill(pid, signal.SIGKILL)
        killed[service] = pid
    return killed


async def test_killing_one_replica_of_each_service_mid_load_loses_nothing(scaled: ScaledStack) -> None:
    async with httpx.AsyncClient(base_url=scaled.url("gateway")) as http:
        room_id = (await http.post("/api/rooms", json={"title": "failover"})).json()["id"]
    # Through the balancer: round robin puts the room's readers on both gateways.
    halfway = asyncio.Event()
    # The room paced over about thirty seconds, the chats as fast as they go: the kill falls in both.
    soak = run_soak(scaled.url("gateway"), room_id, clients=6, messages=10, timeout_s=240, interval_s=3.0)
    chats = run_conversations(scaled.url("gateway"), clients=6, turns=12, time_limit_s=240, halfway=halfway)
    room, (conversations, chat), killed = await asyncio.gather(
        soak, chats, kill_one_replica_of_each_service(scaled, halfway)
    )
    print(f"killed {killed}\nroom {room}\nchat {chat}")
    assert len(killed) == 4
    # The room: every message stored once, every reader (reconnected through the balancer) got each once.
    assert room["timed_out_clients"] == 0 and room["client_errors"] == [], room
    assert room["stored"] == room["sent"] == 60 and room["lost"] == 0 and room["duplicated"] == 0, room
    assert room["deliveries_missing"] == 0 and room["deliveries_doubled"] == 0, room
    assert room["reconnects"] >= 1, room  # the killed gateway's readers had to reconnect
    # The chats: every turn answered in the end (a failed one retried), and every answered turn stored.
    assert chat["unanswered"] == 0, chat
    assert await lost_turns(scaled.url("rasa"), rasa_token(scaled), conversations) == []
    # After the kill, requests keep being answered (by the living replicas while the killed ones restart).
    with httpx.Client(base_url=scaled.url("gateway"), timeout=60) as http:
        for _ in range(4):
            assert http.post("/api/chat", json={"message": "Dobrý den", "lang": "cs"}).status_code == 200
    # supervisord brings the killed processes back, and the balancer takes them in again.
    replica = scaled.replicas[0]
    replica.wait_healthy(300)
    scaled.wait_balanced(60)
    assert all(int(replica.ctl("pid", service)) not in (0, pid) for service, pid in killed.items())
