"""Calibration of the service threshold: paraphrases in three languages match, unrelated questions do not."""

from __future__ import annotations

import pytest

from actions.context import ActionContext
from actions.matching import applicant_type_of, grant_topic_words

RELATED = [
    ("cs", "Chci založit firmu, kdo mi pomůže?", "lipoink"),
    ("de", "Wer hilft mir bei der Gründung eines Startups?", "lipoink"),
    ("pl", "Kto pomoże mi założyć firmę?", "lipoink"),
    ("cs", "Kde se můžu zapojit jako dobrovolník?", "dobrovolnicke_centrum"),
    ("de", "Wo kann ich ehrenamtlich helfen?", "dobrovolnicke_centrum"),
    ("pl", "Gdzie mogę zwiedzić hutę szkła?", "kristalove_udoli"),
    ("cs", "Podpora vědy a výzkumu v kraji", "smart_akcelerator"),
    ("de", "Ich suche eine Gewerbefläche für eine Investition", "investuj_pod_jestedem"),
    ("cs", "Kdo na úřadě píše výroční zprávy o chytřejším kraji?", "regional_development_department"),
]
UNRELATED = [
    ("de", "Wie wird das Wetter morgen?"),
    ("cs", "Kde si můžu vyřídit řidičský průkaz?"),
    ("cs", "Které ceny kraj dostal za rok 2022?"),
    ("pl", "Jak ma się rozwijać wieś według strategii?"),
    ("cs", "kdo psal zapis z jednani o energetice a vode"),
]


@pytest.mark.parametrize(("lang", "question", "service_id"), RELATED)
def test_related_questions_match(context: ActionContext, lang: str, question: str, service_id: str) -> None:
    matches = context.service_matcher.match(question, lang)
    assert matches and matches[0].service.id == service_id


@pytest.mark.parametrize(("lang", "question"), UNRELATED)
def test_unrelated_questions_stay_below_the_threshold(
    context: ActionContext, lang: str, question: str
) -> None:
    assert context.service_matcher.match(question, lang) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Jaké dotace jsou?", []),
        ("Welche Förderprogramme gibt es?", []),
        ("Jakie dotacje są dostępne?", []),
        ("Jaké dotace jsou pro obce?", []),
        ("Existuje dotace na fotovoltaiku?", ["fotovoltaiku"]),
    ],
)
def test_generic_and_specific_grant_questions(question: str, expected: list[str]) -> None:
    assert grant_topic_words(question) == expected


@pytest.mark.parametrize(
    ("text", "applicant_type"),
    [
        ("obec", "municipality"),
        ("Verein", "ngo"),
        ("nezisková organizace", "ngo"),
        ("firma", "business"),
        ("fyzická osoba", "household"),
        ("gospodarstwo domowe", "household"),
        ("Schule", "school"),
        ("jiný žadatel", "other"),
        ("nevím", None),
    ],
)
def test_applicant_types(text: str, applicant_type: str | None) -> None:
    assert applicant_type_of(text) == applicant_type


@pytest.mark.parametrize(
    ("lang", "topic", "grant_ids"),
    [
        ("cs", "akumulační nádoba ke kotli", ["df_2_8_accumulation_tank"]),
        ("de", "Pufferspeicher für den Holzkessel", ["df_2_8_accumulation_tank"]),
        ("pl", "projekt lokalnej Agendy 21", ["df_2_6_ma21"]),
        ("cs", "program 2.6", ["df_2_6_ma21"]),
        ("cs", "oprava kostela", []),
        ("de", "Solaranlage auf dem Dach", []),
    ],
)
def test_grant_matching(context: ActionContext, lang: str, topic: str, grant_ids: list[str]) -> None:
    assert [grant.id for grant in context.grant_matcher.match(topic, lang)] == grant_ids


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("kraj", "kraje", True),
        ("fond", "fondu", True),
        ("dotace", "dotaci", True),
        ("obec", "obecne", False),
        ("obec", "obce", False),
        ("arr", "arra", False),
    ],
)
def test_same_word_allows_inflection_but_not_other_words(first: str, second: str, same: bool) -> None:
    from actions.text import same_word

    assert same_word(first, second) is same
