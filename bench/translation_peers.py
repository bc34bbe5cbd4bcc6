"""The configurations that bench/translation_bench.py compares, each run in a process of its own.

- transformers_fp32: MarianMTModel in PyTorch fp32 on all cores (the reference of issue 14's profile, the
  fastest transformers setting on an idle machine), and transformers_fp32_1_thread, the same on one thread
  (faster when other work shares the cores): the ratios take the faster of the two, per figure.
- ct2_default: this service's CTranslate2Backend as served: one replica per core of one thread, the compute
  type measured at install.
- ct2_libretranslate_settings: the same converted model under Argos Translate's CTranslate2 settings, which is
  what LibreTranslate runs (it sets none of them itself). argostranslate/settings.py (argos-translate 1.11.1):
  ARGOS_INTER_THREADS "1", ARGOS_INTRA_THREADS "0" (CTranslate2 then takes OMP_NUM_THREADS or min(4, cores)),
  ARGOS_COMPUTE_TYPE "auto" (then compute_type is not passed: the model's own type, int8 here),
  ARGOS_BATCH_SIZE "32" with batch_type "tokens"; argostranslate/translate.py translates with
  replace_unknowns, length_penalty 0.2 and return_scores, beam max(num_hypotheses, ARGOS_BEAM_SIZE "4").
- ct2_vmap: ct2_default with use_vmap and a synthetic vocabulary map.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from translation.backends import CTranslate2Backend, DecodingOptions, TransformersBackend
from translation.cpu import cpu_cores

FIXED_OUTPUT_TOKENS = 30
BEAMS = (1, 4)
BATCH_SIZES = (1, 8, 32)
TRANSFORMERS = ("transformers_fp32", "transformers_fp32_1_thread")
NAMES = (*TRANSFORMERS, "ct2_default", "ct2_libretranslate_settings", "ct2_vmap")
ARGOS_TRANSLATOR = {"inter_threads": 1, "intra_threads": 0}  # compute_type "auto": not passed
ARGOS_TRANSLATE = {
    "max_batch_size": 32,
    "batch_type": "tokens",
    "replace_unknowns": True,
    "length_penalty": 0.2,
    "return_scores": True,
}
# The synthetic vocabulary map of issue 14's profile: ~1k pieces always allowed and 50 per source piece.
VMAP_ALWAYS, VMAP_PER_SOURCE = 1000, 50


class ArgosSettingsBackend(CTranslate2Backend):
    """The converted model as Argos Translate (and so LibreTranslate) loads and calls it."""

    def __init__(self, hf_dir: Path, ct2_dir: Path, options: DecodingOptions) -> None:
        import ctranslate2

        super().__init__(hf_dir, ct2_dir, None, replace(options, threads=1))
        self.translator = ctranslate2.Translator(str(ct2_dir), device="cpu", **ARGOS_TRANSLATOR)
        self.compute_type = "default (the model's int8)"

    def translate_tokens(self, source_tokens: list[list[str]]) -> list[list[str]]:
        length = self.options.fixed_output_tokens or self.options.max_output_tokens
        results = self.translator.translate_batch(
            source_tokens,
            beam_size=self.options.beam_size,
            max_decoding_length=length,
            min_decoding_length=self.options.fixed_output_tokens or 0,
            **ARGOS_TRANSLATE,
        )
        return [result.hypotheses[0] for result in results]


def build_vmap_model(ct2_dir: Path, backend: CTranslate2Backend, sentences: list[str]) -> Path:
    """The same model files (links) beside a synthetic vmap.txt: random pieces, as speed does not depend on
    which pieces are allowed, only on how many."""
    vmap_dir = ct2_dir.parent / "ct2-vmap"
    vmap_dir.mkdir(exist_ok=True)
    for item in ct2_dir.iterdir():
        link = vmap_dir / item.name
        if not link.exists():
            link.symlink_to(item.resolve())
    vocabulary = sorted(set(backend.tokenizer.get_vocab()) - {"</s>", "<unk>", "<pad>"})
    generator = np.random.default_rng(5)
    lines = ["\t" + " ".join(generator.choice(vocabulary, VMAP_ALWAYS, replace=False))]
    for piece in sorted({piece for tokens in backend.source_tokens(sentences) for piece in tokens}):
        lines.append(f"{piece}\t{' '.join(generator.choice(vocabulary, VMAP_PER_SOURCE, replace=False))}")
    (vmap_dir / "vmap.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return vmap_dir


def rss_mb() -> dict[str, float]:
    status = Path("/proc/self/status").read_text().splitlines()
    values = {
        line.split(":")[0]: float(line.split()[1]) / 1024
        for line in status
        if line[:6] in ("VmRSS:", "VmHWM:")
    }
    return {"rss_mb": round(values.get("VmRSS", 0), 1), "peak_rss_mb": round(values.get("VmHWM", 0), 1)}


def make_backend(name: str, hf_dir: Path, ct2_dir: Path, compute_type: str) -> Any:
    options = DecodingOptions(beam_size=1, fixed_output_tokens=FIXED_OUTPUT_TOKENS, threads=cpu_cores())
    if name == "transformers_fp32":
        return TransformersBackend(hf_dir, None, options)
    if name == "transformers_fp32_1_thread":
        return TransformersBackend(hf_dir, None, replace(options, threads=1))
    if name == "ct2_default":
        return CTranslate2Backend(hf_dir, ct2_dir, None, options, compute_type)
    if name == "ct2_libretranslate_settings":
        return ArgosSettingsBackend(hf_dir, ct2_dir, options)
    if name == "ct2_vmap":
        vmap_dir = ct2_dir.parent / "ct2-vmap"
        backend = CTranslate2Backend(hf_dir, vmap_dir, None, replace(options, use_vmap=True), compute_type)
        assert backend.use_vmap, f"{vmap_dir} has no vmap.txt"
        return backend
    raise ValueError(f"unknown configuration {name}")


def _set_beam(backend: Any, beam_size: int) -> None:
    backend.options = replace(backend.options, beam_size=beam_size)
    if isinstance(backend, TransformersBackend):
        backend._generation_config = backend._make_generation_config(backend.options)


def _timed(backend: Any, batch: list[str]) -> float:
    started = time.perf_counter()
    outputs = backend.translate_batch(batch)
    elapsed = time.perf_counter() - started
    assert len(outputs) == len(batch)
    return elapsed


def worker(connection: Any, name: str, hf_dir: Path, ct2_dir: Path, compute_type: str) -> None:
    """Load one configuration and report its RSS, then answer requests until told to stop (None):
    ("beam", n) sets the beam and warms up, ("time", sentences) times one translate_batch call (seconds),
    ("rss",) reports the process's RSS and peak."""
    import ctranslate2  # noqa: F401 - imported before the baseline RSS, like transformers below
    import transformers  # noqa: F401

    before = rss_mb()["rss_mb"]
    backend = make_backend(name, hf_dir, ct2_dir, compute_type)
    loaded = rss_mb()["rss_mb"]
    connection.send(
        {
            "rss_before_model_mb": before,
            "rss_loaded_mb": loaded,
            "model_rss_mb": round(loaded - before, 1),
            "compute_type": getattr(backend, "compute_type", "float32"),
            "replicas": getattr(backend, "replicas", 1),
        }
    )
    while (request := connection.recv()) is not None:
        if request[0] == "beam":
            _set_beam(backend, request[1])
            connection.send(_timed(backend, request[2]))
        elif request[0] == "time":
            connection.send(_timed(backend, request[1]))
        else:
            connection.send(rss_mb())


def _rotated(names: list[str], shift: int) -> list[str]:
    shift %= len(names)
    return names[shift:] + names[:shift]


def one_round(
    call: Callable[[str, tuple[Any, ...]], Any],
    names: list[str],
    sentences: list[str],
    latency_count: int,
    index: int,
) -> dict[str, dict[str, float]]:
    """One round over every configuration, interleaved sentence by sentence (each sentence goes to every
    configuration in turn, the order rotating), so that the figures of one round share the same moments of
    the machine's load. Per configuration: single-sentence latency at each beam (median of `latency_count`
    sentences), tokens/s at batch 1 (the beam-1 latency run itself), 8 (two batches) and 32 (one batch of
    the 32 `sentences`) at beam 1, the RSS after the round, and the load average when the round started."""
    load = round(os.getloadavg()[0], 2)
    figures: dict[str, dict[str, float]] = {name: {"load_1min": load} for name in names}
    for beam_size in BEAMS:
        for name in names:
            call(name, ("beam", beam_size, sentences[-1:]))  # the warm-up at this beam
        samples: dict[str, list[float]] = {name: [] for name in names}
        for position, sentence in enumerate(sentences[:latency_count]):
            for name in _rotated(names, index + position):
                samples[name].append(call(name, ("time", [sentence])))
        for name, values in samples.items():
            figures[name][f"beam_{beam_size}_p50_ms"] = round(statistics.median(values) * 1000, 1)
            if beam_size == 1:
                figures[name]["batch_1_tokens_per_s"] = round(
                    FIXED_OUTPUT_TOKENS * len(values) / sum(values), 1
                )
    for name in names:
        call(name, ("beam", 1, sentences[-1:]))
    for batch_size in BATCH_SIZES[1:]:
        count = min(2 * batch_size, len(sentences))
        batches = [sentences[start : start + batch_size] for start in range(0, count, batch_size)]
        for name in _rotated(names, index):
            elapsed = sum(call(name, ("time", batch)) for batch in batches)
            figures[name][f"batch_{batch_size}_tokens_per_s"] = round(
                count * FIXED_OUTPUT_TOKENS / elapsed, 1
            )
    for name in names:
        figures[name].update(call(name, ("rss",)))
    return figures
