"""Embedded against scaled on one machine, and a room soak across two gateways (issue 12).

    python -m bench.scaled_bench [--clients 16] [--messages 240] [--soak-clients 20] [--soak-messages 10]

1. The mixed chat load of bench/chat_bench.py (`run_mixed`: new and returning conversations, every kind of
   question) against the embedded stack (`make run`: one process of each service, SQLite) and against the
   scaled one (`make run-scaled`: PostgreSQL, Redis, HAProxy and two replicas of each service), each started
   on free loopback ports for its run. Reported: messages/s, p50/p95, errors, and where the time goes: the
   CPU seconds each kind of process used during the run, per message.
2. "On paper": a message costs the CPU it used in all processes together; a machine of C cores answers at
   most C / (CPU per message) messages a second, so each further machine of the same kind running one replica
   of each service adds that much (PostgreSQL and Redis, measured apart, stay shared).
3. The room soak (bench/rooms_bench.run_soak) with its clients spread over the two gateways of the scaled
   stack: lost, duplicated, deliveries missing or doubled must all be 0.

Translation models are used when installed (var/models/translation), in both stacks alike. Every loop is
bounded in count and time. Merges the `scaled` section of bench/results.json, with the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.chat_bench import machine, mixed_messages, run_mixed
from bench.results import merge_results
from bench.rooms_bench import run_soak
from deploy.backing import BackingError
from deploy.scaled import SERVICES, ScaledStack
from deploy.stack import Stack, StackError
from tests.app.rooms.fake_translation import free_port

_TICKS = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of `pid` and every process below it, now."""
    tree, total, todo = _children(), 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICKS
        todo += tree.get(current, [])
    return total


def _pids(stack: Stack) -> dict[str, int]:
    return {service: int(stack.ctl("pid", service) or 0) for service in SERVICES}


def measure(url: str, clients: int, messages: int, processes: Callable[[], dict[str, int]]) -> dict[str, Any]:
    """The mixed load against `url`, with the CPU each named process tree used during it."""
    pids = processes()
    load_before = round(os.getloadavg()[0], 2)  # the machine is shared: say how busy it was
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    load = asyncio.run(run_mixed(url, clients, mixed_messages(messages)))
    used = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    answered = max(1, load["messages"] - load["errors"])
    cpu_ms = {name: round(seconds * 1000 / answered, 1) for name, seconds in sorted(used.items())}
    return {
        **load,
        "load_1min_before": load_before,
        "load_1min_after": round(os.getloadavg()[0], 2),
        "cpu_ms_per_message": cpu_ms,
        "cpu_ms_per_message_total": round(sum(cpu_ms.values()), 1),
    }


def _warm(url: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as http:
        for lang, text in mixed_messages(6):
            http.post("/api/chat", json={"message": text, "lang": lang})


def _ports() -> dict[str, str]:
    return {f"{service.upper()}_PORT": str(free_port()) for service in SERVICES}


@contextmanager
def embedded(work_dir: Path) -> Iterator[Stack]:
    env = {
        **_ports(),
        "RUN_DIR": str(work_dir / "run"),
        "HANDOVER_DB": str(work_dir / "handovers.sqlite"),
        "ROOMS_DB": str(work_dir / "rooms.sqlite"),
        "RASA_TRACKER_DB": str(work_dir / "rasa-tracker.sqlite"),
        "OFFICE_DATABASE_URL": f"sqlite:///{work_dir / 'office.sqlite'}",
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    with Stack(env=env) as stack:
        yield stack


@contextmanager
def scaled(work_dir: Path) -> Iterator[ScaledStack]:
    stack = ScaledStack.on_free_ports(
        work_dir,
        {
            "HANDOVER_DB": str(work_dir / "handovers.sqlite"),
            "OFFICE_DATABASE_URL": f"sqlite:///{work_dir / 'office.sqlite'}",
            "ROOMS_CREATE_RATE": "1000/minute",
            "TELEGRAM_BOT_TOKEN": "",
        },
    )
    with stack:
        yield stack


def _scaled_processes(stack: ScaledStack) -> dict[str, int]:
    pids: dict[str, int] = {}
    for number, replica in enumerate(stack.replicas, 1):
        pids |= {f"{service}{number}": pid for service, pid in _pids(replica).items()}
    for name, server in (("postgres", stack.backing.postgres), ("redis", stack.backing.redis)):
        pids[name] = server.process.pid if server.process else 0
    pids["haproxy"] = stack.balancer.process.pid if stack.balancer.process else 0
    return pids


def paper(embedded_run: dict[str, Any], scaled_run: dict[str, Any]) -> dict[str, Any]:
    cores = os.cpu_count() or 1
    shared = sum(scaled_run["cpu_ms_per_message"].get(name, 0.0) for name in ("postgres", "redis", "haproxy"))
    per_machine = scaled_run["cpu_ms_per_message_total"] - shared
    return {
        "cores_per_machine": cores,
        "cpu_ms_per_message_embedded": embedded_run["cpu_ms_per_message_total"],
        "cpu_ms_per_message_scaled_replicas": round(per_machine, 1),
        "cpu_ms_per_message_shared_postgres_redis_haproxy": round(shared, 1),
        "messages_per_s_one_more_machine": round(cores * 1000 / per_machine, 1) if per_machine else None,
        "scaled_vs_embedded_throughput": round(
            scaled_run["messages_per_s"] / embedded_run["messages_per_s"], 3
        )
        if embedded_run["messages_per_s"]
        else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaled_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--messages", type=int, default=240)
    parser.add_argument("--soak-clients", type=int, default=20)
    parser.add_argument("--soak-messages", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 64 and 1 <= args.messages <= 2000 and 1 <= args.soak_clients <= 100):
        print("error: --clients 1-64, --messages 1-2000, --soak-clients 1-100", file=sys.stderr)
        return 2
    section: dict[str, Any] = {"machine": machine()}
    work = Path(tempfile.mkdtemp(prefix="scaled-bench-"))
    try:
        started = time.monotonic()
        with embedded(work / "embedded") as stack:
            section["embedded"] = {"startup_s": round(time.monotonic() - started, 1)}
            _warm(stack.env["GATEWAY_URL"])
            section["embedded"] |= measure(
                stack.env["GATEWAY_URL"], args.clients, args.messages, lambda: _pids(stack)
            )
        print(f"embedded: {section['embedded']}", file=sys.stderr, flush=True)
        started = time.monotonic()
        with scaled(work / "scaled") as stack:
            section["scaled"] = {"startup_s": round(time.monotonic() - started, 1)}
            _warm(stack.url("gateway"))
            section["scaled"] |= measure(
                stack.url("gateway"), args.clients, args.messages, lambda: _scaled_processes(stack)
            )
            print(f"scaled: {section['scaled']}", file=sys.stderr, flush=True)
            gateways = [f"http://127.0.0.1:{ports['gateway']}" for ports in stack.replicas_ports]
            room_id = httpx.post(f"{stack.url('gateway')}/api/rooms", json={"title": "soak"}).json()["id"]
            section["rooms_across_gateways"] = asyncio.run(
                run_soak(
                    gateways[0],
                    room_id,
                    clients=args.soak_clients,
                    messages=args.soak_messages,
                    timeout_s=300,
                    spread_over=gateways,
                )
            )
            print(f"rooms: {section['rooms_across_gateways']}", file=sys.stderr, flush=True)
    except (StackError, BackingError, httpx.HTTPError, TimeoutError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    section["paper"] = paper(section["embedded"], section["scaled"])
    section["machine"]["load_1min_after"] = round(os.getloadavg()[0], 2)
    print(f"paper: {section['paper']}", file=sys.stderr, flush=True)
    if not args.no_write:
        merge_results(section, "scaled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
