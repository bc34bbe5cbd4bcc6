"""Counters behind GET /metrics."""

from __future__ import annotations

import threading
from collections import Counter, deque

import numpy as np


class Metrics:
    def __init__(self, latency_window: int = 2000) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.sentences = 0
        self.characters = 0
        self.cache_hits = 0
        self.cache_misses = 0
        self.placeholders_lost = 0
        self.errors: Counter[int] = Counter()
        self.batch_sizes: Counter[int] = Counter()
        self._latencies_ms: deque[float] = deque(maxlen=latency_window)

    def record_request(self, characters: int) -> None:
        with self._lock:
            self.requests += 1
            self.characters += characters

    def record_sentences(self, total: int, cache_hits: int, placeholders_lost: int) -> None:
        with self._lock:
            self.sentences += total
            self.cache_hits += cache_hits
            self.cache_misses += total - cache_hits
            self.placeholders_lost += placeholders_lost

    def record_batch(self, size: int) -> None:
        with self._lock:
            self.batch_sizes[size] += 1

    def record_latency(self, milliseconds: float) -> None:
        with self._lock:
            self._latencies_ms.append(milliseconds)

    def record_error(self, status_code: int) -> None:
        with self._lock:
            self.errors[status_code] += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            batches = sum(self.batch_sizes.values())
            batched_sentences = sum(size * count for size, count in self.batch_sizes.items())
            latencies = np.array(self._latencies_ms) if self._latencies_ms else None
            return {
                "requests": self.requests,
                "characters": self.characters,
                "sentences": self.sentences,
                "cache": {"hits": self.cache_hits, "misses": self.cache_misses},
                "placeholders_lost": self.placeholders_lost,
                "batches": {
                    "count": batches,
                    "mean_size": round(batched_sentences / batches, 3) if batches else 0.0,
                    "max_size": max(self.batch_sizes, default=0),
                    "sizes": {str(size): count for size, count in sorted(self.batch_sizes.items())},
                },
                "latency_ms": {
                    "count": 0 if latencies is None else len(latencies),
                    "p50": None if latencies is None else round(float(np.percentile(latencies, 50)), 2),
                    "p95": None if latencies is None else round(float(np.percentile(latencies, 95)), 2),
                },
                "errors": {str(code): count for code, count in sorted(self.errors.items())},
            }
