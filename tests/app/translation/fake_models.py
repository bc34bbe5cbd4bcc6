"""A model store whose "models" echo their input: the whole pipeline and API run, no weights are loaded.

For tests that are about the HTTP layer (limits, health, the fuzz test), where the tiny Marian model would
only cost time.
"""

from __future__ import annotations

from pathlib import Path

from translation.backends import DecodingOptions, TranslationBackend
from translation.manifest import InstalledModel
from translation.model_store import ModelNotInstalledError, ModelStore
from translation.registry import MODEL_REGISTRY, SUPPORTED_DIRECTIONS
from translation.service import TranslationService
from translation.settings import Settings


class EchoBackend:
    name = "echo"

    def translate_batch(self, sentences: list[str]) -> list[str]:
        return list(sentences)


class EchoStore(ModelStore):
    def __init__(self, directions: list[str]) -> None:
        super().__init__(Path("unused"), "ct2", DecodingOptions(beam_size=1, max_output_tokens=8))
        self.directions = directions

    def installed(self) -> dict[str, InstalledModel]:
        return {
            direction: InstalledModel(
                direction=direction,
                hf_id=MODEL_REGISTRY[direction].hf_id,
                hf_dir=MODEL_REGISTRY[direction].folder_name,
                ct2_dir=None,
            )
            for direction in self.directions
        }

    def backend_for(self, model: InstalledModel) -> str:
        return "echo"

    def get(self, direction: str) -> TranslationBackend:
        if direction not in self.directions:
            raise ModelNotInstalledError(direction, "run `make models`")
        return EchoBackend()


def echo_service(directions: list[str] | None = None, **settings: object) -> TranslationService:
    """A TranslationService over echoing models; every direction unless told otherwise."""
    installed = list(SUPPORTED_DIRECTIONS) if directions is None else directions
    values: dict[str, object] = {"models_dir": Path("unused"), "batch_max_wait_ms": 0, **settings}
    return TranslationService(Settings(**values), store=EchoStore(installed))  # type: ignore[arg-type]
