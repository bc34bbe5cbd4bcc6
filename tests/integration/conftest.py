"""The real four processes on loopback, started once for the integration tests (no mocks between them)."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.stack import Stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("stack")
    env = {
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "TRANSLATION_PORT": str(free_port()),
        "GATEWAY_PORT": str(free_port()),
        "RUN_DIR": str(data_dir / "run"),
        "HANDOVER_DB": str(data_dir / "handovers.sqlite"),
        "ROOMS_DB": str(data_dir / "rooms.sqlite"),
        "OFFICE_DATABASE_URL": f"sqlite:///{data_dir / 'office.sqlite'}",
        # Rasa's conversations (SQL tracker store), kept across a restart of Rasa (test_security.py).
        "RASA_TRACKER_DB": str(data_dir / "rasa-tracker.sqlite"),
        # GET /api/handovers needs it (gateway/office_auth.py): the `office` fixture's header.
        "OFFICE_API_TOKEN": secrets.token_urlsafe(24),
        # No translation models are installed here: the service must start and say so per direction.
        "TRANSLATION_MODELS_DIR": str(data_dir / "no-models"),
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
