"""Per-client rate limits with the `limits` library: 429 with Retry-After instead of a queue that grows.

1,500 rapid requests never got a 429: one client could keep both cores busy with NLU and translation and
stall everyone else. A limit is a `limits` string such as "20/second;1200/minute" (every part must hold);
an empty string turns it off. The sliding-window counter keeps two counters per client, so memory stays
flat however many requests a client sends (a moving window would keep one timestamp per request).

The limiter is in-process: right for one gateway process (and one translation process) per machine, which
is how the stack runs; several workers would each count on their own.

Framework-free (only `limits`), so the translation service uses the same class.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter


class RateLimiter:
    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._items: list[RateLimitItem] = parse_many(spec) if spec.strip() else []
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    @property
    def enabled(self) -> bool:
        return bool(self._items)

    def hit(self, client: str) -> int | None:
        """Count one request of `client`: None when it may go on, else the seconds to wait (at least 1)."""
        for item in self._items:
            if not self._limiter.hit(item, client):
                reset_at = self._limiter.get_window_stats(item, client).reset_time
                return max(1, math.ceil(reset_at - time.time()))
        return None


def client_key(host: str | None) -> str:
    """The client's address as the server saw it (uvicorn puts X-Forwarded-For there only from trusted
    proxies, so a client cannot pick its own key by sending the header)."""
    return host or "unknown"
