"""The replies the custom actions compose (``actions/replies.yml``), rendered in the conversation's language.

They are not Rasa domain responses on purpose: an action picks the variation itself, so a reply can already be
in the language the action has just switched to (Rasa would pick it with the slot value from before the
action), and the domain keeps only responses that rules and stories use, which `rasa data validate
--fail-on-warnings` checks. The file is checked when it is loaded: every reply needs a text in cs, de and pl
with the same ``{variables}``.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import LANGUAGES

_VARIABLE = re.compile(r"{([^\n{}]+?)}")


class RepliesError(ValueError):
    """The replies file is missing, unreadable or an entry lacks a language, a text or a variable."""


@dataclass(frozen=True)
class Reply:
    """One reply in one language: a text with ``{variables}`` and optional quick-reply buttons."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()


def variable_names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _parse_variation(path: Path, name: str, lang: str, raw: Any) -> Reply:
    where = f"{path.name}: reply '{name}': language '{lang}'"
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise RepliesError(f"{where}: missing or empty text")
    buttons = raw.get("buttons") or []
    if not isinstance(buttons, list) or not all(
        isinstance(button, dict) and {"title", "payload"} <= set(button) for button in buttons
    ):
        raise RepliesError(f"{where}: buttons must be a list of {{title, payload}}")
    return Reply(
        text=raw["text"],
        buttons=tuple({"title": str(b["title"]), "payload": str(b["payload"])} for b in buttons),
    )


# A memo of the parsed file (the tests' reply_name() reads it for every message), not application state.
@lru_cache(maxsize=4)
def load_replies(path: str) -> dict[str, dict[str, Reply]]:
    """All replies of ``path`` by name and language; raises :class:`RepliesError` naming what is wrong."""
    file_path = Path(path)
    try:
        data = yaml.safe_load(file_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RepliesError(f"{file_path}: cannot read the replies: {error}") from error
    if not isinstance(data, dict) or not data:
        raise RepliesError(f"{file_path}: expected a mapping of reply names")
    replies: dict[str, dict[str, Reply]] = {}
    for name, variations in data.items():
        if not isinstance(variations, dict):
            raise RepliesError(f"{file_path.name}: reply '{name}': expected cs, de and pl variations")
        unknown = sorted(set(variations) - set(LANGUAGES))
        if unknown:
            raise RepliesError(f"{file_path.name}: reply '{name}': unknown language '{unknown[0]}'")
        replies[name] = {
            lang: _parse_variation(file_path, name, lang, variations.get(lang)) for lang in LANGUAGES
        }
        if len({frozenset(variable_names(reply.text)) for reply in replies[name].values()}) != 1:
            raise RepliesError(f"{file_path.name}: reply '{name}': the languages use different variables")
    return replies


def fill(template: str, variables: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders like Rasa does; unknown names are left as they are."""
    return _VARIABLE.sub(lambda match: str(variables.get(match.group(1), match.group(0))), template)


@dataclass(frozen=True)
class Replies:
    """The replies of one file (loaded and checked at start-up), rendered in a conversation's language."""

    by_name: dict[str, dict[str, Reply]]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Replies:
        return cls(load_replies(str(path)))

    def reply(self, name: str, lang: str) -> Reply:
        """The variation of reply ``name`` in ``lang`` (Czech for a language we do not have)."""
        if name not in self.by_name:
            raise KeyError(f"reply {name!r} is not defined")
        return self.by_name[name][lang if lang in LANGUAGES else "cs"]

    def render(self, name: str, lang: str, variables: dict[str, Any] | None = None) -> str:
        """The text of reply ``name`` in ``lang`` with ``variables`` filled in."""
        return fill(self.reply(name, lang).text, variables or {})

    def utter(
        self,
        dispatcher: CollectingDispatcher,
        reply_name: str,
        lang: str,
        /,
        *,
        json_message: dict[str, Any] | None = None,
        **variables: Any,
    ) -> None:
        """Send reply ``reply_name`` in ``lang`` with ``variables`` filled in (positional-only parameters, so
        that a variable may be called ``name``); ``json_message`` (sources, language) goes with it as custom
        data."""
        chosen = self.reply(reply_name, lang)
        dispatcher.utter_message(
            text=fill(chosen.text, variables),
            buttons=[dict(button) for button in chosen.buttons] or None,
            json_message=json_message,
        )
