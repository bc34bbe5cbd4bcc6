"""The record of installed models: `manifest.json` in TRANSLATION_MODELS_DIR."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_NAME = "manifest.json"


@dataclass
class InstalledModel:
    """One installed direction. Paths are relative to the models folder."""

    direction: str
    hf_id: str
    hf_dir: str
    ct2_dir: str | None
    target_token: str | None = None
    quantization: str | None = None
    # Measured at install (translation/compute_types.py): the fastest type and each type's milliseconds.
    compute_type: str | None = None
    compute_type_ms: dict[str, float] = field(default_factory=dict)
    # The vocabulary map (translation/vmap.py) when one was built, and the recorded restricted-vs-full
    # comparison (`python -m translation vmap-check`); None until built or checked.
    vmap: dict[str, object] | None = None
    vmap_check: dict[str, object] | None = None
    check_source: str = ""
    check_output: str = ""
    installed_at: str = ""


@dataclass
class Manifest:
    directions: dict[str, InstalledModel] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {"directions": {name: asdict(model) for name, model in sorted(self.directions.items())}},
            ensure_ascii=False,
            indent=2,
        )


def manifest_path(models_dir: Path) -> Path:
    return models_dir / MANIFEST_NAME


def read_manifest(models_dir: Path) -> Manifest:
    """The manifest, or an empty one when nothing is installed (a missing or unreadable file)."""
    path = manifest_path(models_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["directions"]
        return Manifest({name: InstalledModel(**entry) for name, entry in entries.items()})
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest()


def write_manifest(models_dir: Path, manifest: Manifest) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    temporary = manifest_path(models_dir).with_suffix(".json.tmp")
    temporary.write_text(manifest.to_json(), encoding="utf-8")
    temporary.replace(manifest_path(models_dir))  # atomic: a running service never reads half a file
