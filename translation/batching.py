"""Micro-batching: sentences from concurrent requests share one model call.

One asyncio queue and one worker task per direction. The worker takes the first waiting sentence, then
gathers more until the batch is full or `max_wait` has passed, and runs the model in a worker thread so the
event loop keeps accepting requests meanwhile. With max_batch_size=1 this is plain serial handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from translation.metrics import Metrics

BatchFunction = Callable[[list[str]], list[str]]


@dataclass
class _Job:
    sentence: str
    future: asyncio.Future[str]


class MicroBatcher:
    def __init__(
        self, translate_batch: BatchFunction, max_batch_size: int, max_wait_s: float, metrics: Metrics
    ) -> None:
        self._translate_batch = translate_batch
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_s
        self._metrics = metrics
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def translate(self, sentences: list[str]) -> list[str]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # A queue and its worker belong to one event loop; a new loop (a test client, a restarted
            # server) gets fresh ones.
            self._loop = loop
            self._queue = asyncio.Queue()
            self._worker = None
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run())
        jobs = [_Job(sentence, loop.create_future()) for sentence in sentences]
        for job in jobs:
            self._queue.put_nowait(job)
        return list(await asyncio.gather(*(job.future for job in jobs)))

    async def _collect(self) -> list[_Job]:
        batch = [await self._queue.get()]
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_batch_size:
            if not self._queue.empty():
                batch.append(self._queue.get_nowait())
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def _run(self) -> None:
        while True:
            batch = await self._collect()
            try:
                outputs = await asyncio.to_thread(self._translate_batch, [job.sentence for job in batch])
                if len(outputs) != len(batch):
                    raise RuntimeError(f"model returned {len(outputs)} outputs for {len(batch)} inputs")
            except Exception as error:  # hand the failure to every waiting request, keep the worker alive
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(error)
                continue
            self._metrics.record_batch(len(batch))
            for job, output in zip(batch, outputs, strict=True):
                if not job.future.done():
                    job.future.set_result(output)

    async def close(self) -> None:
        if self._worker is not None and self._loop is asyncio.get_running_loop():
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
