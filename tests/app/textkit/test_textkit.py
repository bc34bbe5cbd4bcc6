"""textkit: one folding, tokens, lemmas, stop words and sentences for the whole project."""

from __future__ import annotations

import pytest

import textkit
from textkit import (
    STOPWORDS,
    fold,
    fold_words,
    lemma,
    search_terms,
    sentence_spans,
    sentences,
    split_segments,
    stems,
    stopwords,
    tokens,
    words,
)


def test_fold_maps_sz_l_dashes_and_diacritics() -> None:
    assert fold("Straße GROẞ") == "strasse gross"
    assert fold("Łódź, Wrocław") == "lodz, wroclaw"
    assert fold("CZ–DE—PL ‐ −5 ‑ ‒ ―") == "cz-de-pl - -5 - - -"
    assert fold("Řídicí ŽÁDOST Dziękuję Müller") == "ridici zadost dziekuje muller"
    assert fold("a\u00a0b") == "a b"  # NFKD: a non-breaking space is a space
    assert fold("a \n\t b  c", collapse_whitespace=True) == "a b c"


def test_words_and_fold_words_drop_punctuation() -> None:
    assert words("Lipo.ink – ARR, 2.6!") == ["lipo", "ink", "arr", "2", "6"]
    assert words("Grüße", folded=False) == ["grüße"]
    assert fold_words("  Místní   Agenda–21 ") == "mistni agenda 21"


def test_tokens_keep_spelling_numbers_and_inner_dots() -> None:
    assert tokens("Program 2.6 stál 1,5 mil. Kč – viz Lipo.ink") == [
        "Program", "2.6", "stál", "1,5", "mil", "Kč", "viz", "Lipo.ink",
    ]  # fmt: skip
    assert tokens("CZ–DE–PL") == tokens("CZ-DE-PL") == ["CZ", "DE", "PL"]


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("zastupitelstvem", "cs", "zastupitelstvo"),
        ("dotacích", "cs", "dotace"),
        ("gefördert", "de", "fordern"),
        ("beantragt", "de", "beantragen"),
        ("Straßen", "de", "strasse"),
        ("gminach", "pl", "gmina"),
        ("dotacji", "pl", "dotacja"),
    ],
)
def test_lemmas_are_folded(word: str, lang: str, expected: str) -> None:
    assert lemma(word, lang) == expected


def test_search_terms_agree_for_query_and_index() -> None:
    assert search_terms("Koncepce zastupitelstvem") == search_terms("koncepce zastupitelstvo")
    assert stems(search_terms("schválená")) == stems(search_terms("schvalena"))
    assert search_terms("Kolik stál program 2,6?") == ["stat", "program", "2.6"]  # "kolik" asks, no topic
    assert search_terms("a je to", keep_stopwords=True) == ["a", "byt", "ten"]


def test_stop_words_come_from_stopwords_iso_folded_without_topics() -> None:
    assert {"ktery", "protoze", "jsou"} <= stopwords("cs")
    assert {"und", "fur", "uber", "dass"} <= stopwords("de")
    assert {"ktory", "poniewaz", "jest", "sie"} <= stopwords("pl")
    assert not {"zprava", "telefon", "jahr", "mittel", "zl"} & STOPWORDS  # topics here, though in the lists
    assert {"kolik", "wann", "ile"} <= textkit.QUESTION_WORDS <= STOPWORDS
    with pytest.raises(ValueError, match="no stop words"):
        stopwords("en")


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "cs",
            "Koncepci schválilo zastupitelstvo 26. února 2019. V návaznosti na ni vznikl plán.",
            ["Koncepci schválilo zastupitelstvo 26. února 2019.", "V návaznosti na ni vznikl plán."],
        ),
        (
            "cs",
            "Usnesení č. 260/19/RK ze dne 26. 2. 2019 předložil Ing. Novák, tj. vedoucí odboru. Druhá věta.",
            [
                "Usnesení č. 260/19/RK ze dne 26. 2. 2019 předložil Ing. Novák, tj. vedoucí odboru.",
                "Druhá věta.",
            ],
        ),
        (
            "cs",
            "Podle odst. 2 podporuje např. ARR obce. Program 2.6. Další věta.",
            ["Podle odst. 2 podporuje např. ARR obce.", "Program 2.6.", "Další věta."],
        ),
        (
            "cs",
            "2. Metodologický postup\n5.1. Nastavení rolí",
            ["2. Metodologický postup", "5.1. Nastavení rolí"],
        ),
        (
            "de",
            "Die Sitzung ist am 1. Juni 2026, z. B. für Vereine bzw. Gemeinden. Dr. Müller lädt ein.",
            ["Die Sitzung ist am 1. Juni 2026, z. B. für Vereine bzw. Gemeinden.", "Dr. Müller lädt ein."],
        ),
        (
            "pl",
            "Spotkanie 15 czerwca 2026 r. o godz. 10. Dotyczy np. gmin, zob. poniżej. Wniosek z 3. 5. 2026.",
            [
                "Spotkanie 15 czerwca 2026 r. o godz. 10.",
                "Dotyczy np. gmin, zob. poniżej.",
                "Wniosek z 3. 5. 2026.",
            ],
        ),
    ],
)
def test_sentences_keep_abbreviations_dates_and_numbers(lang: str, text: str, expected: list[str]) -> None:
    assert sentences(text, lang) == expected
    for start, end in sentence_spans(text, lang):
        assert text[start:end] == text[start:end].strip() != ""


@pytest.mark.parametrize(
    "text",
    [
        "Jedna věta. Druhá věta! Třetí?\n\nNový odstavec.\n",
        "  Odsazení.\r\n- bod\n\n\n3. Číslo\n",
        "Např. Liberec a tzv. Trojzemí. Dne 1. června 2026 začne program 2.6. Konec.",
        "Text.\n12\n—\n",
        "",
        "\n\n",
        "  Vorne. Hinten.  ",
    ],
)
def test_segments_join_back_to_the_original(text: str) -> None:
    segments = split_segments(text)
    assert "".join(segment.text for segment in segments) == text
    assert all(segment.text.strip() == segment.text for segment in segments if segment.translate)
