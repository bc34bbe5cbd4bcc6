import pytest

from gateway.language import LanguageGuesser


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Dobrý den", "cs"),
        ("Guten Tag", "de"),
        ("Dzień dobry", "pl"),
        # typed without diacritics, which lingua alone scores as Polish
        ("Dobry den", "cs"),
        ("Dzien dobry", "pl"),
        ("Do kdy plati akcni plan kraje?", "cs"),
        ("Wer betreibt das Gründerzentrum Lipo.ink?", "de"),
        ("Wo finde ich Förderprogramme für Gemeinden?", "de"),
        ("Gdzie znajdę informacje o dotacjach?", "pl"),
        ("Ile pieniedzy bylo w programie w 2022", "pl"),
    ],
)
def test_detects_czech_german_and_polish(language_guesser: LanguageGuesser, text: str, language: str) -> None:
    assert language_guesser.detect(text) == language


@pytest.mark.parametrize("text", ["ok", "2.6", "?", "  ", "ja", "42 %"])
def test_short_or_ambiguous_text_is_not_decided(language_guesser: LanguageGuesser, text: str) -> None:
    assert language_guesser.detect(text) is None


def test_ambiguous_text_keeps_the_senders_last_language(language_guesser: LanguageGuesser) -> None:
    language_guesser.remember("anna", "de")
    assert language_guesser.resolve("anna", "ok") == "de"
    assert language_guesser.resolve("anna", "2.6") == "de"
    # a clear message still wins over the memory
    assert language_guesser.resolve("anna", "Dzień dobry") == "pl"


def test_an_unknown_sender_defaults_to_czech(language_guesser: LanguageGuesser) -> None:
    assert language_guesser.resolve("newcomer", "ok") == "cs"


def test_memory_forgets_the_oldest_sender_beyond_its_size() -> None:
    guesser = LanguageGuesser(memory_size=2)
    guesser.remember("first", "de")
    guesser.remember("second", "pl")
    guesser.remember("first", "de")  # refreshed: now the newest
    guesser.remember("third", "pl")
    assert guesser.last_language("first") == "de"
    assert guesser.last_language("second") == "cs"  # evicted, back to the default
    assert guesser.last_language("third") == "pl"
