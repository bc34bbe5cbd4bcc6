"""Conversation ids the way a web client gets them: issued by the gateway's own signer (issue 11)."""

from gateway.dependencies import get_conversation_ids


def issued_sender() -> str:
    """An id the running app accepts as `sender` (the process signer, as the route uses it)."""
    return get_conversation_ids().issue()
