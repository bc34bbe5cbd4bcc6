"""Button payloads versus text that only looks like one (issue 11).

Rasa 3.6 reads a message whose text starts with "/" as a hard-coded prediction: `RegexMessageHandler`
(rasa/nlu/classifiers/regex_message_handler.py, through `YAMLStoryReader.unpack_regex_message`) turns
`/request_human{"handover_contact": "x"}` into that intent with those entities, skipping the NLU models,
whenever the intent is in the domain. That is how buttons work (their payload is sent as the text), and
how a user could force any intent with any entities by typing.

So the gateway remembers, per conversation, the payloads of the buttons the bot sent in its last reply,
and passes a "/" message on unchanged only when it is one of them. Any other text starting with "/" loses
its leading slashes (and the spaces between them) before Rasa sees it. Stripping is the cleanest of the
ways to defuse it: Rasa strips the text itself (`UserMessage.__init__` and `unpack_regex_message` both call
`.strip()`), so a prefixed space would not help; an invisible prefix character would reach the
tokenizer and the featurizers; without the slash the words are classified like any other text
("/help" reads as "help"). Only when nothing but slashes remains is the text kept, since "/" and "//"
name no intent of the domain and Rasa treats them as text already.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable

PAYLOAD_PREFIX = "/"
_LEADING_SLASHES = re.compile(r"^[\s/]+")


def looks_like_payload(text: str) -> bool:
    return text.strip().startswith(PAYLOAD_PREFIX)


def as_plain_text(text: str) -> str:
    """`text` without the leading slashes that would make Rasa read it as an intent."""
    stripped = _LEADING_SLASHES.sub("", text.strip())
    return stripped or text


class OfferedPayloads:
    """The button payloads of each conversation's last bot reply, for at most `max_conversations`.

    Memory is bounded: the least recently used conversation is forgotten first, and a reply's payloads are
    capped too. A forgotten conversation's buttons then count as typed text; the words of a payload
    ("/affirm" -> "affirm") still usually get the intent.
    """

    def __init__(self, max_conversations: int = 10_000, max_payloads: int = 32) -> None:
        self._max_conversations = max_conversations
        self._max_payloads = max_payloads
        self._offered: OrderedDict[str, frozenset[str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._offered)

    def remember(self, sender: str, payloads: Iterable[str]) -> None:
        """The payloads of the reply just sent to `sender` (replacing the previous reply's)."""
        kept = frozenset(payload.strip() for payload in list(payloads)[: self._max_payloads])
        self._offered.pop(sender, None)
        if not kept:
            return
        self._offered[sender] = kept
        while len(self._offered) > self._max_conversations:
            self._offered.popitem(last=False)

    def was_offered(self, sender: str, text: str) -> bool:
        offered = self._offered.get(sender)
        if offered is None:
            return False
        self._offered.move_to_end(sender)
        return text.strip() in offered

    def text_for_rasa(self, sender: str, text: str) -> str:
        """`text` as Rasa should get it: a payload the bot offered unchanged, any other "/..." as text."""
        if not looks_like_payload(text) or self.was_offered(sender, text):
            return text
        return as_plain_text(text)
