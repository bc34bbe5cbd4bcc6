import json
from typing import Any

import pytest

from gateway.assistant import Assistant, build_reply
from gateway.language import LanguageGuesser
from gateway.rasa_client import RasaClient
from tests.app.gateway.fake_rasa import FakeRasa

SOURCE = {
    "title": "Akční plán II",
    "file": "plan.txt",
    "section": "2 Cíle",
    "date": "2024-01-01",
    "url": "",
}


def test_sources_of_a_custom_message_join_the_text_before_it() -> None:
    reply = build_reply(
        [
            {"recipient_id": "u", "text": "First answer"},
            {"recipient_id": "u", "text": "The plan runs 2024 to 2026."},
            {"recipient_id": "u", "custom": {"sources": [SOURCE]}},
        ],
        "cs",
    )
    assert [message.text for message in reply.messages] == ["First answer", "The plan runs 2024 to 2026."]
    assert reply.messages[0].sources == []
    assert [source.model_dump(exclude_none=True) for source in reply.messages[1].sources] == [SOURCE]


def test_custom_lang_sets_the_reply_language() -> None:
    reply = build_reply([{"text": "Ich spreche jetzt Deutsch."}, {"custom": {"lang": "de"}}], "cs")
    assert reply.lang == "de"
    assert len(reply.messages) == 1


def test_unknown_custom_lang_is_ignored() -> None:
    assert build_reply([{"text": "x"}, {"custom": {"lang": "en"}}], "pl").lang == "pl"


def test_buttons_are_kept_and_malformed_ones_dropped() -> None:
    reply = build_reply(
        [
            {
                "text": "Pick",
                "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "no payload"}, "junk"],
            }
        ],
        "cs",
    )
    assert [(button.title, button.payload) for button in reply.messages[0].buttons] == [("Yes", "/affirm")]


def test_sources_without_text_before_them_get_a_message_of_their_own() -> None:
    reply = build_reply(
        [{"custom": {"sources": [{"title": "T", "file": "f.txt", "passage": "Quoted."}]}}], "cs"
    )
    assert reply.messages[0].text == ""
    source = reply.messages[0].sources[0]
    assert (source.title, source.file, source.section, source.passage) == ("T", "f.txt", "", "Quoted.")


def test_messages_without_text_or_buttons_are_skipped() -> None:
    assert build_reply([{"image": "http://x/y.png"}, {"custom": {}}], "cs").messages == []


def make_assistant(fake_rasa: FakeRasa, language_guesser: LanguageGuesser) -> Assistant:
    rasa = RasaClient.from_url("http://rasa.test", timeout_s=5, transport=fake_rasa.transport())
    return Assistant(rasa, language_guesser)


def posted_paths(fake_rasa: FakeRasa) -> list[str]:
    return [request.url.path for request in fake_rasa.requests]


async def test_ask_sets_the_language_slot_before_sending_the_message(
    fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    reply = await make_assistant(fake_rasa, language_guesser).ask("u1", "Guten Tag", "auto")

    assert reply.lang == "de"
    assert reply.messages[0].text == "[de] Guten Tag"
    assert posted_paths(fake_rasa) == ["/conversations/u1/tracker/events", "/webhooks/rest/webhook"]
    assert json.loads(fake_rasa.requests[1].content)["metadata"] == {"language": "de"}


async def test_an_explicit_language_is_used_even_for_other_text(
    fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    reply = await make_assistant(fake_rasa, language_guesser).ask("u1", "Dobrý den", "pl")
    assert reply.lang == "pl"
    assert fake_rasa.language_by_sender["u1"] == "pl"


async def test_short_messages_and_payloads_keep_the_senders_language(
    fake_rasa: FakeRasa, language_guesser: LanguageGuesser
) -> None:
    assistant = make_assistant(fake_rasa, language_guesser)
    await assistant.ask("u1", "Dzień dobry, gdzie znajdę dotacje?", "auto")
    assert (await assistant.ask("u1", "ok", "auto")).lang == "pl"
    assert (await assistant.ask("u1", "/affirm", "auto")).lang == "pl"
    assert (await assistant.ask("someone-else", "ok", "auto")).lang == "cs"


async def test_a_language_switch_by_rasa_is_remembered(language_guesser: LanguageGuesser) -> None:
    def switching_reply(message: str, language: str) -> list[dict[str, Any]]:
        if message == "auf Deutsch bitte":
            return [{"text": "Gut, auf Deutsch."}, {"custom": {"lang": "de"}}]
        return [{"text": f"[{language}]"}]

    fake_rasa = FakeRasa(reply=switching_reply)
    assistant = make_assistant(fake_rasa, language_guesser)
    assert (await assistant.ask("u1", "auf Deutsch bitte", "cs")).lang == "de"
    follow_up = await assistant.ask("u1", "2.6", "auto")
    assert follow_up.lang == "de"
    assert follow_up.messages[0].text == "[de]"


@pytest.mark.parametrize("message", ["Dobrý den", "ok"])
async def test_the_reply_of_an_unknown_sender_defaults_sensibly(
    fake_rasa: FakeRasa, language_guesser: LanguageGuesser, message: str
) -> None:
    assert (await make_assistant(fake_rasa, language_guesser).ask("new", message)).lang == "cs"
