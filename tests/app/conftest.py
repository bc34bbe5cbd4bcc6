"""Fixtures shared by the app tests: the fake translation service, and PostgreSQL and Redis for the tests of
replicas (issue 12): deploy/backing.py runs Debian's packages (installed when missing) on free loopback ports,
their data in a temporary folder, once per session."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.backing import Backing
from tests.app.rooms.fake_translation import FakeTranslationServer, free_port


@pytest.fixture(scope="session")
def backing() -> Iterator[Backing]:
    """Shared by the session's tests: each makes its own rooms, keys or namespaces."""
    data_dir = Path(tempfile.mkdtemp(prefix="trojzemi-backing-"))
    try:
        with Backing(data_dir, free_port(), free_port()) as servers:
            yield servers
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def translation_server() -> Iterator[FakeTranslationServer]:
    """The fake translation service on a loopback port (rooms, Telegram and office tests)."""
    with FakeTranslationServer() as server:
        yield server
