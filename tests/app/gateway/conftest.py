"""Fixtures of the gateway tests: a scripted fake Rasa on httpx.MockTransport and a language guesser."""

import pytest

from gateway.language import LanguageGuesser
from tests.app.gateway.fake_rasa import FakeRasa, echo_reply


@pytest.fixture
def language_guesser() -> LanguageGuesser:
    """A guesser with an empty memory of senders (the lingua detector itself is shared and built once)."""
    return LanguageGuesser()


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa(reply=echo_reply)
