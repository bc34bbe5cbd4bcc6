"""Which words of a grant question say what for and who applies: ``grant_topic_words``, ``applicant_type_of``.

Plain word lists compared by folded stem (textkit's tokens), no model: cheap enough for the event loop.
"""

from __future__ import annotations

from actions.text import tokens
from textkit import CHAT_WORDS, QUESTION_WORDS, STOPWORDS

# Words that make a question about grants without saying what for: "what grants are there?",
# "Welche Förderungen gibt es?", "Jakie są dotacje?". Compared by stem, folded.
_GENERIC_GRANT_STEMS: tuple[str, ...] = (
    "dotac",
    "dotak",
    "grant",
    "program",
    "podpor",
    "prispev",
    "prisp",
    "fond",
    "subvenc",
    "penize",
    "penez",
    "foerder",
    "forder",
    "zuschu",
    "zuschus",
    "beihilf",
    "finanz",
    "unterstutz",
    "geld",
    "dofinans",
    "wsparc",
    "pienia",
    "pieni",
    "finans",
    "srodk",
    "existuj",
    "jake",
    "jaky",
    "jaka",
    "ktere",
    "ktery",
    "ktera",
    "nejak",
    "mate",
    "mame",
    "nabiz",
    "muze",
    "muzu",
    "mohu",
    "mohl",
    "chci",
    "chtel",
    "ziska",
    "dostat",
    "obdrz",
    "zadat",
    "zadost",
    "vypsan",
    "aktual",
    "welch",
    "gibt",
    "gebe",
    "habe",
    "haben",
    "konne",
    "kann",
    "bekomm",
    "erhalt",
    "beantrag",
    "antrag",
    "aktuell",
    "jaki",
    "jakie",
    "jakich",
    "istniej",
    "macie",
    "mozna",
    "moge",
    "chce",
    "otrzyma",
    "uzysk",
    "dostac",
    "wniosek",
    "aktualn",
    "oferuj",
    "dostep",
    "dostupn",
    "verfug",
    "vorhanden",
    "liberec",
    "kraj",
    "region",
    "bezirk",
    "vsechn",
    "alle",
    "wszystk",
    "seznam",
    "liste",
    "lista",
    "prehled",
    "uberblick",
    "ueberblick",
    "przeglad",
    "informac",
    "info",
    "nejake",
    "irgendwelche",
    "jakies",
    "jakis",
    "moznost",
    "moglich",
    "moegl",
    "mozliw",
    "nabidk",
    "angebot",
    "ofert",
    "hled",
    "such",
    "szuk",
)
# Words that carry no topic: stop words (stopwords-iso), question words and greetings, all from textkit.
_STOPWORDS: frozenset[str] = STOPWORDS | QUESTION_WORDS | CHAT_WORDS

# Words that name who applies rather than what for: they fill applicant_type instead of making a question
# specific.
_APPLICANT_STEMS: dict[str, tuple[str, ...]] = {
    "municipality": (
        "obec",
        "obce",
        "obci",
        "mest",
        "mesto",
        "starost",
        "gemeind",
        "stadt",
        "stadte",
        "kommun",
        "gmin",
        "miast",
        "municip",
    ),
    "ngo": (
        "spolek",
        "spolk",
        "spolku",
        "neziskov",
        "nevladn",
        "verein",
        "ngo",
        "nno",
        "nrо",
        "stowarzysz",
        "fundacj",
        "pozarzad",
        "gemeinnutz",
    ),
    "business": (
        "firm",
        "podnik",
        "zivnost",
        "osvc",
        "unternehm",
        "betrieb",
        "gewerb",
        "przedsieb",
        "dzialalno",
        "startup",
    ),
    "household": (
        "domacnost",
        "obcan",
        "rodin",
        "fyzick",
        "soukrom",
        "privat",
        "haushalt",
        "burger",
        "buerger",
        "familie",
        "gospodarst",
        "mieszkan",
        "osoba",
        "prywat",
        "rodzin",
        "dum",
        "domu",
        "byt",
    ),
    "school": ("skol", "schul", "szkol", "student", "zak", "zaci", "uczn"),
}
_OTHER_APPLICANT_STEMS: tuple[str, ...] = ("jin", "jine", "jiny", "ander", "inny", "inne", "other", "ostat")


def applicant_type_of(text: str) -> str | None:
    """The applicant category a text names ("obec", "Verein", "firma"...), or None."""
    for word in tokens(text):
        for applicant_type, stems in _APPLICANT_STEMS.items():
            if any(word.startswith(stem) for stem in stems):
                return applicant_type
    if any(word.startswith(stem) for word in tokens(text) for stem in _OTHER_APPLICANT_STEMS):
        return "other"
    return None


def grant_topic_words(text: str) -> list[str]:
    """The words of a grant question that say what the grant would be for (empty for a generic question)."""
    topic: list[str] = []
    for word in tokens(text):
        if len(word) < 3 or word in _STOPWORDS or word.isdigit():
            continue
        if any(word.startswith(stem) for stem in _GENERIC_GRANT_STEMS):
            continue
        if applicant_type_of(word) is not None:
            continue
        topic.append(word)
    return topic
