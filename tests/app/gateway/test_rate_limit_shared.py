"""Rate limits shared by gateway replicas through a real Redis (REDIS_URL, issue 12): every replica counts
against one limit per client, and a Redis that cannot be reached lets requests through."""

import secrets

from deploy.backing import Backing
from gateway.rate_limit import RateLimiter
from tests.app.rooms.fake_translation import free_port


def test_two_replicas_count_one_clients_requests_against_one_limit(backing: Backing) -> None:
    namespace = f"test-{secrets.token_hex(4)}"
    first, second = (RateLimiter("3/minute", backing.redis.url, namespace) for _ in range(2))
    assert [first.hit("203.0.113.7"), second.hit("203.0.113.7"), first.hit("203.0.113.7")] == [None] * 3
    retry_after = second.hit("203.0.113.7")
    assert retry_after is not None and 1 <= retry_after <= 60
    # Another client has a count of its own, and so has another limit (namespace) for the same client.
    assert first.hit("198.51.100.1") is None
    assert RateLimiter("3/minute", backing.redis.url, f"{namespace}-other").hit("203.0.113.7") is None


def test_an_unreachable_redis_lets_requests_through() -> None:
    limiter = RateLimiter("1/minute", f"redis://127.0.0.1:{free_port()}/0", "unreachable")
    assert [limiter.hit("203.0.113.7") for _ in range(3)] == [None, None, None]
