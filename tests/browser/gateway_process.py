"""The real gateway started under uvicorn for the browser tests, with its neighbours replaced by fakes."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.app.rooms.fake_translation import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running_gateway(
    runtime_dir: Path, rasa_url: str, translation_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """The real gateway under uvicorn on a free port, its data in `runtime_dir` (`extra_env` added to its
    environment); yields its base URL."""
    port = free_port()
    unused = f"http://127.0.0.1:{free_port()}"
    environment = {
        **os.environ,
        "RASA_URL": rasa_url or unused,
        "ACTIONS_URL": unused,
        "TRANSLATION_URL": translation_url or unused,
        "DOCUMENT_INDEX": str(runtime_dir / "missing-index.sqlite"),
        "HANDOVER_DB": str(runtime_dir / "handovers.sqlite"),
        "ROOMS_DB": str(runtime_dir / "rooms.sqlite"),
        "OFFICE_DATABASE_URL": f"sqlite:///{runtime_dir / 'office.sqlite'}",
        "TELEGRAM_BOT_TOKEN": "",
        "TELEGRAM_STATE_FILE": str(runtime_dir / "telegram-state.pickle"),
        **(extra_env or {}),
    }
    log_path = runtime_dir / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "gateway.main:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the gateway did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
