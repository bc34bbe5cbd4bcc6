"""textkit must import in the Rasa environment too (Python 3.10, pydantic 1): the actions and NLU use it."""

from __future__ import annotations

import textkit


def test_textkit_imports_and_folds() -> None:
    assert textkit.fold("Łódź – Straße ŽÁDOST") == "lodz - strasse zadost"
    assert textkit.sentences("Např. obce. Ing. Novák přišel 26. února 2019.") == [
        "Např. obce.",
        "Ing. Novák přišel 26. února 2019.",
    ]
    assert "jsou" in textkit.STOPWORDS
