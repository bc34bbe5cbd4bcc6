"""Which CTranslate2 compute type is fastest on this CPU, by measurement (at install and in `make bench`).

The published CTranslate2 speed-ups are Intel MKL int8 with VNNI; without VNNI (this project's AMD Zen 3,
AVX2 only) int8 buys memory more than speed, so the type is measured on the model itself rather than assumed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

# Within this fraction of the fastest, an int8 type wins: a quarter of float32's weight memory.
INT8_PREFERENCE = 0.05


@dataclass(frozen=True)
class ComputeTypeProbe:
    fastest: str
    milliseconds: dict[str, float]  # best of the rounds, per compute type


def supported_cpu_compute_types() -> list[str]:
    import ctranslate2

    return sorted(ctranslate2.get_supported_compute_types("cpu"))


def choose(milliseconds: dict[str, float]) -> str:
    """The fastest type; an int8 one when it is within INT8_PREFERENCE of the fastest."""
    fastest = min(milliseconds, key=milliseconds.__getitem__)
    int8_types = [name for name in milliseconds if name.startswith("int8")]
    if int8_types:
        best_int8 = min(int8_types, key=milliseconds.__getitem__)
        if milliseconds[best_int8] <= milliseconds[fastest] * (1 + INT8_PREFERENCE):
            return best_int8
    return fastest


def probe_compute_types(
    ct2_dir: Path, source_tokens: list[list[str]], output_tokens: int = 16, rounds: int = 3
) -> ComputeTypeProbe:
    """Time one single-sentence translation per round for every compute type this CPU supports (one
    replica, one thread: the serving configuration), after a warm-up each. The rounds interleave the types
    (each round runs every type once, in a rotated order), so that a change in the machine's load during
    the probe hits every type alike; the best round counts."""
    import ctranslate2

    translators = {
        compute_type: ctranslate2.Translator(
            str(ct2_dir), device="cpu", compute_type=compute_type, inter_threads=1, intra_threads=1
        )
        for compute_type in supported_cpu_compute_types()
    }
    names = list(translators)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(rounds + 1):  # round 0 is the warm-up
        shift = round_index % len(names)
        for compute_type in names[shift:] + names[:shift]:
            started = time.perf_counter()
            translators[compute_type].translate_batch(
                source_tokens,
                beam_size=1,
                max_decoding_length=output_tokens,
                min_decoding_length=output_tokens,
            )
            if round_index:
                samples[compute_type].append(time.perf_counter() - started)
    del translators
    milliseconds = {name: round(min(values) * 1000, 2) for name, values in samples.items()}
    return ComputeTypeProbe(choose(milliseconds), milliseconds)
