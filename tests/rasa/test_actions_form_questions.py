"""action_ask_<slot>: the forms' questions in the user's language, with the applicant buttons."""

from __future__ import annotations

import pytest
from rasa_action_helpers import make_tracker, replies_of, run_action

from actions.context import ActionContext, ContextAction
from actions.form_questions import (
    ActionAskApplicantType,
    ActionAskGrantTopic,
    ActionAskHandoverContact,
    ActionAskHandoverQuestion,
)


@pytest.mark.parametrize(
    ("action_class", "reply_name"),
    [
        (ActionAskApplicantType, "ask_applicant_type"),
        (ActionAskGrantTopic, "ask_grant_topic"),
        (ActionAskHandoverQuestion, "ask_handover_question"),
        (ActionAskHandoverContact, "ask_handover_contact"),
    ],
)
@pytest.mark.parametrize("lang", ["cs", "de", "pl"])
def test_form_question_is_asked_in_the_users_language(
    context: ActionContext, action_class: type[ContextAction], reply_name: str, lang: str
) -> None:
    action = action_class(context)
    events, dispatcher = run_action(action, make_tracker("", intent="ask_grant", lang=lang))
    assert events == []
    assert action.name() == f"action_{reply_name}"
    [message] = dispatcher.messages
    assert message["text"] == context.replies.render(reply_name, lang)
    assert replies_of(dispatcher) == [reply_name]


@pytest.mark.parametrize(("lang", "payload"), [("cs", "obec"), ("de", "Gemeinde"), ("pl", "gmina")])
def test_applicant_question_offers_buttons_the_form_understands(
    context: ActionContext, lang: str, payload: str
) -> None:
    from actions.grants import canonical_applicant_type

    _, dispatcher = run_action(ActionAskApplicantType(context), make_tracker("", lang=lang))
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) == 6
    assert payload in [button["payload"] for button in buttons]
    # Every button's payload is an answer validate_grant_form accepts.
    assert all(canonical_applicant_type(button["payload"]) for button in buttons)
