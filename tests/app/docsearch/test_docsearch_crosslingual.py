"""German and Polish questions find Czech passages: the glossary's Czech names and, when the translation
service can, the question's Czech translation are searched besides the question itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsearch import DocumentIndex
from docsearch.glossary import czech_names, expand

PASSAGES = (
    "Program Zelená louka\n\n"
    "CÍLE\n\n"
    "Strategické cíle programu Zelená louka jsou tři: zpevnit, zazelenat a zavodnit krajinu kraje.\n\n"
    "ROZPOČET\n\n"
    "Na opravy mostů kraj vyčlenil v roce 2025 celkem 4 250 000 Kč z vlastního rozpočtu.\n\n"
    "TERMÍNY\n\n"
    "Rada kraje projedná zprávu o mostech každé čtvrtletí na svém prvním zasedání.\n"
)


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Welche Ziele hat das Konzept intelligentere Region?", "de", ["Chytřejší kraj"]),
        ("Was steht im Aktionsplan über Daten?", "de", ["Akční plán"]),
        ("Co zaproponowała grupa robocza?", "pl", ["pracovní skupina"]),
        ("Jakie cele ma Mądrzejszy kraj?", "pl", ["Chytřejší kraj"]),
        ("Welche Ziele hat der Plan?", "de", []),
        ("Jaké cíle má Chytřejší kraj?", "cs", []),  # a Czech question needs no Czech names
    ],
)
def test_glossary_names_are_found_in_inflected_german_and_polish(
    question: str, language: str, expected: list[str]
) -> None:
    assert czech_names(question, language) == expected


def test_expansion_keeps_the_question_and_appends_the_names() -> None:
    expanded = expand("Wer leitet die Lenkungsgruppe?", "de")
    assert expanded.startswith("Wer leitet die Lenkungsgruppe?") and "řídicí skupina" in expanded


@pytest.fixture
def index(tmp_path: Path) -> DocumentIndex:
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "zelena-louka.txt").write_text(PASSAGES, encoding="utf-8")
    opened = DocumentIndex.open(tmp_path / "index.sqlite")
    opened.update([documents], progress=False, documents_info={})
    return opened


def test_a_translation_from_the_service_is_searched_as_a_czech_variant(
    index: DocumentIndex, tmp_path: Path
) -> None:
    calls: list[tuple[str, str, str]] = []

    def translator(text: str, source: str, target: str) -> str | None:
        calls.append((text, source, target))
        return "Kolik peněz dal kraj na opravy mostů?"

    with DocumentIndex.open(tmp_path / "index.sqlite", translator=translator) as translated:
        ranking = translated.rank("Wie viel Geld gab die Region für Brückenreparaturen aus?", "de")
        answer = translated.answer("Wie viel Geld gab die Region für Brückenreparaturen aus?", "de")
    assert calls and calls[0][1:] == ("de", "cs")
    assert [v.text for v in ranking.variants][-1] == "Kolik peněz dal kraj na opravy mostů?"
    assert ranking.kind.asks_for == "amount"
    assert answer is not None and "4 250 000 Kč" in answer.quote


def test_a_translator_that_fails_leaves_the_search_working(index: DocumentIndex, tmp_path: Path) -> None:
    with DocumentIndex.open(tmp_path / "index.sqlite", translator=lambda *_: None) as untranslated:
        ranking = untranslated.rank("Wie oft berät der Rat über die Brücken?", "de")
    # The question itself, and with the glossary's and lexicon's Czech words appended; no translation.
    question = "Wie oft berät der Rat über die Brücken?"
    assert all(v.text.startswith(question) for v in ranking.variants) and ranking.candidates


def test_a_czech_question_is_never_sent_to_the_translator(index: DocumentIndex, tmp_path: Path) -> None:
    def translator(*_: str) -> str:
        raise AssertionError("a Czech question must not be translated")

    with DocumentIndex.open(tmp_path / "index.sqlite", translator=translator) as opened:
        assert opened.rank("Kolik peněz dal kraj na mosty?", "cs").candidates
