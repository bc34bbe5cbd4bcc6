"""The takeover round trip in-process: a resident's web conversation is handed over, an official claims it,
answers in Czech and closes it; the resident's messages meanwhile reach the official, never the bot."""

import httpx

from gateway.office import texts
from gateway.office.services import OfficeServices
from tests.app.office.conftest import OFFICIAL, act, add_handover, csrf_of, sign_in
from tests.app.office.fake_rasa import HANDOVER_DE, FakeRasa
from tests.app.rooms.fake_translation import FakeTranslationServer

QUESTION_DE = "Ich möchte mit einem Menschen über den Zuschuss für meinen Heizkessel sprechen."
ANSWER_CS = "Dobrý den, žádost o kotlíkovou dotaci podáte do 30. června na krajském úřadě."


async def ask(client: httpx.AsyncClient, message: str, sender: str | None = None) -> dict:
    body = {"message": message, "lang": "de", **({"sender": sender} if sender else {})}
    response = await client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def office_messages(client: httpx.AsyncClient, sender: str, after: int = 0) -> dict:
    response = await client.post("/api/chat/office-messages", json={"sender": sender, "after": after})
    assert response.status_code == 200, response.text
    return response.json()


async def handed_over(client: httpx.AsyncClient, office: OfficeServices) -> tuple[str, int]:
    """A German web conversation that asked for a person (the action server stored the handover)."""
    sender = (await ask(client, QUESTION_DE))["sender"]
    return sender, add_handover(office, sender, "de", QUESTION_DE)


async def test_a_handed_over_conversation_reaches_the_official_not_the_bot_until_closed(
    client: httpx.AsyncClient, office: OfficeServices, fake_rasa: FakeRasa
) -> None:
    sender, handover_id = await handed_over(client, office)
    await sign_in(client)
    await act(client, handover_id, "claim")
    assert fake_rasa.kinds(sender)[-1] == "pause"  # Rasa's tracker records the takeover
    reached_bot = len(fake_rasa.webhook_messages)

    reply = await ask(client, "Muss ich die Rechnung des Installateurs beilegen?", sender)
    assert reply["messages"] == [{"text": texts.FORWARDED["de"], "buttons": [], "sources": []}]
    assert reply["lang"] == "de"
    assert len(fake_rasa.webhook_messages) == reached_bot  # the bot never saw it
    thread = office.handovers.messages(handover_id)
    assert thread[-1]["author"] == "resident"
    assert thread[-1]["translation"] == "[cs] Muss ich die Rechnung des Installateurs beilegen?"
    page = await client.get(f"/office/handovers/{handover_id}")
    assert "Muss ich die Rechnung des Installateurs beilegen?" in page.text
    assert "[cs] Muss ich die Rechnung" in page.text

    await act(client, handover_id, "close")
    assert fake_rasa.kinds(sender)[-1] == "resume"
    after_close = await ask(client, "Danke, und wann hat das Amt geöffnet?", sender)
    assert after_close["messages"][0]["text"] == "[de] Danke, und wann hat das Amt geöffnet?"
    assert fake_rasa.webhook_messages[-1] == (sender, "Danke, und wann hat das Amt geöffnet?")
    assert office.handovers.get(handover_id)["status"] == "closed"


async def test_the_answer_reaches_the_web_page_translated_with_the_czech_original(
    client: httpx.AsyncClient, office: OfficeServices
) -> None:
    sender, handover_id = await handed_over(client, office)
    assert await office_messages(client, sender) == {"taken_over": False, "messages": []}
    await sign_in(client)
    await act(client, handover_id, "claim")
    await act(client, handover_id, "answer", text=ANSWER_CS)

    shown = await office_messages(client, sender)
    assert shown["taken_over"] is True
    notice, answer = shown["messages"]
    assert notice["kind"] == "system" and notice["text"] == texts.TAKEN_OVER["de"]
    assert answer["kind"] == "official"
    assert answer["text"] == f"[de] {ANSWER_CS}" and answer["original"] == ANSWER_CS
    assert answer["untranslated"] is False and answer["language"] == "de"
    # A page reopened later asks from 0 and gets all of it; a page that has the answer gets nothing new.
    assert await office_messages(client, sender, after=answer["id"]) == {"taken_over": True, "messages": []}
    assert office.handovers.get(handover_id)["status"] == "answered"


async def test_an_answer_the_service_cannot_translate_goes_out_in_czech_marked_untranslated(
    client: httpx.AsyncClient, office: OfficeServices, translation_server: FakeTranslationServer
) -> None:
    sender, handover_id = await handed_over(client, office)
    await sign_in(client)
    await act(client, handover_id, "claim")
    translation_server.missing_directions.add("cs-de")
    answered = await act(client, handover_id, "answer", text=ANSWER_CS)
    assert "notice=" in answered.headers["location"]  # the official is told it went out in Czech
    page = await client.get(answered.headers["location"])
    assert "sent in Czech" in page.text and "Nepřeloženo" in page.text

    answer = (await office_messages(client, sender))["messages"][-1]
    assert answer["text"] == ANSWER_CS and answer["original"] is None and answer["untranslated"] is True


async def test_only_the_official_who_claimed_it_answers_and_closes(
    client: httpx.AsyncClient, office: OfficeServices
) -> None:
    _sender, handover_id = await handed_over(client, office)
    office.accounts.add("petr.svoboda", "jiné dlouhé heslo 7")
    office.handovers.claim(handover_id, "petr.svoboda")
    await sign_in(client)
    for action, form in (("claim", {}), ("answer", {"text": ANSWER_CS}), ("close", {})):
        refused = await act(client, handover_id, action, **form)
        page = await client.get(refused.headers["location"])
        assert "claimed by petr.svoboda" in page.text
    assert office.handovers.messages(handover_id) == []
    assert office.handovers.get(handover_id)["claimed_by"] == "petr.svoboda"


async def test_bad_input_is_a_4xx_with_a_reason(client: httpx.AsyncClient, office: OfficeServices) -> None:
    sender, handover_id = await handed_over(client, office)
    await sign_in(client)
    page = await client.get(f"/office/handovers/{handover_id}")
    token = csrf_of(page)
    missing = await client.get("/office/handovers/999")
    assert missing.status_code == 404 and "no handover 999" in missing.json()["detail"]
    not_a_number = await client.get("/office/handovers/abc")
    assert not_a_number.status_code == 422
    for path in ("/office/handovers/99999999999999999999", "/office/api/handovers/0/messages"):
        out_of_range = await client.get(path)
        assert out_of_range.status_code == 422 and "handover_id" in out_of_range.json()["detail"]
    too_big = await client.post("/office/handovers/99999999999999999999/claim", data={"csrf_token": token})
    assert too_big.status_code == 422
    too_long = await client.post(
        f"/office/handovers/{handover_id}/answer", data={"csrf_token": token, "text": "x" * 5001}
    )
    assert too_long.status_code == 422 and "5000 characters" in too_long.json()["detail"]
    blank = await client.post(
        f"/office/handovers/{handover_id}/answer", data={"csrf_token": token, "text": " "}
    )
    assert blank.status_code == 303
    bad_week = await client.get("/office/missed", params={"week": "last week"})
    assert bad_week.status_code == 422 and "week" in bad_week.json()["detail"]
    no_such_week = await client.get("/office/missed.csv", params={"week": "2025-W53"})
    assert no_such_week.status_code == 422 and "no ISO week" in no_such_week.json()["detail"]
    forged = await client.post("/api/chat/office-messages", json={"sender": sender[:-2] + "xx", "after": 0})
    assert forged.status_code == 403
    negative = await client.post("/api/chat/office-messages", json={"sender": sender, "after": -1})
    assert negative.status_code == 422


async def test_only_signed_in_staff_see_contacts_and_transcripts(
    client: httpx.AsyncClient, office: OfficeServices
) -> None:
    sender, handover_id = await handed_over(client, office)
    for path in ("/office/handovers", f"/office/handovers/{handover_id}", "/office/api/handovers"):
        response = await client.get(path)
        assert "a@example.de" not in response.text and QUESTION_DE not in response.text
    assert "a@example.de" not in (await office_messages(client, sender)).__repr__()
    await sign_in(client)
    listing = (await client.get("/office/api/handovers")).json()["handovers"]
    assert listing[0]["contact"] == "a@example.de" and listing[0]["channel"] == "web"
    page = await client.get(f"/office/handovers/{handover_id}")
    assert "a@example.de" in page.text and OFFICIAL in page.text
    assert HANDOVER_DE.format(id=1) in page.text  # the transcript from Rasa's tracker
