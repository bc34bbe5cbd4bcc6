"""HAProxy's configuration for replicas of the four services: one frontend per service, round robin over its
replicas, health checks that take a dead replica out within about two seconds.

Rendered for `make run-scaled` (replicas on loopback ports, `render`) and for deploy/compose.yaml (replicas
found by the container network's DNS, `render_compose`; deploy/haproxy.cfg is that output, and a test keeps
the two in step).

- No sticky sessions: every request carries what identifies its conversation (the chat's signed sender id, the
  room id), and the state lives in PostgreSQL and Redis, so any replica can answer any request.
- WebSocket: a room's socket is upgraded once and then tunnelled (`timeout tunnel`) to one gateway; when that
  gateway dies the browser reconnects, through the balancer, to another one, and catches up by its cursor.
- A request that could not reach a replica (connection refused: it died) is sent to another one
  (`retry-on conn-failure` with `option redispatch`); one that a replica received and then dropped is not
  retried, since it may have had an effect (a message stored, a turn of a conversation taken).
- Telegram's webhook goes to the first gateway only: the bot's chat state is one process's.
- The client's address reaches the services in X-Forwarded-For (set by the balancer alone; uvicorn trusts it
  from the balancer's address), so the per-client rate limits stay per client.
"""

from __future__ import annotations

import csv
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# service -> the path of its health check
SERVICES: dict[str, str] = {
    "gateway": "/health",
    "translation": "/health",
    "rasa": "/",
    "actions": "/health",
}

_GLOBAL = """global
    maxconn 4096
    log stdout format raw local0 notice

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option redispatch
    # The client's address for the rate limits (uvicorn trusts the balancer's X-Forwarded-For): without it
    # every client would count as the balancer, one shared limit for everyone.
    option forwardfor
    retries 3
    retry-on conn-failure
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout tunnel 1h
    timeout http-request 30s
    timeout queue 30s
    default-server inter 1s fall 2 rise 2
"""


@dataclass(frozen=True)
class Frontend:
    """One service as the balancer serves it: where it listens and where its replicas are."""

    service: str
    bind: str  # address:port
    servers: Sequence[str]  # address:port of each replica


def _backend(name: str, health_path: str, servers: Sequence[str], template: str = "") -> list[str]:
    lines = [
        f"backend {name}",
        "    balance roundrobin",
        f"    option httpchk GET {health_path}",
        # Up while it answers HTTP: the translation service says 503 `degraded` when one direction has no
        # model, and must stay in (the others work); a replica that does not answer at all is taken out.
        "    http-check expect rstatus ^(2|3|4)[0-9][0-9]|503$",
    ]
    if template:
        lines.append(f"    server-template {name} {template} check resolvers docker init-addr none")
    lines += [f"    server {name}{number} {address} check" for number, address in enumerate(servers, 1)]
    return lines


def _frontend(frontend: Frontend, telegram_backend: str = "") -> list[str]:
    lines = [
        f"frontend {frontend.service}_in",
        f"    bind {frontend.bind}",
        # A client's own X-Forwarded-For would pick its rate-limit key: only the balancer's counts.
        "    http-request del-header X-Forwarded-For",
    ]
    if telegram_backend:
        lines.append(f"    use_backend {telegram_backend} if {{ path_beg /telegram/ }}")
    lines.append(f"    default_backend {frontend.service}")
    return lines


def render(frontends: Sequence[Frontend], stats_socket: str = "") -> str:
    """The configuration for replicas at fixed addresses (`make run-scaled`, the tests)."""
    sections = [_GLOBAL.rstrip("\n")]
    if stats_socket:
        sections[0] = sections[0].replace(
            "    maxconn 4096", f"    maxconn 4096\n    stats socket {stats_socket} mode 600 level admin"
        )
    for frontend in frontends:
        telegram = "gateway_telegram" if frontend.service == "gateway" else ""
        block = _frontend(frontend, telegram)
        block += ["", *_backend(frontend.service, SERVICES[frontend.service], frontend.servers)]
        if telegram:
            block += ["", *_backend(telegram, SERVICES["gateway"], frontend.servers[:1])]
        sections.append("\n".join(block))
    return "\n\n".join(sections) + "\n"


def server_states(admin_socket: Path) -> dict[tuple[str, str], str]:
    """(backend, server) -> status (UP, DOWN, MAINT, ...) from HAProxy's admin socket (`show stat`)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(5.0)
        connection.connect(str(admin_socket))
        connection.sendall(b"show stat\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    rows = csv.reader(b"".join(chunks).decode().lstrip("# ").splitlines())
    header = next(rows, [])
    if "status" not in header:
        return {}
    name, server, status = (header.index(column) for column in ("pxname", "svname", "status"))
    return {
        (row[name], row[server]): row[status]
        for row in rows
        if len(row) > status and row[server] not in ("FRONTEND", "BACKEND")
    }


# The ports each service listens on inside its container (deploy/compose.yaml) and on the balancer.
COMPOSE_PORTS = {"gateway": 8000, "translation": 8001, "rasa": 5005, "actions": 5055}
COMPOSE_REPLICAS = 2


def render_compose() -> str:
    """deploy/haproxy.cfg: the replicas of each compose service found through Docker's DNS."""
    resolvers = "\n".join(
        [
            "resolvers docker",
            "    nameserver dns 127.0.0.11:53",
            "    hold valid 5s",
            "    accepted_payload_size 8192",
        ]
    )
    sections = [_GLOBAL.rstrip("\n"), resolvers]
    for service, port in COMPOSE_PORTS.items():
        frontend = Frontend(service, f"*:{port}", ())
        block = _frontend(frontend)
        block += ["", *_backend(service, SERVICES[service], (), f"{COMPOSE_REPLICAS} {service}:{port}")]
        sections.append("\n".join(block))
    return (
        "# Rendered by `python -m deploy.balancer` (render_compose); a test keeps the two in step.\n"
        + "\n\n".join(sections)
        + "\n"
    )


if __name__ == "__main__":
    print(render_compose(), end="")
