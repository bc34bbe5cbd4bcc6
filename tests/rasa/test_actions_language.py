"""action_switch_language: slot, reply in the new language, and the gateway's {"lang": ...} marker."""

from __future__ import annotations

import pytest
from rasa_action_helpers import make_tracker, replies_of, run_action
from rasa_sdk.events import SlotSet

from actions.context import ActionContext
from actions.language import ActionSwitchLanguage


@pytest.mark.parametrize(
    ("text", "entities", "current", "new"),
    [
        ("mluv německy", [("language", "de")], "cs", "de"),
        ("Können wir Polnisch sprechen?", [("language", "pl")], "de", "pl"),
        ("po czesku proszę", [], "pl", "cs"),
        ("auf Deutsch bitte", [("language", "Deutsch")], "cs", "de"),
    ],
)
def test_switch_sets_the_slot_and_answers_in_the_new_language(
    context: ActionContext, text: str, entities: list[tuple[str, str]], current: str, new: str
) -> None:
    tracker = make_tracker(text, intent="switch_language", lang=current, entities=entities)
    events, dispatcher = run_action(ActionSwitchLanguage(context), tracker)
    assert events == [SlotSet("language", new)]
    [message] = dispatcher.messages
    assert message["text"] == context.replies.render("language_switched", new)
    assert message["custom"] == {"lang": new}


def test_switch_to_the_current_language_confirms_it(context: ActionContext) -> None:
    tracker = make_tracker("piš česky", intent="switch_language", entities=[("language", "cs")])
    events, dispatcher = run_action(ActionSwitchLanguage(context), tracker)
    assert dispatcher.messages[0]["custom"] == {"lang": "cs"}
    assert events == []


def test_unsupported_language_is_explained(context: ActionContext) -> None:
    tracker = make_tracker("speak English please", intent="switch_language", lang="de")
    events, dispatcher = run_action(ActionSwitchLanguage(context), tracker)
    assert events == []
    assert replies_of(dispatcher) == ["language_not_supported"]
