"""Tests of the e5 sentence featurizer (nlu_components.e5_featurizer) as a Rasa graph component."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.e5_featurizer import E5_DIMENSION, E5SentenceFeaturizer


def build_featurizer(tmp_path, **config_overrides: object) -> E5SentenceFeaturizer:
    """Creates the component the way Rasa's graph runner does."""
    config = {**E5SentenceFeaturizer.get_default_config(), **config_overrides}
    return E5SentenceFeaturizer.create(
        config,
        LocalModelStorage(tmp_path),
        Resource("e5_featurizer"),
        ExecutionContext(GraphSchema({}), node_name="e5_featurizer"),
    )


def features_of_type(message: Message, feature_type: str) -> list[Features]:
    return [feature for feature in message.features if feature.type == feature_type]


def sentence_vector(message: Message) -> np.ndarray:
    """The dense sentence feature of the message text as a 1-d vector."""
    (sentence,) = features_of_type(message, FEATURE_TYPE_SENTENCE)
    return sentence.features.reshape(-1)


def cosine(first: np.ndarray, second: np.ndarray) -> float:
    return float(first @ second / (np.linalg.norm(first) * np.linalg.norm(second)))


def test_adds_one_normalized_dense_sentence_feature_and_no_sequence_feature(tmp_path) -> None:
    featurizer = build_featurizer(tmp_path)
    message = Message(data={TEXT: "Jaké dotace nabízí Liberecký kraj?"})

    featurizer.process([message])

    assert features_of_type(message, FEATURE_TYPE_SEQUENCE) == []
    (sentence,) = features_of_type(message, FEATURE_TYPE_SENTENCE)
    assert sentence.attribute == TEXT
    assert sentence.is_dense()
    assert sentence.origin == "e5_featurizer"
    assert sentence.features.shape == (1, E5_DIMENSION)
    assert sentence.features.dtype == np.float32
    assert np.linalg.norm(sentence.features) == pytest.approx(1.0, abs=1e-3)


def test_training_data_is_featurized_and_messages_without_text_are_skipped(tmp_path) -> None:
    featurizer = build_featurizer(tmp_path, batch_size=2)
    examples = [
        Message(data={TEXT: text, INTENT: "greet"}) for text in ["Dobrý den", "Guten Tag", "Dzień dobry"]
    ]
    intent_only = Message(data={INTENT: "greet"})

    featurized = featurizer.process_training_data(TrainingData(training_examples=[*examples, intent_only]))

    assert featurized.training_examples == [*examples, intent_only]
    assert all(sentence_vector(example).shape == (E5_DIMENSION,) for example in examples)
    assert intent_only.features == []


def test_duplicate_texts_in_different_batches_get_the_same_vector(tmp_path) -> None:
    featurizer = build_featurizer(tmp_path, batch_size=2)
    messages = [Message(data={TEXT: text}) for text in ["Ahoj", "Nashle", "Díky", " Ahoj "]]

    featurizer.process(messages)

    np.testing.assert_allclose(sentence_vector(messages[0]), sentence_vector(messages[3]), atol=1e-6)
    assert cosine(sentence_vector(messages[0]), sentence_vector(messages[1])) < 0.999


def test_each_czech_sentence_is_nearest_to_its_german_and_polish_translation(tmp_path) -> None:
    featurizer = build_featurizer(tmp_path)
    czech = ["Jaké dotace nabízí kraj pro obce?", "Chci mluvit s člověkem z úřadu", "Jaké bude zítra počasí?"]
    german = [
        "Welche Fördermittel bietet die Region für Gemeinden?",
        "Ich möchte mit einem Menschen vom Amt sprechen",
        "Wie wird morgen das Wetter?",
    ]
    polish = [
        "Jakie dotacje oferuje kraj dla gmin?",
        "Chcę rozmawiać z człowiekiem z urzędu",
        "Jaka będzie jutro pogoda?",
    ]
    messages = {text: Message(data={TEXT: text}) for text in [*czech, *german, *polish]}
    featurizer.process(list(messages.values()))

    for translations in (german, polish):
        similarity = np.array(
            [
                [
                    cosine(sentence_vector(messages[source]), sentence_vector(messages[target]))
                    for target in translations
                ]
                for source in czech
            ]
        )
        # Row i: the Czech sentence i against every translation; the diagonal (its own translation) wins.
        assert list(similarity.argmax(axis=1)) == [0, 1, 2]
        assert similarity.diagonal().min() > 0.8


def test_typo_and_missing_diacritics_stay_close_to_the_correct_spelling(tmp_path) -> None:
    featurizer = build_featurizer(tmp_path)
    correct, sloppy, other_intent = (
        Message(data={TEXT: text})
        for text in ["Chci mluvit s člověkem", "chci mluvit s clovkem", "Jaké bude zítra počasí?"]
    )
    featurizer.process([correct, sloppy, other_intent])

    assert cosine(sentence_vector(correct), sentence_vector(sloppy)) > cosine(
        sentence_vector(correct), sentence_vector(other_intent)
    )


@pytest.mark.parametrize(
    "bad_config",
    [{"batch_size": 0}, {"batch_size": "many"}, {"prefix": "document"}],
)
def test_invalid_config_is_rejected_with_a_clear_message(tmp_path, bad_config: dict[str, object]) -> None:
    with pytest.raises(InvalidConfigException, match="E5SentenceFeaturizer"):
        build_featurizer(tmp_path, **bad_config)


def test_empty_and_whitespace_texts_get_no_features(tmp_path) -> None:
    featurizer = build_featurizer(tmp_path)
    blank = Message(data={TEXT: "   "})

    featurizer.process([blank])

    assert blank.features == []


def test_each_text_is_embedded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlu_components import e5_featurizer

    embedded: list[str] = []

    def fake_embed(texts: list[str], prefix: str) -> np.ndarray:
        embedded.extend(texts)
        return np.ones((len(texts), e5_featurizer.E5_DIMENSION), dtype=np.float32)

    monkeypatch.setattr(e5_featurizer, "_embed_uncached", fake_embed)
    monkeypatch.setattr(e5_featurizer, "_vector_cache", {})
    first = e5_featurizer._embed(["ano", "díky", "ano"], "query")
    second = e5_featurizer._embed(["díky", "nový text"], "query")
    assert first.shape == (3, e5_featurizer.E5_DIMENSION)
    assert second.shape == (2, e5_featurizer.E5_DIMENSION)
    assert embedded == ["ano", "díky", "nový text"]
