"""`make run-scaled`: PostgreSQL and Redis, two replicas of each service, HAProxy in front; prints the URLs.

Each replica is a `Stack` (deploy/stack.py: one supervisord running a gateway, a Rasa server, an action server
and a translation service) on its own loopback ports; the services find each other through the balancer
(deploy/balancer.py), never directly, so a request from any replica may go to any replica of the next
service. The balancer listens on the ports `make run` uses (GATEWAY_PORT, ... : the same URLs).

State is shared, not replicated: rooms and Rasa's conversations in PostgreSQL, Rasa's conversation locks, the
rooms' fan-out and the rate-limit counters in Redis (deploy/backing.py runs both, data under SCALED_DIR).
The secrets every replica must agree on (Rasa's API token, the action server's token, the key that signs
conversation ids, the office's session key) are made once here and given to all of them.

Variables: SCALED_DIR (var/scaled), SCALED_REPLICAS (2), SCALED_PORT_BASE (18000: replica i listens on
base + 10 i + 0..3), POSTGRES_PORT (15432), REDIS_PORT (16379), and those of `make run`.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deploy.backing import Backing, HAProxy, Running
from deploy.balancer import Frontend, render, server_states
from deploy.stack import DEFAULTS, ROOT, Stack, StackError, serve

SERVICES = ("gateway", "translation", "rasa", "actions")
PORT_NAMES = {service: f"{service.upper()}_PORT" for service in SERVICES}
# Secrets every replica must share: a conversation id signed by one gateway is checked by the other.
SHARED_SECRETS = ("RASA_TOKEN", "ACTIONS_TOKEN", "CONVERSATION_SECRET", "OFFICE_SESSION_SECRET")


def replica_ports(base: int, replicas: int) -> list[dict[str, int]]:
    return [
        {service: base + 10 * number + offset for offset, service in enumerate(SERVICES)}
        for number in range(1, replicas + 1)
    ]


@dataclass
class ScaledStack(Running):
    """Backing servers, the balancer and the replicas; `front`: service -> the balancer's port for it."""

    data_dir: Path
    front: Mapping[str, int]
    replicas_ports: list[dict[str, int]]
    postgres_port: int
    redis_port: int
    env: Mapping[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    backing: Backing = field(init=False)
    balancer: HAProxy = field(init=False)
    replicas: list[Stack] = field(init=False)

    def __post_init__(self) -> None:
        self.backing = Backing(self.data_dir / "backing", self.postgres_port, self.redis_port)
        frontends = [
            Frontend(
                service,
                f"{self.host}:{self.front[service]}",
                [f"{self.host}:{ports[service]}" for ports in self.replicas_ports],
            )
            for service in SERVICES
        ]
        config = render(frontends, stats_socket=str(self.data_dir / "haproxy" / "admin.sock"))
        self.balancer = HAProxy(self.data_dir / "haproxy", config)
        shared = {name: self.env.get(name) or os.environ.get(name) or secrets.token_urlsafe(32)
                  for name in SHARED_SECRETS}  # fmt: skip
        self.replicas = [
            Stack(env=self._replica_env(number, ports, shared))
            for number, ports in enumerate(self.replicas_ports, 1)
        ]

    @classmethod
    def on_free_ports(cls, data_dir: Path, env: Mapping[str, str]) -> ScaledStack:
        """On loopback ports nothing else uses (the tests, the benchmark)."""

        def free_port() -> int:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                return int(probe.getsockname()[1])

        return cls(
            data_dir=data_dir,
            front={service: free_port() for service in SERVICES},
            replicas_ports=[{service: free_port() for service in SERVICES} for _ in range(2)],
            postgres_port=free_port(),
            redis_port=free_port(),
            env=env,
        )

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.front[service]}"

    @property
    def admin_socket(self) -> Path:
        return self.data_dir / "haproxy" / "admin.sock"

    def _replica_env(
        self, number: int, ports: Mapping[str, int], shared: Mapping[str, str]
    ) -> dict[str, str]:
        env = {
            **self.env,
            **shared,
            "HOST": self.host,
            **{PORT_NAMES[service]: str(port) for service, port in ports.items()},
            **{f"{service.upper()}_URL": self.url(service) for service in SERVICES},
            "ACTION_ENDPOINT_URL": f"{self.url('actions')}/webhook",
            "DATABASE_URL": self.backing.postgres.url,
            "REDIS_URL": self.backing.redis.url,
            "RUN_DIR": str(self.data_dir / f"replica{number}"),
            # A Rasa replica that dies holding a conversation's lock (Redis) blocks that conversation until
            # the lock expires: 20 s instead of Rasa's 60 (a turn takes a few seconds at most).
            "TICKET_LOCK_LIFETIME": self.env.get("TICKET_LOCK_LIFETIME", "20"),
        }
        if number > 1 and env.get("TELEGRAM_MODE", "polling") == "polling":
            # One bot per token: Telegram gives updates to one poller (the balancer sends webhooks to the
            # first gateway too, deploy/balancer.py).
            env["TELEGRAM_BOT_TOKEN"] = ""
        return env

    def start(self, timeout_s: float = 600.0) -> None:
        deadline = time.monotonic() + timeout_s
        self.backing.start()
        self._migrate()
        self.balancer.start()
        for replica in self.replicas:
            replica.spawn()
        for replica in self.replicas:
            replica.wait_healthy(max(1.0, deadline - time.monotonic()))
        self.wait_balanced(max(1.0, deadline - time.monotonic()))

    def wait_balanced(self, timeout_s: float) -> None:
        """Until the balancer's health checks see every replica up (a few seconds after they answer)."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                states = server_states(self.admin_socket)
            except OSError:
                states = {}
            down = sorted(
                f"{backend}/{server}" for (backend, server), state in states.items() if state != "UP"
            )
            if states and not down:
                return
            if time.monotonic() > deadline:
                raise StackError(f"the balancer does not see {', '.join(down) or 'its servers'} up")
            time.sleep(0.5)

    def _migrate(self) -> None:
        """The gateway's schema once, before the replicas start (they would wait for each other's lock)."""
        env = {**os.environ, "DATABASE_URL": self.backing.postgres.url}
        result = subprocess.run(
            [sys.executable, "-m", "gateway.migrations"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise StackError(f"gateway migrations failed: {result.stderr.strip()[-800:]}")

    def stop(self) -> None:
        for replica in self.replicas:
            replica.stop()
        self.balancer.stop()
        self.backing.stop()


def from_environment() -> ScaledStack:
    env = os.environ
    data_dir = Path(env.get("SCALED_DIR", "var/scaled"))
    front = {
        service: int(env.get(PORT_NAMES[service], DEFAULTS[PORT_NAMES[service]])) for service in SERVICES
    }
    replicas = int(env.get("SCALED_REPLICAS", "2"))
    return ScaledStack(
        data_dir=(data_dir if data_dir.is_absolute() else ROOT / data_dir).resolve(),
        front=front,
        replicas_ports=replica_ports(int(env.get("SCALED_PORT_BASE", "18000")), replicas),
        postgres_port=int(env.get("POSTGRES_PORT", "15432")),
        redis_port=int(env.get("REDIS_PORT", "16379")),
        host=env.get("HOST", "127.0.0.1"),
    )


def main() -> int:
    stack = from_environment()
    count = len(stack.replicas)
    print(f"Starting PostgreSQL, Redis, HAProxy and {count} replicas of each service ...", flush=True)

    def announce(seconds: float) -> None:
        gateway = stack.url("gateway")
        print(f"\nReady in {seconds:.0f} s (through HAProxy; no sticky sessions):")
        print(f"  web chat            {gateway}/")
        print(f"  translated rooms    {gateway}/rooms/new")
        print(f"  office (staff)      {gateway}/office")
        print(f"  chat API            {gateway}/api/chat   (health: {gateway}/health)")
        print(f"  translation API     {stack.url('translation')}/translate")
        print(f"  Rasa                {stack.url('rasa')}/   action server {stack.url('actions')}/health")
        for number, ports in enumerate(stack.replicas_ports, 1):
            listed = "  ".join(f"{service} :{port}" for service, port in ports.items())
            print(f"  replica {number}           {listed}")
        print(f"  PostgreSQL          {stack.backing.postgres.url}")
        print(f"  Redis               {stack.backing.redis.url}")
        print(f"Logs in {stack.data_dir}. Ctrl-C stops everything.", flush=True)

    def alive() -> bool:
        return all(
            replica.process is not None and replica.process.poll() is None for replica in stack.replicas
        )

    return serve(stack, announce, alive)


if __name__ == "__main__":
    sys.exit(main())
