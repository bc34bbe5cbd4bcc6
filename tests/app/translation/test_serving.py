"""How the models run (issue 14): replicas of one thread, batches split across them, the compute type
chosen by measurement, no MKL on AMD, and a bounded queue that answers 503 with Retry-After when full."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from pathlib import Path

import ctranslate2
import pytest
from fastapi.testclient import TestClient

from tests.app.translation.fake_models import EchoBackend, EchoStore
from tests.app.translation.test_pipeline import SENTENCES
from translation import cpu
from translation.api.dependencies import get_service
from translation.backends import CTranslate2Backend, DecodingOptions
from translation.batching import MicroBatcher, QueueFullError
from translation.compute_types import choose
from translation.main import app
from translation.manifest import read_manifest
from translation.metrics import Metrics
from translation.service import TranslationService
from translation.settings import Settings


def _backend(models_dir: Path, direction: str, threads: int) -> CTranslate2Backend:
    installed = read_manifest(models_dir).directions[direction]
    options = DecodingOptions(beam_size=1, max_output_tokens=10, threads=threads)
    return CTranslate2Backend(
        models_dir / installed.hf_dir,
        models_dir / str(installed.ct2_dir),
        installed.target_token,
        options,
        installed.compute_type,
    )


def test_ct2_runs_one_replica_per_core_of_one_thread(tiny_models_dir: Path) -> None:
    backend = _backend(tiny_models_dir, "cs-de", threads=2)
    assert backend.replicas == 2
    assert _backend(tiny_models_dir, "cs-de", threads=0).replicas == cpu.cpu_cores()


def test_no_translator_runs_on_more_than_one_intra_thread(
    monkeypatch: pytest.MonkeyPatch, tiny_models_dir: Path
) -> None:
    """A single sentence goes to one replica of one thread: never the int8 two-thread route (issue 14)."""
    created: list[dict[str, object]] = []
    batches: list[tuple[int, object]] = []
    real_translator = ctranslate2.Translator

    class RecordingTranslator:
        def __init__(self, *args: object, **kwargs: object) -> None:
            created.append(kwargs)
            self._translator = real_translator(*args, **kwargs)

        def __getattr__(self, name: str) -> object:
            return getattr(self._translator, name)

        def translate_batch(self, tokens: list[list[str]], **kwargs: object) -> object:
            batches.append((len(tokens), kwargs["max_batch_size"]))
            return self._translator.translate_batch(tokens, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", RecordingTranslator)
    for threads, replicas in ((0, cpu.cpu_cores()), (2, 2)):
        backend = _backend(tiny_models_dir, "cs-de", threads=threads)
        assert created[-1]["intra_threads"] == 1 and created[-1]["inter_threads"] == replicas
        backend.translate_batch(SENTENCES[:1])
        assert batches[-1] == (1, 1)
    backend.translate_batch(SENTENCES[:5])
    assert batches[-1] == (5, 3)  # split across the two replicas


def test_a_batch_split_across_replicas_equals_one_by_one(tiny_models_dir: Path) -> None:
    backend = _backend(tiny_models_dir, "cs-de", threads=2)
    one_by_one = [backend.translate_batch([sentence])[0] for sentence in SENTENCES[:5]]
    assert backend.translate_batch(SENTENCES[:5]) == one_by_one
    assert len(set(one_by_one)) > 1  # the output depends on the input


def test_install_records_the_measured_fastest_compute_type(tiny_models_dir: Path) -> None:
    installed = read_manifest(tiny_models_dir).directions["cs-de"]
    supported = ctranslate2.get_supported_compute_types("cpu")
    assert set(installed.compute_type_ms) == set(supported)
    assert all(milliseconds > 0 for milliseconds in installed.compute_type_ms.values())
    assert installed.compute_type == choose(installed.compute_type_ms)


def test_int8_wins_a_near_tie_and_loses_a_clear_race() -> None:
    assert choose({"float32": 100.0, "int8": 104.0}) == "int8"
    assert choose({"float32": 100.0, "int8": 130.0, "int8_float32": 120.0}) == "float32"
    assert choose({"float32": 100.0, "int8": 90.0, "int8_float32": 95.0}) == "int8"


@pytest.mark.parametrize(("vendor", "dropped"), [("AuthenticAMD", True), ("GenuineIntel", False)])
def test_mkl_is_never_used_on_amd(monkeypatch: pytest.MonkeyPatch, vendor: str, dropped: bool) -> None:
    monkeypatch.setattr(cpu, "cpu_vendor", lambda: vendor)
    monkeypatch.setenv("CT2_USE_MKL", "1")
    # ctranslate2 is loaded in this test process, so dropping the variable also warns.
    with pytest.warns(UserWarning) if dropped else contextlib.nullcontext():
        assert cpu.drop_mkl_on_amd() is dropped
    assert ("CT2_USE_MKL" in os.environ) is not dropped


# ---- the bounded queue ------------------------------------------------------------------------------
class _GatedBackend(EchoBackend):
    """Echoes once the gate opens: holds the model busy while a test fills the queue."""

    def __init__(self, gate: threading.Event) -> None:
        self.gate = gate

    def translate_batch(self, sentences: list[str]) -> list[str]:
        if not self.gate.wait(timeout=30):
            raise TimeoutError("the gate never opened")
        return list(sentences)


class _GatedStore(EchoStore):
    def __init__(self, gate: threading.Event) -> None:
        super().__init__(["cs-de"])
        self.backend = _GatedBackend(gate)

    def get(self, direction: str) -> _GatedBackend:
        return self.backend


async def test_batches_run_side_by_side_up_to_the_concurrency() -> None:
    running, peak, lock = 0, 0, threading.Lock()

    def slow_echo(sentences: list[str]) -> list[str]:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return sentences

    batcher = MicroBatcher(slow_echo, max_batch_size=1, max_wait_s=0, metrics=Metrics(), concurrency=2)
    results = await asyncio.gather(*(batcher.translate([str(index)]) for index in range(6)))
    assert results == [[str(index)] for index in range(6)]
    assert peak == 2
    await batcher.close()


async def test_a_full_queue_refuses_the_request_whole() -> None:
    gate = threading.Event()
    backend = _GatedBackend(gate)
    batcher = MicroBatcher(
        backend.translate_batch, max_batch_size=1, max_wait_s=0, metrics=Metrics(), max_queued=2
    )
    first = asyncio.create_task(batcher.translate(["a"]))
    while batcher.queued or not batcher._running:  # "a" is in the model
        await asyncio.sleep(0.01)
    second = asyncio.create_task(batcher.translate(["b", "c"]))
    await asyncio.sleep(0.05)
    assert batcher.queued == 2
    with pytest.raises(QueueFullError) as refused:
        await batcher.translate(["d"])
    assert refused.value.retry_after_s >= 1
    gate.set()
    assert await first == ["a"] and await second == ["b", "c"]
    assert await batcher.translate(["e"]) == ["e"]  # room again
    await batcher.close()


def test_the_api_answers_503_with_retry_after_while_the_queue_is_full() -> None:
    gate = threading.Event()
    settings = Settings(
        models_dir=Path("unused"), batch_max_size=1, batch_max_wait_ms=0, batch_max_queued=2, threads=1
    )
    service = TranslationService(settings, store=_GatedStore(gate))
    app.dependency_overrides[get_service] = lambda: service
    body = {"source": "cs", "target": "de"}
    try:
        with TestClient(app) as client:
            answers: list[int] = []

            def send(q: list[str]) -> None:
                answers.append(client.post("/translate", json={**body, "q": q}).status_code)

            senders = [threading.Thread(target=send, args=(q,)) for q in (["Jedna."], ["Dvě.", "Tři."])]
            senders[0].start()
            deadline = time.monotonic() + 10
            while not service._batchers or not service._batchers["cs-de"]._running:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            senders[1].start()
            while service._batchers["cs-de"].queued < 2:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            refused = client.post("/translate", json={**body, "q": "Čtyři."})
            gate.set()
            for sender in senders:
                sender.join(timeout=10)
    finally:
        app.dependency_overrides.clear()
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1 and refused.json()["retry_after"] >= 1
    assert "queue full" in refused.json()["error"]
    assert answers == [200, 200]
