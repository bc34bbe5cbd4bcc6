"""Translation speed: transformers fp32 vs CTranslate2 int8, and micro-batching through the HTTP API.

Runs on a model of the Helsinki-NLP/opus-mt-cs-de architecture (d_model 512, 6+6 layers, 8 heads, FFN 2048,
vocabulary 58,101) with random weights, so no download is needed; every sentence decodes exactly
FIXED_OUTPUT_TOKENS tokens (greedy), so both backends do the same amount of work.
Writes (merges) the `translation` section of bench/results.json.

    .venv-app/bin/python -m bench.translation_bench [--quick] [--threads N] [--device cuda]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.results import RESULTS_PATH, merge_results  # noqa: E402
from translation.backends import (  # noqa: E402
    CTranslate2Backend,
    DecodingOptions,
    TransformersBackend,
    TranslationBackend,
)
from translation.install import convert_to_ct2  # noqa: E402
from translation.manifest import InstalledModel, Manifest, write_manifest  # noqa: E402
from translation.model_store import ModelStore  # noqa: E402
from translation.service import TranslationService  # noqa: E402
from translation.settings import Settings  # noqa: E402
from translation.tiny_model import OPUS_MT_CS_DE_SHAPE, build_tiny_marian  # noqa: E402

FIXED_OUTPUT_TOKENS = 30
# Typical sentence lengths of the regional documents (12-25 words), written for the benchmark.
_WORDS = tuple(
    " ".join(
        [
            "kraj podporuje spolupráci obcí v oblasti dopravy energetiky vody školství zdravotnictví",
            "cestovního ruchu a digitalizace veřejné správy pracovní skupina navrhla opatření pro venkov",
            "města a neziskové organizace dotační program je určen pro žadatele z regionu kteří",
            "připravují projekty s přeshraničním dopadem",
        ]
    ).split(" ")
)


def benchmark_sentences(count: int, seed: int = 1) -> list[str]:
    generator = np.random.default_rng(seed)
    sentences = []
    for index in range(count):
        length = int(generator.integers(12, 26))
        words = [_WORDS[int(i)] for i in generator.integers(0, len(_WORDS), length)]
        sentences.append(f"{' '.join(words).capitalize()} {index}.")
    return sentences


def build_model(work_dir: Path) -> tuple[Path, Path]:
    hf_dir = work_dir / "opus-mt-cs-de-shape" / "hf"
    ct2_dir = work_dir / "opus-mt-cs-de-shape" / "ct2"
    if not (hf_dir / "config.json").is_file():
        build_tiny_marian(hf_dir, OPUS_MT_CS_DE_SHAPE)
    if not (ct2_dir / "model.bin").is_file():
        convert_to_ct2(hf_dir, ct2_dir)
    return hf_dir, ct2_dir


def percentile_ms(samples: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(samples) * 1000, q)), 1)


def measure_latency(backend: TranslationBackend, sentences: list[str]) -> dict[str, float]:
    backend.translate_batch(sentences[:1])  # warm-up
    samples = []
    for sentence in sentences:
        started = time.perf_counter()
        backend.translate_batch([sentence])
        samples.append(time.perf_counter() - started)
    return {"p50_ms": percentile_ms(samples, 50), "p95_ms": percentile_ms(samples, 95), "n": len(samples)}


def measure_throughput(backend: TranslationBackend, sentences: list[str], batch_size: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(sentences), batch_size):
        backend.translate_batch(sentences[start : start + batch_size])
    return round(len(sentences) / (time.perf_counter() - started), 2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure_http(
    models_dir: Path, options: DecodingOptions, clients: int, requests_per_client: int, batch_max_size: int
) -> dict[str, float]:
    """Sentences/s through POST /translate under `clients` concurrent clients (cache off, distinct text)."""
    import httpx
    import uvicorn

    from translation.api.dependencies import get_service
    from translation.main import app

    settings = Settings(
        models_dir=models_dir, backend="ct2", cache_size=0, batch_max_size=batch_max_size, batch_max_wait_ms=5
    )
    store = ModelStore(models_dir, "ct2", options, max_loaded=1)
    service = TranslationService(settings, store=store)
    app.dependency_overrides[get_service] = lambda: service
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    sentences = benchmark_sentences(clients * requests_per_client + 1, seed=batch_max_size + 7)
    url = f"http://127.0.0.1:{port}/translate"

    async def run_clients() -> float:
        async with httpx.AsyncClient(timeout=300) as client:
            # warm-up: loads the model
            warm = await client.post(url, json={"q": sentences[-1], "source": "cs", "target": "de"})
            warm.raise_for_status()

            async def one_client(index: int) -> None:
                for request_index in range(requests_per_client):
                    text = sentences[index * requests_per_client + request_index]
                    response = await client.post(url, json={"q": text, "source": "cs", "target": "de"})
                    response.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(one_client(index) for index in range(clients)))
            return time.perf_counter() - started

    try:
        elapsed = asyncio.run(run_clients())
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        app.dependency_overrides.clear()
    batches = service.metrics.snapshot()["batches"]
    return {
        "sentences_per_s": round(clients * requests_per_client / elapsed, 2),
        "mean_batch_size": batches["mean_size"],  # type: ignore[index]
        "requests": clients * requests_per_client,
    }


def run(arguments: argparse.Namespace, work_dir: Path) -> None:
    threads = arguments.threads
    started = time.perf_counter()
    hf_dir, ct2_dir = build_model(work_dir)
    build_s = round(time.perf_counter() - started, 1)
    print(f"model built and converted in {build_s} s ({work_dir})", flush=True)

    options = DecodingOptions(
        beam_size=1, fixed_output_tokens=FIXED_OUTPUT_TOKENS, threads=threads, device=arguments.device
    )
    latency_count = 8 if arguments.quick else 20
    throughput_count = 32 if arguments.quick else 64
    sentences = benchmark_sentences(max(latency_count, throughput_count))

    section: dict[str, object] = {
        "model": "opus-mt-cs-de architecture, random weights (d_model 512, 6+6 layers, 8 heads, FFN 2048, "
        "vocabulary 58,101)",
        "output_tokens": FIXED_OUTPUT_TOKENS,
        "beam_size": 1,
        "device": arguments.device,
        "threads": threads,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_at_start": round(os.getloadavg()[0], 1),  # other work on the machine skews numbers
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    backends: dict[str, TranslationBackend] = {
        "transformers_fp32": TransformersBackend(hf_dir, None, options),
        "ct2_int8": CTranslate2Backend(hf_dir, ct2_dir, None, options),
    }
    for name, backend in backends.items():
        latency = measure_latency(backend, sentences[:latency_count])
        print(f"{name}: single sentence {latency}", flush=True)
        throughput = {}
        for batch_size in (1, 8, 32):
            count = (
                min(throughput_count, max(batch_size * 2, 16)) if name.startswith("transformers") else None
            )
            subset = sentences[: count or throughput_count]
            throughput[f"batch_{batch_size}"] = measure_throughput(backend, subset, batch_size)
            print(f"{name}: batch {batch_size}: {throughput[f'batch_{batch_size}']} sentences/s", flush=True)
        section[name] = {"single_sentence_latency": latency, "throughput_sentences_per_s": throughput}
    del backends

    transformers_p50 = section["transformers_fp32"]["single_sentence_latency"]["p50_ms"]  # type: ignore[index]
    ct2_p50 = section["ct2_int8"]["single_sentence_latency"]["p50_ms"]  # type: ignore[index]
    section["ct2_speedup_single_sentence"] = round(transformers_p50 / ct2_p50, 2)

    # The service reads models through a manifest, as after `make models`.
    models_dir = work_dir
    write_manifest(
        models_dir,
        Manifest(
            {
                "cs-de": InstalledModel(
                    direction="cs-de",
                    hf_id="random/opus-mt-cs-de-shape",
                    hf_dir=hf_dir.relative_to(work_dir).as_posix(),
                    ct2_dir=ct2_dir.relative_to(work_dir).as_posix(),
                    quantization="int8",
                )
            }
        ),
    )
    clients = 16
    requests_per_client = 3 if arguments.quick else 6
    http: dict[str, object] = {"clients": clients, "backend": "ct2_int8"}
    for label, batch_max_size in (("serial", 1), ("micro_batched", 32)):
        http[label] = measure_http(models_dir, options, clients, requests_per_client, batch_max_size)
        print(f"http {label}: {http[label]}", flush=True)
    serial_rate = http["serial"]["sentences_per_s"]  # type: ignore[index]
    http["micro_batching_speedup"] = round(http["micro_batched"]["sentences_per_s"] / serial_rate, 2)  # type: ignore[index]
    section["http_16_clients"] = http
    section["targets"] = {
        "ct2_at_least_4x_faster_single_sentence": section["ct2_speedup_single_sentence"] >= 4,  # type: ignore[operator]
        "micro_batching_at_least_3x_serial": http["micro_batching_speedup"] >= 3,  # type: ignore[operator]
    }
    section["total_s"] = round(time.perf_counter() - started, 1)
    if arguments.output == "stdout":
        print(json.dumps(section, indent=2))
    elif arguments.section == "gpu":
        results = json.loads(RESULTS_PATH.read_text(encoding="utf-8")) if RESULTS_PATH.is_file() else {}
        translation = results.get("translation", {}) if isinstance(results.get("translation"), dict) else {}
        merge_results({**translation, "gpu": section}, "translation")
    else:
        merge_results(section, "translation", keep=("gpu",))
    print(json.dumps({key: section[key] for key in ("ct2_speedup_single_sentence", "targets", "total_s")}))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work-dir", type=Path, help="where the random model is built (default: a temp dir)")
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="CPU threads per model call (default: all cores; on a machine shared with other work, 1 avoids "
        "the thread oversubscription that slows PyTorch down many times)",
    )
    parser.add_argument("--output", choices=["results", "stdout"], default="results")
    parser.add_argument("--section", default="translation", help="results.json key (translation.gpu: 'gpu')")
    arguments = parser.parse_args()

    if arguments.work_dir:
        run(arguments, arguments.work_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="translation-bench-") as work_dir:  # ~300 MB of model files
            run(arguments, Path(work_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
