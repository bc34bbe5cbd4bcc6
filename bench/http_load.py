"""Sentences/s through POST /translate under concurrent clients, in a process of its own.

The service runs on uvicorn (loopback) with its own TranslationService and the benchmark model behind a
manifest, as after `make models`; the cache is off and every request carries a distinct sentence, so every
sentence reaches the model. The clients run in the same child process (asyncio + httpx): their cost is the
same for both configurations and small next to a model call.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translation.backends import DecodingOptions
from translation.manifest import InstalledModel, Manifest, write_manifest
from translation.model_store import ModelStore
from translation.service import TranslationService
from translation.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_benchmark_manifest(models_dir: Path, hf_dir: Path, ct2_dir: Path, compute_type: str) -> None:
    """The benchmark model as the installed cs-de direction of `models_dir`."""
    model = InstalledModel(
        direction="cs-de",
        hf_id="random/opus-mt-cs-de-shape",
        hf_dir=os.path.relpath(hf_dir, models_dir),
        ct2_dir=os.path.relpath(ct2_dir, models_dir),
        quantization="int8",
        compute_type=compute_type,
    )
    write_manifest(models_dir, Manifest({"cs-de": model}))


@dataclass(frozen=True)
class HttpLoad:
    """`clients` concurrent clients, each sending its share of `sentences` one request after another (the
    last sentence warms the model up), to a service of `threads` replicas (0: one per core) that batches up
    to `batch_max_size` sentences, decoding with `options`."""

    models_dir: Path
    sentences: list[str]
    clients: int
    batch_max_size: int
    threads: int
    options: DecodingOptions


def _serve_and_load(load: HttpLoad) -> dict[str, Any]:
    import httpx
    import uvicorn

    from translation.api.dependencies import get_service
    from translation.main import app

    settings = Settings(
        models_dir=load.models_dir,
        backend="ct2",
        cache_size=0,
        batch_max_size=load.batch_max_size,
        threads=load.threads,
    )
    store = ModelStore(load.models_dir, "ct2", load.options, max_loaded=1)
    service = TranslationService(settings, store=store)
    sentences, clients = load.sentences, load.clients
    app.dependency_overrides[get_service] = lambda: service
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/translate"
    per_client = (len(sentences) - 1) // clients

    async def run_clients() -> float:
        async with httpx.AsyncClient(timeout=600) as client:
            warm = await client.post(url, json={"q": sentences[-1], "source": "cs", "target": "de"})
            warm.raise_for_status()  # loads the model

            async def one_client(index: int) -> None:
                for text in sentences[index * per_client : (index + 1) * per_client]:
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
    requests = clients * per_client
    return {
        "sentences_per_s": round(requests / elapsed, 2),
        "requests": requests,
        "seconds": round(elapsed, 1),
        "mean_batch_size": batches["mean_size"],  # type: ignore[index]
        "batch_max_size": load.batch_max_size,
        "replicas": load.threads or "all cores",
    }


def _child(connection: Any, load: HttpLoad) -> None:
    try:
        connection.send(_serve_and_load(load))
    except Exception as error:  # the parent reports it; a bare traceback in a child is easy to miss
        connection.send({"error": f"{type(error).__name__}: {error}"})


def measure_http(load: HttpLoad) -> dict[str, Any]:
    """Sentences/s of `load`, served and sent from a process of its own."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_child, args=(child, load))
    process.start()
    result: dict[str, Any] = parent.recv()
    process.join(timeout=60)
    if "error" in result:
        raise RuntimeError(f"HTTP measurement failed: {result['error']}")
    return result
