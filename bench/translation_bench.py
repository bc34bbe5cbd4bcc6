"""Translation speed on this CPU, in one run: transformers fp32, this service's CTranslate2 configuration,
LibreTranslate / Argos Translate's own CTranslate2 settings, and the opt-in vocabulary map, on the same model
(bench/translation_peers.py describes each).

The model has the Helsinki-NLP/opus-mt-cs-de architecture (d_model 512, 6+6 layers, 8 heads, FFN 2048,
vocabulary 58,101) with random weights, built on the spot (no weights can be downloaded here); every
sentence decodes exactly 30 tokens, so every configuration does the same work. Each configuration lives in
its own process (its RSS is its own) and the rounds interleave them, each round in another order, so that a
change in the machine's load hits all of them alike: min/median/max over the rounds, with the load average
beside each round. Then 16 HTTP clients through the service, micro-batched against one sentence at a time.
Writes the `translation` section of bench/results.json (the `gpu` subsection of an earlier run is kept).

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the benchmark's own process (it restarts itself
without them; --keep-env keeps them) and what was removed is recorded in the results: they pin OpenBLAS to
another CPU's kernels and cache size, which is no setting a deployment of this service would carry.

    .venv-app/bin/python -m bench.translation_bench [--rounds 3] [--quick] [--keep-env]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
UNSET_FOR_BENCH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_REMOVED_MARK = "TRANSLATION_BENCH_REMOVED_ENV"


def _restart_without_openblas_overrides(arguments: list[str]) -> None:
    """exec this module again without UNSET_FOR_BENCH, so no library of any process reads them."""
    removed = {name: os.environ[name] for name in UNSET_FOR_BENCH if name in os.environ}
    if not removed:
        return
    environment = {key: value for key, value in os.environ.items() if key not in removed}
    environment[_REMOVED_MARK] = json.dumps(removed)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    print(f"unsetting {', '.join(f'{k}={v}' for k, v in removed.items())} for the benchmark", flush=True)
    os.execve(sys.executable, [sys.executable, "-m", "bench.translation_bench", *arguments], environment)


# Typical sentence material of the regional documents (12-25 words a sentence).
_WORDS = " ".join(
    [
        "kraj podporuje spolupráci obcí v oblasti dopravy energetiky vody školství zdravotnictví cestovního",
        "ruchu a digitalizace veřejné správy pracovní skupina navrhla opatření pro venkov města a neziskové",
        "organizace dotační program je určen pro žadatele z regionu kteří připravují projekty s",
        "přeshraničním dopadem",
    ]
).split(" ")


def benchmark_sentences(count: int, seed: int = 1) -> list[str]:
    """Distinct sentences (each ends with its number) from the documents' vocabulary."""
    import numpy as np

    generator = np.random.default_rng(seed)
    sentences = []
    for index in range(count):
        length = int(generator.integers(12, 26))
        chosen = [_WORDS[int(i)] for i in generator.integers(0, len(_WORDS), length)]
        sentences.append(f"{' '.join(chosen).capitalize()} {index}.")
    return sentences


def build_model(work_dir: Path) -> tuple[Path, Path]:
    from translation.install import convert_to_ct2
    from translation.tiny_model import OPUS_MT_CS_DE_SHAPE, build_tiny_marian

    hf_dir = work_dir / "opus-mt-cs-de-shape" / "hf"
    ct2_dir = work_dir / "opus-mt-cs-de-shape" / "ct2"
    if not (hf_dir / "config.json").is_file():
        build_tiny_marian(hf_dir, OPUS_MT_CS_DE_SHAPE)
    if not (ct2_dir / "model.bin").is_file():
        convert_to_ct2(hf_dir, ct2_dir)
    return hf_dir, ct2_dir


def summary(values: list[float]) -> dict[str, float]:
    """min/median/max over the rounds and the spread, (max - min) / median."""
    median = statistics.median(values)
    spread = round((max(values) - min(values)) / median, 3) if median else 0.0
    return {"min": min(values), "median": median, "max": max(values), "spread": spread}


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def run_interleaved(
    hf_dir: Path, ct2_dir: Path, compute_type: str, sentences: list[str], rounds: int, latency_count: int
) -> tuple[dict[str, Any], list[dict[str, dict[str, float]]]]:
    """Every configuration in its own process, the rounds interleaved sentence by sentence; per
    configuration min/median/max of each figure over the rounds, and the rounds themselves."""
    from bench.translation_peers import NAMES, one_round, worker

    context = multiprocessing.get_context("spawn")
    workers: dict[str, tuple[Any, Any]] = {}
    loaded: dict[str, dict[str, Any]] = {}

    def call(name: str, request: tuple[Any, ...]) -> Any:
        connection = workers[name][0]
        connection.send(request)
        return connection.recv()

    per_round: list[dict[str, dict[str, float]]] = []
    try:
        for name in NAMES:
            parent, child = context.Pipe()
            process = context.Process(target=worker, args=(child, name, hf_dir, ct2_dir, compute_type))
            process.start()
            workers[name] = (parent, process)
            loaded[name] = parent.recv()
        for index in range(rounds):
            per_round.append(one_round(call, list(NAMES), sentences, latency_count, index))
            for name, figures in per_round[-1].items():
                print(f"round {index + 1} {name}: {figures}", flush=True)
    finally:
        for connection, process in workers.values():
            connection.send(None)
            process.join(timeout=60)
    backends: dict[str, Any] = {}
    for name in NAMES:
        figures = [round_figures[name] for round_figures in per_round]
        keys = [key for key in figures[0] if key not in ("rss_mb", "peak_rss_mb", "load_1min")]
        backends[name] = {
            **{key: summary([round_figures[key] for round_figures in figures]) for key in keys},
            **loaded[name],
            "peak_rss_mb": max(round_figures["peak_rss_mb"] for round_figures in figures),
        }
    return backends, per_round


def _better(key: str, first: float, second: float) -> bool:
    """Whether `first` beats `second` for the figure `key` (tokens/s: higher; milliseconds: lower)."""
    return first > second if key.endswith("tokens_per_s") else first < second


def with_transformers_best(backends: dict[str, Any], statistic: str = "median") -> dict[str, str]:
    """Add `transformers_best`: per figure, the faster transformers configuration's summary; returns which
    configuration that was for each figure."""
    from bench.translation_peers import TRANSFORMERS

    best: dict[str, Any] = {}
    chosen: dict[str, str] = {}
    for key, value in backends[TRANSFORMERS[0]].items():
        if not (isinstance(value, dict) and statistic in value):
            continue
        first, second = (backends[name][key][statistic] for name in TRANSFORMERS)
        name = TRANSFORMERS[1] if _better(key, second, first) else TRANSFORMERS[0]
        best[key], chosen[key] = backends[name][key], name
    backends["transformers_best"] = best
    return chosen


def ratios_of(backends: dict[str, Any], statistic: str = "median") -> dict[str, float]:
    """`statistic` against `statistic` (medians over the rounds, or one round's figures), all from the one
    run. `transformers` is the faster transformers configuration for each figure;
    `transformers_fp32_2_threads` is issue 14's reference setting alone."""

    def faster(name: str, than: str, key: str) -> float:
        ours, theirs = backends[name][key][statistic], backends[than][key][statistic]
        return round(ours / theirs if key.endswith("tokens_per_s") else theirs / ours, 2)

    ratios: dict[str, float] = {}
    for beam in (1, 4):
        key = f"beam_{beam}_p50_ms"
        for name in ("ct2_default", "ct2_vmap", "ct2_libretranslate_settings"):
            ratios[f"{name}_vs_transformers_beam_{beam}"] = faster(name, "transformers_best", key)
        ratios[f"ct2_default_vs_transformers_fp32_2_threads_beam_{beam}"] = faster(
            "ct2_default", "transformers_fp32", key
        )
        ratios[f"ct2_default_vs_libretranslate_settings_beam_{beam}"] = faster(
            "ct2_default", "ct2_libretranslate_settings", key
        )
    for batch in (1, 8, 32):
        key = f"batch_{batch}_tokens_per_s"
        ratios[f"ct2_default_vs_transformers_{key}"] = faster("ct2_default", "transformers_best", key)
        ratios[f"ct2_default_vs_libretranslate_settings_{key}"] = faster(
            "ct2_default", "ct2_libretranslate_settings", key
        )
    return ratios


def ratios_per_round(per_round: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Each ratio computed within each round (the same minutes of load on both sides), over the rounds."""
    rounds = []
    for figures in per_round:
        backends = {
            name: {key: {"round": value} for key, value in values.items()} for name, values in figures.items()
        }
        with_transformers_best(backends, "round")
        rounds.append(ratios_of(backends, "round"))
    return {key: summary([ratios[key] for ratios in rounds]) for key in rounds[0]}


def run_http(work_dir: Path, hf_dir: Path, ct2_dir: Path, compute_type: str, quick: bool) -> dict[str, Any]:
    from bench.http_load import HttpLoad, measure_http, write_benchmark_manifest
    from bench.translation_peers import FIXED_OUTPUT_TOKENS
    from translation.backends import DecodingOptions
    from translation.settings import Settings

    models_dir = work_dir / "models"
    write_benchmark_manifest(models_dir, hf_dir, ct2_dir, compute_type)
    clients, per_client = 16, 2 if quick else 4
    options = DecodingOptions(beam_size=1, fixed_output_tokens=FIXED_OUTPUT_TOKENS)
    sentences = benchmark_sentences(clients * per_client + 1, seed=7)
    default_batch = Settings.model_fields["batch_max_size"].default
    http: dict[str, Any] = {
        "clients": clients,
        "beam_size": 1,
        "load_at_start": _load(),
        "configurations": {
            "serial": "one sentence at a time: TRANSLATION_BATCH_MAX_SIZE=1, one replica",
            "micro_batched": f"the service's defaults: batch up to {default_batch}, 5 ms wait, "
            "one replica per core",
        },
    }
    for label, batch_max_size, threads in (("serial", 1, 1), ("micro_batched", default_batch, 0)):
        http[label] = measure_http(HttpLoad(models_dir, sentences, clients, batch_max_size, threads, options))
        print(f"http {label}: {http[label]}", flush=True)
    http["micro_batching_speedup"] = round(
        http["micro_batched"]["sentences_per_s"] / http["serial"]["sentences_per_s"], 2
    )
    return http


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.translation_peers import (
        ARGOS_TRANSLATE,
        ARGOS_TRANSLATOR,
        FIXED_OUTPUT_TOKENS,
        VMAP_ALWAYS,
        VMAP_PER_SOURCE,
        build_vmap_model,
    )
    from translation.backends import CTranslate2Backend, DecodingOptions
    from translation.compute_types import probe_compute_types
    from translation.cpu import cpu_cores, cpu_vendor

    started = time.perf_counter()
    load_at_start = _load()
    hf_dir, ct2_dir = build_model(arguments.work_dir)
    sentences = benchmark_sentences(32)
    probe_backend = CTranslate2Backend(hf_dir, ct2_dir, None, DecodingOptions(threads=1))
    # As at install: every compute type this CPU supports, one sentence on one replica of one thread.
    probe = probe_compute_types(ct2_dir, probe_backend.source_tokens(sentences[:1]), FIXED_OUTPUT_TOKENS)
    build_vmap_model(ct2_dir, probe_backend, sentences)
    del probe_backend
    print(f"compute types (one sentence, ms): {probe.milliseconds} -> {probe.fastest}", flush=True)

    latency_count = 4 if arguments.quick else 6
    backends, per_round = run_interleaved(
        hf_dir, ct2_dir, probe.fastest, sentences, arguments.rounds, latency_count
    )
    transformers_reference = with_transformers_best(backends)
    ratios = ratios_of(backends)
    round_ratios = ratios_per_round(per_round)
    http = run_http(arguments.work_dir, hf_dir, ct2_dir, probe.fastest, arguments.quick)
    default = backends["ct2_default"]
    spreads = {
        name: {
            key: value["spread"]
            for key, value in values.items()
            if isinstance(value, dict) and "spread" in value
        }
        for name, values in backends.items()
    }
    removed = json.loads(os.environ.get(_REMOVED_MARK, "{}"))
    return {
        "model": "opus-mt-cs-de architecture (d_model 512, 6+6 layers, 8 heads, FFN 2048, vocabulary 58,101) "
        "with random weights built on the spot: no Hugging Face weights can be downloaded here",
        "output_tokens": FIXED_OUTPUT_TOKENS,
        "machine": f"{platform.machine()}, {cpu_cores()} cores, {cpu_vendor() or 'unknown vendor'}, "
        f"{_cpu_model()}; int8 dot-product instructions: {_vnni()}",
        "load_average_1_5_15": {"start": load_at_start, "end": _load()},
        "environment": {
            "unset_by_the_benchmark": removed or "nothing (started with --keep-env or without them)",
            **{
                name: os.environ.get(name, "(unset)")
                for name in (*UNSET_FOR_BENCH, "OMP_NUM_THREADS", "CT2_USE_MKL")
            },
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rounds": arguments.rounds,
        "latency_sentences_per_round": latency_count,
        "configurations": {
            "transformers_fp32": f"MarianMTModel fp32, torch threads {cpu_cores()} (issue 14's reference)",
            "transformers_fp32_1_thread": "MarianMTModel fp32, torch threads 1",
            "transformers_best": "per figure, the faster of the two transformers configurations: "
            + ", ".join(f"{key} {name}" for key, name in transformers_reference.items()),
            "ct2_default": f"this service: {default['replicas']} replicas x 1 thread, compute type "
            f"{default['compute_type']} (measured, as at install)",
            "ct2_libretranslate_settings": f"Argos Translate 1.11.1 defaults, as LibreTranslate runs them: "
            f"Translator {ARGOS_TRANSLATOR}, translate_batch {ARGOS_TRANSLATE}",
            "ct2_vmap": f"ct2_default + use_vmap, synthetic map ({VMAP_ALWAYS} pieces + {VMAP_PER_SOURCE} "
            "per source piece; speed only, no quality can be measured with random weights)",
        },
        "compute_type_probe_ms": probe.milliseconds,
        "compute_type": probe.fastest,
        "backends": backends,
        "ratios": ratios,
        "ratios_within_each_round": round_ratios,
        "load_1min_per_round": [next(iter(figures.values()))["load_1min"] for figures in per_round],
        "http_16_clients": http,
        "targets": {
            "beam_1_at_least_2.7x_transformers": ratios["ct2_default_vs_transformers_beam_1"] >= 2.7,
            "beam_4_at_least_4x_transformers": ratios["ct2_default_vs_transformers_beam_4"] >= 4,
            "spread_under_15_percent_default_single_sentence": all(
                default[f"beam_{beam}_p50_ms"]["spread"] < 0.15 for beam in (1, 4)
            ),
            **{
                f"at_least_1.5x_libretranslate_settings_beam_{beam}": ratios[
                    f"ct2_default_vs_libretranslate_settings_beam_{beam}"
                ]
                >= 1.5
                for beam in (1, 4)
            },
            "batch_32_at_least_3x_transformers": ratios["ct2_default_vs_transformers_batch_32_tokens_per_s"]
            >= 3,
            "micro_batching_at_least_3x_serial": http["micro_batching_speedup"] >= 3,
            "vmap_at_least_4x_transformers_beam_1": ratios["ct2_vmap_vs_transformers_beam_1"] >= 4,
        },
        "spreads": spreads,
        "total_s": round(time.perf_counter() - started, 1),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown model"


def _vnni() -> str:
    for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            found = sorted(flags & {"avx512_vnni", "avx_vnni", "avx512f", "avx2"})
            return ", ".join(found) or "none of avx2/avx512f/vnni"
    return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=REPO_ROOT / "var" / "bench-translation",
        help="where the random model is built and kept between runs (~400 MB)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--keep-env", action="store_true", help=f"keep {' and '.join(UNSET_FOR_BENCH)}")
    parser.add_argument("--output", choices=["results", "stdout"], default="results")
    arguments = parser.parse_args()
    if not arguments.keep_env:
        _restart_without_openblas_overrides(sys.argv[1:])
    sys.path.insert(0, str(REPO_ROOT))
    from bench.results import merge_results

    arguments.work_dir.mkdir(parents=True, exist_ok=True)
    section = run(arguments)
    if arguments.output == "results":
        merge_results(section, "translation", keep=("gpu",))
    else:
        print(json.dumps(section, indent=2, ensure_ascii=False))
    print(json.dumps({key: section[key] for key in ("ratios", "targets", "total_s")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
