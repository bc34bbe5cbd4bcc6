"""``action_switch_language``: the user asks to continue in Czech, German or Polish."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import ContextAction
from actions.knowledge import LANGUAGES
from actions.text import entity_values, latest_text, tokens, user_language

# Names of the three languages in the three languages (folded stems), for when the entity is missing or not
# normalised by the NLU synonyms ("německy", "auf Deutsch", "po niemiecku").
_LANGUAGE_STEMS: dict[str, tuple[str, ...]] = {
    "cs": ("cesk", "cestin", "czech", "tschech", "czes", "cz"),
    "de": ("nemec", "nemci", "nemck", "deutsch", "german", "niemiec", "niem", "de"),
    "pl": ("polsk", "polstin", "polish", "polnisch", "polsk", "pl"),
}


def requested_language(values: list[str], text: str) -> str | None:
    for value in values:
        if value in LANGUAGES:
            return value
    for word in [*(word for value in values for word in tokens(value)), *tokens(text)]:
        for lang, stems in _LANGUAGE_STEMS.items():
            # Two-letter codes must be whole words; longer stems may start a word ("německy", "polsku").
            if any(word == stem if len(stem) == 2 else word.startswith(stem) for stem in stems):
                return lang
    return None


class ActionSwitchLanguage(ContextAction):
    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        new_language = requested_language(entity_values(tracker, "language"), latest_text(tracker))
        if new_language is None:
            self.context.replies.utter(dispatcher, "language_not_supported", user_language(tracker))
            return []
        # Already in the new language; {"lang": ...} tells the gateway the reply's language.
        self.context.replies.utter(
            dispatcher, "language_switched", new_language, json_message={"lang": new_language}
        )
        events: list[dict[str, Any]] = []
        if new_language != user_language(tracker) or tracker.get_slot("language") != new_language:
            events.append(SlotSet("language", new_language))
        return events
