"""Tests of the intent classifier (nlu_components.intent_classifier) as a Rasa graph component, with the real
e5 featurizer in front of it as in config.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.e5_featurizer import E5SentenceFeaturizer
from nlu_components.intent_classifier import CharE5IntentClassifier, fold_text

# Made-up training sentences, a few per intent and language.
TRAINING = {
    "greet": ["Dobrý den", "Ahoj", "Zdravím vás", "Guten Tag", "Hallo", "Dzień dobry", "Cześć"],
    "ask_grant": [
        "Jaké dotace nabízí kraj?",
        "Můžu dostat dotaci na kotel?",
        "Je nějaký grant pro spolky?",
        "Welche Förderungen gibt es?",
        "Gibt es einen Zuschuss für Vereine?",
        "Jakie są dotacje dla stowarzyszeń?",
        "Czy mogę dostać dofinansowanie?",
    ],
    "goodbye": ["Na shledanou", "Měj se", "Sbohem", "Auf Wiedersehen", "Tschüss", "Do widzenia", "Na razie"],
}


def build(tmp_path: Path, node: str, component: type, **config: object) -> object:
    return component.create(
        {**component.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource(node),
        ExecutionContext(GraphSchema({}), node_name=node),
    )


def featurized(featurizer: E5SentenceFeaturizer, texts: list[str]) -> list[Message]:
    messages = [Message(data={TEXT: text}) for text in texts]
    featurizer.process(messages)
    return messages


@pytest.fixture
def trained(tmp_path: Path) -> tuple[E5SentenceFeaturizer, CharE5IntentClassifier]:
    featurizer = build(tmp_path, "e5", E5SentenceFeaturizer)
    examples = [
        Message(data={TEXT: text, INTENT: intent}) for intent, texts in TRAINING.items() for text in texts
    ]
    training_data = TrainingData(training_examples=examples)
    featurizer.process_training_data(training_data)
    classifier = build(tmp_path, "intent_classifier", CharE5IntentClassifier)
    classifier.train(training_data)
    return featurizer, classifier


def test_fold_text_removes_case_and_diacritics() -> None:
    assert fold_text("Nápověda ŽÁDOST Dziękuję łódź") == "napoveda zadost dziekuje lodz"


def test_unseen_wordings_without_diacritics_and_in_each_language_are_classified(trained) -> None:
    featurizer, classifier = trained
    unseen = ["dobry den", "jake dotace jsou pro spolky", "Förderung für Vereine", "Do zobaczenia"]
    messages = featurized(featurizer, unseen)
    classifier.process(messages)
    predicted = [message.get(INTENT)["name"] for message in messages]
    assert predicted == ["greet", "ask_grant", "ask_grant", "goodbye"]
    ranking = messages[0].get("intent_ranking")
    assert ranking[0]["name"] == "greet"
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)


def test_a_trained_classifier_is_loaded_from_the_model_storage(trained, tmp_path: Path) -> None:
    featurizer, classifier = trained
    loaded = CharE5IntentClassifier.load(
        classifier.config,
        LocalModelStorage(tmp_path),
        Resource("intent_classifier"),
        ExecutionContext(GraphSchema({}), node_name="intent_classifier"),
    )
    original, reloaded = featurized(featurizer, ["Cześć"]), featurized(featurizer, ["Cześć"])
    classifier.process(original)
    loaded.process(reloaded)
    assert reloaded[0].get(INTENT) == original[0].get(INTENT)


def test_messages_without_text_are_left_alone(trained) -> None:
    _, classifier = trained
    message = Message(data={INTENT: "greet"})
    classifier.process([message])
    assert message.get("intent_ranking") is None


@pytest.mark.parametrize("bad_config", [{"min_ngram": 3, "max_ngram": 2}, {"C": 0}, {"e5_weight": -1}])
def test_invalid_config_is_rejected_with_a_clear_message(
    tmp_path: Path, bad_config: dict[str, object]
) -> None:
    with pytest.raises(InvalidConfigException, match="CharE5IntentClassifier"):
        build(tmp_path, "intent_classifier", CharE5IntentClassifier, **bad_config)
