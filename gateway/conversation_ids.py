"""Conversation ids of the web chat, issued and signed by the gateway (issue 11).

A web client does not choose its conversation: `POST /api/chat` without `sender` starts one and the reply
carries the id, `web-<nonce>.<tag>`, where the tag is an HMAC-SHA256 of `web-<nonce>` under the gateway's
secret. A later request is accepted only with an id whose tag checks out, so no client can write into
`telegram-1` (the Telegram channel calls the assistant in-process, never through this API) or guess
another resident's conversation: the nonce has 128 random bits and the tag 128 bits of HMAC.

The whole signed id is Rasa's sender id too, so handover records and trackers show what the client holds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

PREFIX = "web-"
_NONCE_BYTES = 16
_TAG_BYTES = 16  # HMAC-SHA256 truncated to 128 bits, as RFC 2104 section 5 allows
_B64_CHARS = 22  # unpadded base64url of 16 bytes
# Published in the OpenAPI schema (ChatRequest.sender), so clients and fuzzers know the shape.
PATTERN = rf"^{PREFIX}[A-Za-z0-9_-]{{{_B64_CHARS}}}\.[A-Za-z0-9_-]{{{_B64_CHARS}}}$"
_ID = re.compile(PATTERN)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class ConversationIds:
    """Issues web conversation ids and tells whether an id was issued under this secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the conversation id secret needs at least 16 bytes")
        self._secret = secret

    @classmethod
    def from_setting(cls, secret: str) -> ConversationIds:
        """`CONVERSATION_SECRET` when set; otherwise a secret of this process only.

        A per-process secret is acceptable: ids then expire when the gateway restarts (the page notices the
        refusal and starts a new conversation, see static/chat/chat.js), which loses the thread of a
        conversation but never lets anyone into another's. A launcher that wants ids to outlive restarts,
        or several gateway workers behind one address, passes a stable CONVERSATION_SECRET.
        """
        return cls(secret.encode() if secret else secrets.token_bytes(32))

    def _tag(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest()
        return _b64(digest[:_TAG_BYTES])

    def issue(self) -> str:
        body = PREFIX + _b64(secrets.token_bytes(_NONCE_BYTES))
        return f"{body}.{self._tag(body)}"

    def is_valid(self, conversation_id: str) -> bool:
        if not _ID.fullmatch(conversation_id):
            return False
        body, _, tag = conversation_id.rpartition(".")
        return hmac.compare_digest(tag, self._tag(body))
