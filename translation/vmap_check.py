"""Restricted (vocabulary map) against full output of the same model on a sentence set: exact match and
chrF between the two (the full output is the reference), and the time each took. Recorded in the manifest
(`vmap_check`), because the map stays off until this has been run with the real models (issue 14)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from translation.backends import CTranslate2Backend, DecodingOptions
from translation.manifest import read_manifest, write_manifest
from translation.vmap import VMAP_NAME


class VmapCheckError(RuntimeError):
    """The check cannot run (no model, no map, no sentences); the message says which."""


def _chrf(hypotheses: list[str], references: list[str]) -> float | None:
    try:
        import sacrebleu
    except ImportError:  # chrF is optional; exact match is always reported
        return None
    return round(float(sacrebleu.corpus_chrf(hypotheses, [references]).score), 2)


def compare_restricted_and_full(
    models_dir: Path, direction: str, sentences: list[str], beam_size: int = 4
) -> dict[str, object]:
    model = read_manifest(models_dir).directions.get(direction)
    if model is None or not model.ct2_dir:
        raise VmapCheckError(f"{direction} is not installed with a CTranslate2 model")
    ct2_dir = models_dir / model.ct2_dir
    if not (ct2_dir / VMAP_NAME).is_file():
        raise VmapCheckError(f"{ct2_dir} has no {VMAP_NAME}: run `python -m translation vmap` first")
    if not sentences:
        raise VmapCheckError("no sentences to compare")
    outputs: dict[bool, list[str]] = {}
    seconds: dict[bool, float] = {}
    for use_vmap in (False, True):
        options = DecodingOptions(beam_size=beam_size, use_vmap=use_vmap)
        backend = CTranslate2Backend(
            models_dir / model.hf_dir, ct2_dir, model.target_token, options, model.compute_type
        )
        started = time.perf_counter()
        outputs[use_vmap] = [backend.translate_batch([sentence])[0] for sentence in sentences]
        seconds[use_vmap] = time.perf_counter() - started
    same = sum(a == b for a, b in zip(outputs[True], outputs[False], strict=True))
    result: dict[str, object] = {
        "sentences": len(sentences),
        "beam_size": beam_size,
        "exact_match": round(same / len(sentences), 4),
        "chrf_restricted_vs_full": _chrf(outputs[True], outputs[False]),
        "full_ms_per_sentence": round(seconds[False] * 1000 / len(sentences), 1),
        "restricted_ms_per_sentence": round(seconds[True] * 1000 / len(sentences), 1),
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    manifest = read_manifest(models_dir)
    manifest.directions[direction].vmap_check = result
    write_manifest(models_dir, manifest)
    return result
