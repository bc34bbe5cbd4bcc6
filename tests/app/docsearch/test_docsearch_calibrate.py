"""The no-answer threshold is chosen between cases, never on one (a rounded threshold just above a case's own
probability silently dropped it)."""

from __future__ import annotations

from docsearch.calibrate import Case, choose_threshold


def case(answerable: bool) -> Case:
    return Case("q", "cs", "otázka", "doc.txt" if answerable else None, ())


def test_the_threshold_declines_the_unanswerable_and_keeps_the_right_answers() -> None:
    rows = [
        (case(True), 0.408661, True),  # rounding to 4 places would put a threshold above it
        (case(False), 0.391349, False),
        (case(False), 0.2, False),
        (case(True), 0.9, True),
    ]
    threshold, accuracy = choose_threshold(rows)
    assert 0.391349 < threshold <= 0.408661
    assert accuracy == 1.0


def test_a_wrong_answer_gains_nothing_from_being_answered() -> None:
    # The answerable case whose answer would be wrong (False) counts as wrong either way; the threshold only
    # trades right answers against right refusals.
    rows = [(case(True), 0.3, False), (case(False), 0.5, False), (case(True), 0.7, True)]
    threshold, accuracy = choose_threshold(rows)
    assert 0.5 < threshold <= 0.7 and accuracy == round(2 / 3, 4)
