"""Every custom action of the domain, made with the application context.

The server registers exactly these instances (rasa_sdk's executor accepts instances), instead of letting
rasa_sdk import every module of the package and instantiate whatever ``Action`` subclass it finds.
"""

from __future__ import annotations

from rasa_sdk import Action

from actions.contacts import ActionAnswerContact
from actions.context import ActionContext
from actions.document_actions import ActionAnswerDocument, ActionFallback
from actions.form_questions import (
    ActionAskApplicantType,
    ActionAskGrantTopic,
    ActionAskHandoverContact,
    ActionAskHandoverQuestion,
)
from actions.grants import ActionAnswerGrant, ActionListGrants, ValidateGrantForm
from actions.handover import ActionSubmitHandover, ValidateHandoverForm
from actions.language import ActionSwitchLanguage
from actions.services import ActionAnswerService

ACTION_CLASSES: tuple[type[Action], ...] = (
    ActionAnswerService,
    ActionAnswerGrant,
    ActionListGrants,
    ActionAnswerDocument,
    ActionAnswerContact,
    ActionFallback,
    ActionSwitchLanguage,
    ActionSubmitHandover,
    ValidateGrantForm,
    ValidateHandoverForm,
    ActionAskApplicantType,
    ActionAskGrantTopic,
    ActionAskHandoverQuestion,
    ActionAskHandoverContact,
)


def all_actions(context: ActionContext) -> list[Action]:
    return [action_class(context) for action_class in ACTION_CLASSES]  # type: ignore[call-arg]
