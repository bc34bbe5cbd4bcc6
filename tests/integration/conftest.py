"""The real processes on loopback, started once for the integration tests (no mocks between them): the four
of `make run`, and the scaled stack of `make run-scaled` (issue 12)."""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.scaled import ScaledStack
from deploy.stack import Stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stack_env(data_dir: Path) -> dict[str, str]:
    """What both stacks get. The scaled one's DATABASE_URL (its PostgreSQL) takes the handovers, the office's
    tables and the rooms from these SQLite files (issue 12)."""
    return {
        "HANDOVER_DB": str(data_dir / "handovers.sqlite"),
        "ROOMS_DB": str(data_dir / "rooms.sqlite"),
        # Rasa's conversations (SQL tracker store), kept across a restart of Rasa (test_security.py).
        "RASA_TRACKER_DB": str(data_dir / "rasa-tracker.sqlite"),
        # GET /api/handovers needs it (gateway/office_auth.py): the `office` fixture's header.
        "OFFICE_API_TOKEN": secrets.token_urlsafe(24),
        # No translation models are installed here: the service must start and say so per direction.
        "TRANSLATION_MODELS_DIR": str(data_dir / "no-models"),
    }


@pytest.fixture(scope="session")
def scaled() -> Iterator[ScaledStack]:
    """`make run-scaled` on free ports (issue 12): PostgreSQL, Redis, 2 replicas of each service, HAProxy."""
    data_dir = Path(tempfile.mkdtemp(prefix="trojzemi-scaled-"))
    env = {**_stack_env(data_dir), "ROOMS_CREATE_RATE": "1000/minute", "TELEGRAM_BOT_TOKEN": ""}
    try:
        with ScaledStack.on_free_ports(data_dir, env) as running:
            yield running
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session", params=["embedded", "scaled"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every integration test runs against both: the four processes of `make run`, and the scaled stack
    (its first replica's supervisord, whose URLs all point at the balancer)."""
    if request.param == "scaled":
        yield request.getfixturevalue("scaled").replicas[0]
        return
    data_dir: Path = tmp_path_factory.mktemp("stack")
    env = {
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "TRANSLATION_PORT": str(free_port()),
        "GATEWAY_PORT": str(free_port()),
        "RUN_DIR": str(data_dir / "run"),
        **_stack_env(data_dir),
        "OFFICE_DATABASE_URL": f"sqlite:///{data_dir / 'office.sqlite'}",
    }
    with Stack(env=env) as running:
        yield running


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.env["GATEWAY_URL"], timeout=60.0) as client:
        yield client


@pytest.fixture(scope="session")
def office(stack: Stack) -> dict[str, str]:
    """The header of the office's requests (GET /api/handovers)."""
    return {"Authorization": f"Bearer {stack.env['OFFICE_API_TOKEN']}"}
