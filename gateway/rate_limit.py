"""Per-client rate limits with the `limits` library: 429 with Retry-After instead of a queue that grows.

1,500 rapid requests never got a 429: one client could keep both cores busy with NLU and translation and
stall everyone else. A limit is a `limits` string such as "20/second;1200/minute" (every part must hold);
an empty string turns it off. The sliding-window counter keeps two counters per client, so memory stays
flat however many requests a client sends (a moving window would keep one timestamp per request).

The counters are in-process by default: right for one gateway process (and one translation process) per
machine. With a storage URI (`redis://...`, REDIS_URL) they live in Redis and every replica behind the
balancer counts against the same limit (issue 12); when Redis cannot be reached the request goes through
(logged): a rate limit must not turn a cache outage into an outage of the chat.

Framework-free (only `limits`), so the translation service uses the same class.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RateLimiter:
    """`namespace` keeps the counters of different limits apart when they share a storage."""

    def __init__(self, spec: str, storage_uri: str = "", namespace: str = "default") -> None:
        self.spec = spec
        self.namespace = namespace
        self._items: list[RateLimitItem] = parse_many(spec) if spec.strip() else []
        storage = storage_from_string(storage_uri) if storage_uri and self._items else MemoryStorage()
        self._limiter = SlidingWindowCounterRateLimiter(storage)

    @property
    def enabled(self) -> bool:
        return bool(self._items)

    def hit(self, client: str) -> int | None:
        """Count one request of `client`: None when it may go on, else the seconds to wait (at least 1)."""
        try:
            for item in self._items:
                if not self._limiter.hit(item, self.namespace, client):
                    reset_at = self._limiter.get_window_stats(item, self.namespace, client).reset_time
                    return max(1, math.ceil(reset_at - time.time()))
        except RedisError as error:
            log.warning("rate limit %s not counted, its storage failed: %r", self.namespace, error)
        return None


def client_key(host: str | None) -> str:
    """The client's address as the server saw it (uvicorn puts X-Forwarded-For there only from trusted
    proxies, so a client cannot pick its own key by sending the header)."""
    return host or "unknown"
