"""Which published OPUS-MT model serves which direction.

Scores are copied from the model cards' benchmark tables on Hugging Face (see the README section);
cs<->pl uses the multilingual West-Slavic model with a target-language token, because its published
Tatoeba scores (ces->pol 44.0 BLEU, pol->ces 43.4) come from one model, whereas a pivot through English
chains two models (cs->en, en->pl) whose errors add up and doubles the latency.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES: dict[str, str] = {"cs": "Czech", "de": "German", "pl": "Polish"}


@dataclass(frozen=True)
class ModelSpec:
    """A published model and how one direction uses it."""

    hf_id: str
    # Multilingual models need a sentence-initial `>>xxx<<` token naming the target language.
    target_token: str | None = None

    @property
    def folder_name(self) -> str:
        """Name of the model's folder under TRANSLATION_MODELS_DIR (one folder per model, shared by
        the directions that use it)."""
        return self.hf_id.replace("/", "--")


MODEL_REGISTRY: dict[str, ModelSpec] = {
    "cs-de": ModelSpec("Helsinki-NLP/opus-mt-cs-de"),
    "de-cs": ModelSpec("Helsinki-NLP/opus-mt-de-cs"),
    "de-pl": ModelSpec("Helsinki-NLP/opus-mt-de-pl"),
    "pl-de": ModelSpec("Helsinki-NLP/opus-mt-pl-de"),
    "cs-pl": ModelSpec("Helsinki-NLP/opus-mt-zlw-zlw", target_token=">>pol<<"),
    "pl-cs": ModelSpec("Helsinki-NLP/opus-mt-zlw-zlw", target_token=">>ces<<"),
}

SUPPORTED_DIRECTIONS: tuple[str, ...] = tuple(MODEL_REGISTRY)


def direction_of(source: str, target: str) -> str:
    return f"{source}-{target}"
