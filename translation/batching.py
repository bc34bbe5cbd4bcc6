"""Micro-batching: sentences from concurrent requests share one model call.

One asyncio queue and one dispatcher task per direction. The dispatcher waits for a free model slot (one per
CTranslate2 replica), then takes the first waiting sentence and gathers more until the batch is full or
`max_wait` has passed, and runs the model in a worker thread so the event loop keeps accepting requests
meanwhile. Waiting for the slot first lets the queue fill while every replica is busy: the next batch is
as large as the load makes it. With max_batch_size=1 and one slot this is plain serial handling.

The queue is bounded: a request whose sentences would not fit behind the waiting ones is refused whole
(QueueFullError, the API's 503 with Retry-After) instead of waiting behind minutes of work.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from translation.metrics import Metrics

BatchFunction = Callable[[list[str]], list[str]]


class QueueFullError(RuntimeError):
    """The direction's queue has no room for the request's sentences."""

    def __init__(self, queued: int, limit: int, retry_after_s: int) -> None:
        super().__init__(f"translation queue full ({queued} sentences waiting, limit {limit})")
        self.retry_after_s = retry_after_s


@dataclass
class _Job:
    sentence: str
    future: asyncio.Future[str]


class MicroBatcher:
    def __init__(
        self,
        translate_batch: BatchFunction,
        max_batch_size: int,
        max_wait_s: float,
        metrics: Metrics,
        max_queued: int = 1024,
        concurrency: int = 1,
    ) -> None:
        self._translate_batch = translate_batch
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_s
        self.max_queued = max_queued
        self.concurrency = concurrency
        self._metrics = metrics
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._slots = asyncio.Semaphore(concurrency)
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: set[asyncio.Task[None]] = set()
        # Seconds a sentence took in the last batch: the Retry-After estimate of a full queue.
        self._seconds_per_sentence = 0.5

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def _retry_after_s(self) -> int:
        return max(1, math.ceil(self._queue.qsize() * self._seconds_per_sentence / self.concurrency))

    async def translate(self, sentences: list[str]) -> list[str]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # A queue and its worker belong to one event loop; a new loop (a test client, a restarted
            # server) gets fresh ones.
            self._loop = loop
            self._queue = asyncio.Queue()
            self._slots = asyncio.Semaphore(self.concurrency)
            self._worker = None
        # An empty queue takes any request (its size is bounded by max_chars already).
        if self._queue.qsize() and self._queue.qsize() + len(sentences) > self.max_queued:
            raise QueueFullError(self._queue.qsize(), self.max_queued, self._retry_after_s())
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._dispatch())
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

    async def _dispatch(self) -> None:
        while True:
            await self._slots.acquire()
            try:
                batch = await self._collect()
            except BaseException:
                self._slots.release()
                raise
            task = asyncio.create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[_Job]) -> None:
        try:
            started = time.perf_counter()
            outputs = await asyncio.to_thread(self._translate_batch, [job.sentence for job in batch])
            if len(outputs) != len(batch):
                raise RuntimeError(f"model returned {len(outputs)} outputs for {len(batch)} inputs")
            self._seconds_per_sentence = (time.perf_counter() - started) / len(batch)
        except Exception as error:  # hand the failure to every waiting request, keep the worker alive
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(error)
            return
        finally:
            self._slots.release()
        self._metrics.record_batch(len(batch))
        for job, output in zip(batch, outputs, strict=True):
            if not job.future.done():
                job.future.set_result(output)

    async def close(self) -> None:
        if self._loop is not asyncio.get_running_loop():
            return
        for task in [self._worker, *self._running]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
