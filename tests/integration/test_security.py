"""Nobody in, nothing forgotten (issue 11), held by the real processes: Rasa's HTTP API only with the stack's
token, conversations kept in Rasa's SQL tracker store across a restart, web senders named by the gateway,
typed payloads read as text, the office endpoint closed without its token."""

from __future__ import annotations

import httpx
import pytest

from deploy.stack import Stack

pytestmark = pytest.mark.integration


def rasa_api(stack: Stack, path: str, token: str | None = None, method: str = "GET") -> httpx.Response:
    params = {"token": token} if token is not None else {}
    return httpx.request(method, f"{stack.env['RASA_URL']}{path}", params=params, timeout=30)


def tracker(stack: Stack, sender: str) -> dict:
    response = rasa_api(stack, f"/conversations/{sender}/tracker", stack.env["RASA_TOKEN"])
    assert response.status_code == 200, response.text
    return response.json()


def start_conversation(gateway: httpx.Client, message: str) -> str:
    response = gateway.post("/api/chat", json={"message": message, "lang": "cs"})
    assert response.status_code == 200, response.text
    return response.json()["sender"]


def say(gateway: httpx.Client, sender: str, message: str) -> dict:
    response = gateway.post("/api/chat", json={"sender": sender, "message": message, "lang": "cs"})
    assert response.status_code == 200, response.text
    assert response.json()["sender"] == sender
    return response.json()


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_rasas_http_api_refuses_a_caller_without_the_stacks_token(
    stack: Stack, gateway: httpx.Client, token: str | None
) -> None:
    sender = start_conversation(gateway, "Dobrý den")
    for method, path in [
        ("GET", f"/conversations/{sender}/tracker"),
        ("POST", f"/conversations/{sender}/tracker/events"),
        ("PUT", "/model"),
        ("GET", "/status"),
    ]:
        response = rasa_api(stack, path, token, method)
        assert response.status_code in (401, 403), (method, path, response.status_code, response.text)
    # The same call with the token answers: the gateway's own calls work, the refusal is the token's.
    assert tracker(stack, sender)["sender_id"] == sender


def test_the_token_is_made_per_stack_unless_the_launcher_gives_one() -> None:
    made = [Stack(env={"RASA_TOKEN": ""}).env["RASA_TOKEN"] for _ in range(2)]
    assert made[0] != made[1] and all(len(token) >= 32 for token in made)
    assert Stack(env={"RASA_TOKEN": "given"}).env["RASA_TOKEN"] == "given"


def test_a_conversation_survives_a_restart_of_rasa(stack: Stack, gateway: httpx.Client, office: dict) -> None:
    sender = start_conversation(gateway, "Chci mluvit s člověkem z úřadu.")
    say(gateway, sender, "Potřebuji poradit s žádostí o dotaci pro náš hasičský spolek.")
    before = tracker(stack, sender)
    question = before["slots"]["handover_question"]
    assert question and "hasičský" in question, before["slots"]
    assert before["active_loop"].get("name") == "handover_form"

    pid = stack.ctl("pid", "rasa")
    stack.ctl("restart", "rasa")
    stack.wait_healthy(240)
    assert stack.ctl("pid", "rasa") != pid

    after = tracker(stack, sender)
    assert after["slots"]["handover_question"] == question
    assert after["slots"]["language"] == "cs"
    assert after["active_loop"].get("name") == "handover_form"
    # The form goes on where it was: the contact completes the handover with the question from before.
    say(gateway, sender, "hasici@example.org")
    records = gateway.get("/api/handovers", headers=office).json()["handovers"]
    mine = [record for record in records if record["sender"] == sender]
    assert mine and mine[0]["question"] == question and mine[0]["contact"] == "hasici@example.org"


def test_a_client_cannot_name_another_conversation(gateway: httpx.Client) -> None:
    for sender in ["telegram-1", "web-" + "a" * 22 + "." + "b" * 22]:
        response = gateway.post("/api/chat", json={"sender": sender, "message": "Dobrý den"})
        assert response.status_code == 403, response.text
        assert "sender" in response.json()["detail"]


def test_typed_payload_text_is_text_and_the_bots_own_buttons_still_work(
    stack: Stack, gateway: httpx.Client
) -> None:
    typed = start_conversation(gateway, '/request_human{"handover_contact": "x@example.org"}')
    latest = tracker(stack, typed)["latest_message"]
    assert latest["text"] == 'request_human{"handover_contact": "x@example.org"}', latest  # NLU classified it

    response = gateway.post("/api/chat", json={"message": "Co umíš?", "lang": "cs"})
    helped, sender = response.json(), response.json()["sender"]
    payloads = [button["payload"] for message in helped["messages"] for button in message["buttons"]]
    assert "/ask_grant" in payloads, helped
    say(gateway, sender, "/ask_grant")
    latest = tracker(stack, sender)["latest_message"]
    assert latest["text"] == "/ask_grant" and latest["intent"]["name"] == "ask_grant"
    assert latest["intent"]["confidence"] == 1.0  # Rasa's hard-coded prediction of a payload


def test_the_office_endpoint_is_closed_without_its_token(gateway: httpx.Client, office: dict) -> None:
    assert gateway.get("/api/handovers").status_code == 401
    assert gateway.get("/api/handovers", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert gateway.get("/api/handovers", headers=office).status_code == 200
