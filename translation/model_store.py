"""Lazily loaded models, at most `max_loaded` in memory (least recently used goes first)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from translation.backends import CTranslate2Backend, DecodingOptions, TransformersBackend, TranslationBackend
from translation.manifest import InstalledModel, read_manifest
from translation.registry import SUPPORTED_DIRECTIONS


class ModelNotInstalledError(LookupError):
    """No usable model for a direction; the message says why."""

    def __init__(self, direction: str, reason: str) -> None:
        super().__init__(f"no translation model installed for {direction}: {reason}")
        self.direction = direction


class ModelStore:
    def __init__(self, models_dir: Path, backend: str, options: DecodingOptions, max_loaded: int = 3) -> None:
        self.models_dir = models_dir
        self.preferred_backend = backend
        self.options = options
        self.max_loaded = max_loaded
        self._loaded: OrderedDict[tuple[str, str | None], TranslationBackend] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0
        self.evictions = 0

    def installed(self) -> dict[str, InstalledModel]:
        """Installed directions, read fresh so that `make models` is seen without a restart."""
        manifest = read_manifest(self.models_dir)
        return {
            direction: model
            for direction, model in manifest.directions.items()
            if direction in SUPPORTED_DIRECTIONS and (self.models_dir / model.hf_dir).is_dir()
        }

    def backend_for(self, model: InstalledModel) -> str:
        if self.preferred_backend == "ct2" and model.ct2_dir and (self.models_dir / model.ct2_dir).is_dir():
            return "ct2"
        return "transformers"

    def uses_vmap(self, model: InstalledModel) -> bool:
        """The vocabulary map serves only when TRANSLATION_USE_VMAP opts in and `python -m translation
        vmap-check` has compared its output with the full vocabulary's and recorded it (a new map clears the
        record): an unchecked map is never used, whatever the setting says (issue 14)."""
        return self.options.use_vmap and model.vmap is not None and model.vmap_check is not None

    def loaded_keys(self) -> list[tuple[str, str | None]]:
        with self._lock:
            return list(self._loaded)

    def get(self, direction: str) -> TranslationBackend:
        """The backend of a direction, loading it on first use. Blocking: call it from a worker thread."""
        model = self.installed().get(direction)
        if model is None:
            raise ModelNotInstalledError(direction, "run `make models`")
        backend_name = self.backend_for(model)
        # cs-pl and pl-cs share one model file but differ by target token, hence the key.
        key = (f"{backend_name}:{model.hf_dir}", model.target_token)
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
            try:
                if backend_name == "ct2":
                    assert model.ct2_dir is not None
                    loaded: TranslationBackend = CTranslate2Backend(
                        self.models_dir / model.hf_dir,
                        self.models_dir / model.ct2_dir,
                        model.target_token,
                        replace(self.options, use_vmap=self.uses_vmap(model)),
                        model.compute_type,
                    )
                else:
                    loaded = TransformersBackend(
                        self.models_dir / model.hf_dir, model.target_token, self.options
                    )
            except Exception as error:  # a broken install must become a 503, not a crash
                raise ModelNotInstalledError(
                    direction, f"loading failed ({error}); run `make models`"
                ) from error
            self._loaded[key] = loaded
            self.loads += 1
            while len(self._loaded) > self.max_loaded:
                self._loaded.popitem(last=False)
                self.evictions += 1
            return loaded
