"""What a question asks for, in Czech (with and without diacritics), German and Polish."""

from __future__ import annotations

import pytest

from docsearch.questions import analyse, holds_kind, number_overlap
from textkit import fold


@pytest.mark.parametrize(
    ("question", "asks_for"),
    [
        ("Kdo sestavil plán zimní údržby silnic?", "person"),
        ("kdo to platil", "person"),
        ("Wer hat den Bericht geschrieben?", "person"),
        ("Kto przygotował raport?", "person"),
        ("Jak často se schází rada seniorů?", "frequency"),
        ("jak casto se to vyhodnocuje", "frequency"),
        ("Wie oft tagt der Ausschuss?", "frequency"),
        ("Jak często odbywa się spotkanie?", "frequency"),
        ("Kolik stála oprava mostu?", "amount"),
        ("Jaká je cena vstupenky do zoo?", "amount"),
        ("Komu udělili cenu hejtmana za dobrovolnictví?", "person"),  # a prize, not a price
        ("Wie viel Geld bekommt der Verein?", "amount"),
        ("Ile kosztowała budowa?", "amount"),
        ("Kolik obcí se zapojilo?", "count"),
        ("Wie viele Gemeinden machen mit?", "count"),
        ("Kdy začne stavba obchvatu?", "date"),
        ("Wann wurde der Plan beschlossen?", "date"),
        ("Kiedy zatwierdzono plan?", "date"),
        ("Kde najdu formulář?", "place"),
        ("Jaké oblasti plán řeší?", "list"),
        ("Welche Bereiche umfasst der Plan?", "list"),
        ("Existuje příspěvek na kompostér?", "yes_no"),
        ("Czy jest dotacja na rowery?", "yes_no"),
        ("Popiš program obnovy venkova", "description"),
    ],
)
def test_what_the_question_asks_for(question: str, asks_for: str) -> None:
    assert analyse(question).asks_for == asks_for


def test_numbers_of_the_question_are_looked_for_in_the_text() -> None:
    kind = analyse("Co obsahuje program 3.4 z roku 2021?")
    assert kind.numbers == ("3.4", "2021")
    assert number_overlap(kind, fold("Program 3.4 podpořil v roce 2021 obce.")) == 1.0
    assert number_overlap(kind, fold("Program 3.5 podpořil obce.")) == 0.0
    assert number_overlap(analyse("Co je program?"), "cokoli 12") == 0.0


@pytest.mark.parametrize(
    ("question", "text", "holds"),
    [
        ("Kdy to schválili?", "Rada to schválila 3. 4. 2021.", True),
        ("Kdy to schválili?", "Rada to schválila jednomyslně.", False),
        ("Kolik to stálo?", "Stálo to 1,2 mil. Kč.", True),
        ("Kolik to stálo?", "Stálo to hodně.", False),
        ("Jak často se to hodnotí?", "Zpráva se zpracovává každoročně.", True),
        ("Kdo to připravil?", "Koncepci zpracovala Agentura regionálního rozvoje.", True),
        ("Jaké oblasti?", "Oblasti:\n- doprava\n- voda\n- energie", True),
    ],
)
def test_whether_a_text_holds_what_is_asked(question: str, text: str, holds: bool) -> None:
    assert holds_kind(analyse(question), fold(text), text) is holds
