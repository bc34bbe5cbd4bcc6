"""action_answer_grant, validate_grant_form and action_list_grants."""

from __future__ import annotations

import re

from rasa_action_helpers import (
    FakeDocumentIndex,
    make_tracker,
    replies_of,
    run_action,
    sample_answer,
    sources_of,
    texts_of,
    with_documents,
)
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionContext
from actions.grants import ActionAnswerGrant, ActionListGrants, ValidateGrantForm
from actions.text import fold

MA21_FILE = "2022-11-24_ma21-zdravy-liberecky-kraj.txt"


def test_specific_question_is_answered_in_one_turn_with_source(context: ActionContext) -> None:
    tracker = make_tracker(
        "Dá kraj příspěvek na akumulační nádobu k našemu kotli na dřevo?", intent="ask_grant"
    )
    events, dispatcher = run_action(ActionAnswerGrant(context), tracker)
    assert FollowupAction("grant_form") not in events
    assert replies_of(dispatcher) == ["grant_programme_applicants_unknown"]
    text = fold(texts_of(dispatcher)[0])
    assert "akumulac" in text and "2.8" in text
    assert "dokumenty neuvadeji" in text  # who may apply is not in the documents
    assert sources_of(dispatcher)[0]["file"] == MA21_FILE


def test_question_about_the_ma21_money_gets_the_figures(context: ActionContext) -> None:
    question = "Kolik korun se rozdělilo na projekty místní Agendy 21?"
    _, dispatcher = run_action(ActionAnswerGrant(context), make_tracker(question, intent="ask_grant"))
    text = texts_of(dispatcher)[0]
    assert "690 230" in text and "13 projektů" in text


def test_german_question_is_answered_in_german(context: ActionContext) -> None:
    tracker = make_tracker(
        "Bekomme ich Geld von der Region, wenn ich einen Pufferspeicher einbaue?",
        intent="ask_grant",
        lang="de",
    )
    _, dispatcher = run_action(ActionAnswerGrant(context), tracker)
    text = texts_of(dispatcher)[0]
    assert "Pufferspeicher" in text and "Quelle:" in text


def test_specific_question_without_a_programme_says_so_plainly(context: ActionContext) -> None:
    question = "Je nějaká dotace na fotovoltaiku pro rodinný dům?"
    events, dispatcher = run_action(ActionAnswerGrant(context), make_tracker(question, intent="ask_grant"))
    assert replies_of(dispatcher) == ["grant_none"]
    text = texts_of(dispatcher)[0]
    assert question in text
    assert "Dotační fond Libereckého kraje" in text and "ARR" in text
    assert not re.search(r"\d", text)  # no figure that the question did not contain
    assert SlotSet("grant_topic", None) in events


def test_generic_question_starts_the_form(context: ActionContext) -> None:
    events, dispatcher = run_action(
        ActionAnswerGrant(context), make_tracker("Jaké jsou dotace?", intent="ask_grant")
    )
    assert events == [FollowupAction("grant_form")]
    assert dispatcher.messages == []


def test_generic_question_naming_the_applicant_prefills_it(context: ActionContext) -> None:
    tracker = make_tracker("Welche Förderprogramme gibt es für Vereine?", intent="ask_grant", lang="de")
    events, _ = run_action(ActionAnswerGrant(context), tracker)
    assert events == [SlotSet("applicant_type", "ngo"), FollowupAction("grant_form")]


def validate(
    context: ActionContext, method_name: str, value: str, lang: str = "cs"
) -> tuple[dict[str, object], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(value, intent="inform", lang=lang, active_loop="grant_form")
    result = getattr(ValidateGrantForm(context), method_name)(value, dispatcher, tracker, {})
    return result, dispatcher


def test_form_normalises_the_applicant_type(context: ActionContext) -> None:
    assert validate(context, "validate_applicant_type", "jsme obec")[0] == {"applicant_type": "municipality"}
    assert validate(context, "validate_applicant_type", "nezisková organizace")[0] == {
        "applicant_type": "ngo"
    }


def test_form_asks_again_for_an_unclear_applicant(context: ActionContext) -> None:
    result, dispatcher = validate(context, "validate_applicant_type", "hmm, nevím", lang="pl")
    assert result == {"applicant_type": None}
    assert replies_of(dispatcher) == ["applicant_type_not_understood"]


def test_form_rejects_an_empty_topic(context: ActionContext) -> None:
    result, dispatcher = validate(context, "validate_grant_topic", "??")
    assert result == {"grant_topic": None}
    assert replies_of(dispatcher) == ["grant_topic_too_short"]


def test_list_after_the_form_gives_the_matching_programme(context: ActionContext) -> None:
    tracker = make_tracker(
        "kotel", slots={"applicant_type": "household", "grant_topic": "akumulační nádoba ke kotli"}
    )
    events, dispatcher = run_action(ActionListGrants(context), tracker)
    assert replies_of(dispatcher) == ["grant_list_intro", "grant_programme_applicants_unknown"]
    assert SlotSet("applicant_type", None) in events and SlotSet("grant_topic", None) in events


def test_list_for_an_unknown_topic_says_so_and_lists_what_exists(context: ActionContext) -> None:
    tracker = make_tracker("x", lang="pl", slots={"applicant_type": "ngo", "grant_topic": "remont kościoła"})
    _, dispatcher = run_action(ActionListGrants(context), tracker)
    assert replies_of(dispatcher)[0] == "grant_list_none_for_topic"
    texts = texts_of(dispatcher)
    assert "remont kościoła" in texts[0]
    # The accumulation tank programme concerns household boilers, so an association only gets programme 2.6.
    assert len(texts) == 2 and "2.6" in texts[1]


def test_list_for_another_applicant_type_explains_it(context: ActionContext) -> None:
    tracker = make_tracker("x", slots={"applicant_type": "business", "grant_topic": "akumulační nádoba"})
    _, dispatcher = run_action(ActionListGrants(context), tracker)
    assert replies_of(dispatcher) == [
        "grant_other_applicant",
        "grant_programme_applicants_unknown",
    ]


def test_list_of_everything(context: ActionContext) -> None:
    tracker = make_tracker("x", lang="de", slots={"applicant_type": "other", "grant_topic": "alle"})
    _, dispatcher = run_action(ActionListGrants(context), tracker)
    assert replies_of(dispatcher)[0] == "grant_list_all"
    assert len(dispatcher.messages) == 3


def test_specific_question_from_another_applicant_still_shows_the_programme_with_a_caveat(
    context: ActionContext,
) -> None:
    tracker = make_tracker(
        "Je dotace na akumulační nádobu pro naši firmu?",
        intent="ask_grant",
        slots={"applicant_type": "podnikatel"},
    )
    _, dispatcher = run_action(ActionAnswerGrant(context), tracker)
    assert replies_of(dispatcher) == [
        "grant_other_applicant",
        "grant_programme_applicants_unknown",
    ]


def test_a_question_no_programme_fits_is_answered_from_the_documents_when_they_can(
    context: ActionContext,
) -> None:
    documents = FakeDocumentIndex(answers={"záhon": sample_answer()})
    question = "Dostanu příspěvek na okopávání záhonů v krajské zahradě?"
    _, dispatcher = run_action(
        ActionAnswerGrant(with_documents(context, documents)), make_tracker(question, intent="ask_grant")
    )
    assert replies_of(dispatcher) == ["document_answer"]
    assert documents.calls == [(question, "cs")]
    assert sources_of(dispatcher)[0]["file"] == sample_answer().hit.file
