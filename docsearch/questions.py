"""What a question asks for, and whether a piece of text holds that kind of thing.

The re-ranker and the answer composer use it: "who prepared" wants a person or an organisation, "how often" a
frequency, "which areas" a list. Patterns are matched against folded text (lower case, no diacritics), so
"Kolik stálo", "kolik stalo" and "KOLIK STÁLO" are the same question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textkit import fold

ASKS_FOR = ("amount", "count", "date", "frequency", "person", "place", "list", "yes_no", "description")

# Order matters: the first kind whose pattern matches wins ("kolik stálo" is an amount before a count).
# Each kind: alternatives of folded wording in cs, de and pl.
_ASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("frequency", (
        r"jak casto", r"kolikrat", r"jak pravideln", r"v jakych intervalech", r"wie oft", r"wie haufig",
        r"in welchen abstand", r"wie regelmassig", r"jak czesto", r"ile razy", r"co ile",
    )),
    ("amount", (
        r"kolik\w* (korun|penez|stal|stoj|stat|bud\w* stat|financ|prostredk)", r"jaka (castka|alokace)",
        r"v jake vysi", r"rozpocet", r"alokac", r"naklad", r"(jaka|jakou|za jakou) (je )?cen[aouy]?\b",
        r"wie ?viel (geld|kostet|euro|kronen|mittel)",
        r"wie hoch (war|ist|sind) (die|der) (betrag|budget|kosten|mittel|forderung|zuschuss)", r"kosten",
        r"kostet", r"betrag", r"budget", r"ile (kosztow|pieniedzy|srodkow|wynosi\w* (budzet|kwota))", r"kwot",
        r"koszt", r"budzet",
    )),
    ("count", (r"kolik\b", r"pocet\b", r"wie ?viele?\b", r"anzahl\b", r"ile\b", r"liczb[ae]\b")),
    ("date", (
        r"kdy\b", r"od kdy", r"do kdy", r"(do|od) (ktereho|jakeho) roku", r"(bis|ab|seit) (zu )?welchem jahr",
        r"(do|od) (ktorego|jakiego) roku", r"datum", r"ktereho dne", r"v jakem roce",
        r"na jake (roky|obdobi|leta)",
        r"wann\b", r"seit wann", r"bis wann", r"an welchem tag", r"in welchem jahr", r"fur welche jahre",
        r"welchen zeitraum", r"kiedy\b", r"od kiedy", r"do kiedy", r"ktorego dnia", r"w ktorym roku",
        r"na jakie lata", r"jaki okres",
    )),
    ("person", (
        r"kdo\b", r"koho\b", r"komu\b", r"kym\b", r"ktera (firma|organizace|instituce|agentura|spolecnost)",
        r"ktery (odbor|subjekt|organ)", r"wer\b", r"wen\b", r"wem\b",
        r"welche (firma|organisation|institution|stelle|agentur|behorde)", r"welcher (verein|partner)",
        r"kto\b", r"kogo\b", r"ktora (firma|organizacja|instytucja|agencja)",
        r"jaka (firma|organizacja|instytucja)",
    )),
    ("place", (
        r"kde\b", r"kam\b", r"odkud\b", r"wo\b", r"wohin\b", r"woher\b", r"gdzie\b", r"dokad\b", r"skad\b",
    )),
    ("list", (
        r"jake\b", r"ktere\b", r"jaka\b", r"vyjmenuj", r"seznam", r"welche\b", r"was fur", r"nennen sie",
        r"auflist",
        r"jakie\b", r"ktore\b", r"wymien", r"lista\b",
    )),
    ("yes_no", (
        r"^(je|jsou|existuje|bude|budou|byl|byla|bylo|byly|ma|maji|muze|lze)\b",
        r"^(gibt es|ist|sind|wird|werden|hat|haben|kann)\b", r"^(czy|jest|sa|bedzie|istnieje)\b",
    )),
)  # fmt: skip
_ASK_PATTERNS = tuple((kind, re.compile(r"\b(?:" + "|".join(parts) + ")")) for kind, parts in _ASKS)

_MONTHS = (
    "ledna|unora|brezna|dubna|kvetna|cervna|cervence|srpna|zari|rijna|listopadu|prosince"
    "|januar|februar|marz|april|mai|juni|juli|august|september|oktober|november|dezember"
    "|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|wrzesnia|pazdziernika|listopada|grudnia"
)
DATE_IN_TEXT = re.compile(
    rf"\b\d{{1,2}}\.\s?\d{{1,2}}\.\s?\d{{4}}\b|\b\d{{1,2}}\.\s?({_MONTHS})\b|\b(19|20)\d{{2}}\b"
    rf"|\b({_MONTHS}) (19|20)\d{{2}}"
)
MONEY_IN_TEXT = re.compile(r"\d[\d\s.,]*\s?(kc|korun|czk|eur|€|mil|tis|zl)\b")
NUMBER_IN_TEXT = re.compile(
    r"\d|\b(jeden|jedna|jedno|dva|dve|tri|ctyri|pet|sest|sedm|osm|devet|deset|eins|zwei|drei|vier|funf|sechs"
    r"|sieben|acht|neun|zehn|dwa|trzy|cztery|piec|szesc|siedem|osiem|dziewiec|dziesiec)\b"
)
FREQUENCY_IN_TEXT = re.compile(
    r"\b(rocne|kazdorocn|kazdy rok|jednou (za|rocne|mesicne)|dvakrat|pololetn|ctvrtletn|mesicne|tydne"
    r"|pravideln|prubezn|periodick|vyrocni|interval|jahrlich|monatlich|regelmassig|rocznie|corocz|regularn)"
)
# Who: an academic title, an organisation's kind or abbreviation, a role; "zpracoval:" / "facilitátor:" lines.
PERSON_IN_TEXT = re.compile(
    r"\b(ing|mgr|bc|phdr|rndr|judr|mudr|doc|prof|dr)\.|\b(agentur\w*|arr|univerzit\w*|spolek|spolecnost"
    r"|s\.\s?r\.\s?o|a\.\s?s|hejtman\w*|radni|koordinator\w*|facilitator\w*|manazer\w*|garant\w*"
    r"|zpracoval\w*|predklada\w*|odpovedn\w*|zodpovedn\w*|clen\w* rady|odbor \w+)\b"
)
PLACE_IN_TEXT = re.compile(r"\b(v|ve|na|do)\s+[a-z]\w+|\bwww\.|https?://|\badres|\bulice|\bnamesti\b")

TYPE_EVIDENCE = {
    "amount": MONEY_IN_TEXT,
    "count": NUMBER_IN_TEXT,
    "date": DATE_IN_TEXT,
    "frequency": FREQUENCY_IN_TEXT,
    "person": PERSON_IN_TEXT,
    "place": PLACE_IN_TEXT,
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class QuestionKind:
    asks_for: str  # one of ASKS_FOR
    numbers: tuple[str, ...]  # the numbers the question names ("2.6", "2022")


def analyse(question: str) -> QuestionKind:
    folded = fold(question).strip()
    asks_for = next((kind for kind, pattern in _ASK_PATTERNS if pattern.search(folded)), "description")
    return QuestionKind(asks_for=asks_for, numbers=tuple(dict.fromkeys(_NUMBER.findall(folded))))


def list_items(text: str) -> int:
    """How many list-like lines (bullets, short lines without a full stop) a passage holds."""
    return sum(
        1
        for line in text.splitlines()
        if line.strip()
        and (line.lstrip()[:1] in "-•*–·" or (len(line) < 120 and not line.rstrip().endswith(".")))
    )


def holds_kind(kind: QuestionKind, folded_text: str, raw_text: str = "") -> bool:
    """Whether the text holds the kind of thing the question asks for (a date for "when", ...)."""
    if kind.asks_for == "list":
        return list_items(raw_text or folded_text) >= 3 or ":" in folded_text
    pattern = TYPE_EVIDENCE.get(kind.asks_for)
    return bool(pattern.search(folded_text)) if pattern is not None else False


def number_overlap(kind: QuestionKind, folded_text: str) -> float:
    """The share of the question's numbers that occur in the text (0 when it names none)."""
    if not kind.numbers:
        return 0.0
    found = set(_NUMBER.findall(folded_text.replace("\u00a0", " ")))
    return sum(1 for number in kind.numbers if number in found) / len(kind.numbers)
