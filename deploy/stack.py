"""Start the four processes under supervisord, wait until each answers its health check, print the URLs.

`python -m deploy.stack` is what `make run` ends with; the integration tests use `Stack` to bring up the same
processes on other ports. Ctrl-C (SIGINT) or SIGTERM stops supervisord, which stops every process it runs.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from deploy.backing import BackingError, Running

ROOT = Path(__file__).resolve().parent.parent
SUPERVISORD = ROOT / ".venv-app" / "bin" / "supervisord"
SUPERVISORCTL = ROOT / ".venv-app" / "bin" / "supervisorctl"
CONFIG = ROOT / "deploy" / "supervisord.conf"

DEFAULTS: dict[str, str] = {
    "HOST": "127.0.0.1",
    "RASA_PORT": "5005",
    "ACTIONS_PORT": "5055",
    "TRANSLATION_PORT": "8001",
    "GATEWAY_PORT": "8000",
    "RASA_MODEL": "models",
    # Rasa's SQL tracker store (endpoints.yml): conversations survive a restart of Rasa.
    "RASA_TRACKER_DB": "var/rasa-tracker.sqlite",
    "RUN_DIR": "var/run",
}


def _serving(response: httpx.Response) -> bool:
    """The process answers. A health check that says `degraded` with 503 (the translation service without a
    model for some direction, so that a balancer routes around it) is up too: the rest of the stack works."""
    if response.status_code < 500:
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    return response.status_code == 503 and isinstance(body, dict) and body.get("status") == "degraded"


def rasa_store_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The variables endpoints.yml reads for Rasa's tracker store and lock store: embedded (SQLite file, locks
    in memory) when the URLs are empty, PostgreSQL and Redis when they are set."""
    redis = urlsplit(redis_url) if redis_url else None
    return {
        "RASA_TRACKER_DIALECT": "postgresql" if database_url else "sqlite",
        "RASA_TRACKER_URL": database_url,
        "RASA_LOCK_STORE": "redis" if redis else "in_memory",
        "RASA_LOCK_STORE_HOST": (redis.hostname or "127.0.0.1") if redis else "",
        "RASA_LOCK_STORE_PORT": str((redis.port if redis else None) or 6379),
        "RASA_LOCK_STORE_DB": (redis.path.strip("/") or "0") if redis else "0",
    }


class StackError(RuntimeError):
    """The processes could not be started or did not become healthy in time."""


@dataclass
class Stack(Running):
    """The four services under one supervisord, configured from `env` (defaults: DEFAULTS)."""

    env: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        merged = {**os.environ}
        for key, default in DEFAULTS.items():
            merged.setdefault(key, default)
        merged.update(self.env)
        host, run_dir = merged["HOST"], Path(merged["RUN_DIR"])
        if not run_dir.is_absolute():
            run_dir = ROOT / run_dir
        merged["RUN_DIR"] = str(run_dir)
        merged["ROOT"] = str(ROOT)
        # The services find each other through these URLs. A URL given to this Stack wins; one inherited from
        # the environment wins too, unless this Stack was given the port it points at (the tests start a stack
        # on free ports from inside `make`, whose environment may name the default ports).
        derived = {
            "RASA_URL": ("RASA_PORT", f"http://{host}:{merged['RASA_PORT']}"),
            "ACTIONS_URL": ("ACTIONS_PORT", f"http://{host}:{merged['ACTIONS_PORT']}"),
            "TRANSLATION_URL": ("TRANSLATION_PORT", f"http://{host}:{merged['TRANSLATION_PORT']}"),
            "GATEWAY_URL": ("GATEWAY_PORT", f"http://{host}:{merged['GATEWAY_PORT']}"),
        }
        for name, (port_name, url) in derived.items():
            if name not in self.env and (port_name in self.env or name not in merged):
                merged[name] = url
        endpoint_inherited = "ACTION_ENDPOINT_URL" in merged and "ACTIONS_PORT" not in self.env
        if "ACTION_ENDPOINT_URL" not in self.env and not endpoint_inherited:
            merged["ACTION_ENDPOINT_URL"] = f"{merged['ACTIONS_URL']}/webhook"
        # The secret Rasa sends to the action server (endpoints.yml; actions/server.py refuses calls without
        # it): new for every stack unless one is given or inherited.
        if not merged.get("ACTIONS_TOKEN"):
            merged["ACTIONS_TOKEN"] = secrets.token_urlsafe(32)
        # The token of Rasa's HTTP API (`rasa run --auth-token`, supervisord.conf), which the gateway sends
        # (RASA_TOKEN, gateway/settings.py): new for every stack unless one is given or inherited.
        if not merged.get("RASA_TOKEN"):
            merged["RASA_TOKEN"] = secrets.token_urlsafe(32)
        tracker_db = Path(merged["RASA_TRACKER_DB"])
        merged["RASA_TRACKER_DB"] = str(tracker_db if tracker_db.is_absolute() else ROOT / tracker_db)
        merged.update(rasa_store_env(merged.get("DATABASE_URL", ""), merged.get("REDIS_URL", "")))
        self.env = merged

    @property
    def run_dir(self) -> Path:
        return Path(self.env["RUN_DIR"])

    @property
    def health_urls(self) -> dict[str, str]:
        """This stack's own processes, by port: the URLs the services use may point at a balancer in front of
        several stacks (deploy/scaled.py)."""
        base = f"http://{self.env['HOST']}"
        return {
            "rasa": f"{base}:{self.env['RASA_PORT']}/",
            "actions": f"{base}:{self.env['ACTIONS_PORT']}/health",
            "translation": f"{base}:{self.env['TRANSLATION_PORT']}/health",
            "gateway": f"{base}:{self.env['GATEWAY_PORT']}/health",
        }

    def start(self, timeout_s: float = 240.0) -> None:
        self.spawn()
        self.wait_healthy(timeout_s)

    def spawn(self) -> None:
        """Start supervisord (and so the four processes) without waiting for them."""
        model_dir = ROOT / self.env["RASA_MODEL"]
        if not any(model_dir.glob("*.tar.gz")):
            raise StackError(f"no trained Rasa model in {model_dir}: run `make train` first")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # Rasa retries an SQLite file it cannot open every 5 s, forever: its folder must exist.
        Path(self.env["RASA_TRACKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(SUPERVISORD), "-c", str(CONFIG)],
            cwd=ROOT,
            env=dict(self.env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait_healthy(self, timeout_s: float) -> None:
        pending = dict(self.health_urls)
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=2.0) as client:
            while pending:
                if self.process is not None and self.process.poll() is not None:
                    raise StackError(f"supervisord exited with {self.process.returncode}; see {self.run_dir}")
                for name, url in list(pending.items()):
                    try:
                        if _serving(client.get(url)):
                            del pending[name]
                    except httpx.HTTPError:
                        pass
                if not pending:
                    break
                if time.monotonic() > deadline:
                    names = ", ".join(sorted(pending))
                    raise StackError(f"not healthy after {timeout_s:.0f} s: {names}; logs in {self.run_dir}")
                time.sleep(1.0)

    def ctl(self, *args: str) -> str:
        """Run supervisorctl against this stack (status, stop NAME, pid NAME, ...)."""
        result = subprocess.run(
            [str(SUPERVISORCTL), "-c", str(CONFIG), *args],
            cwd=ROOT,
            env=dict(self.env),
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def serve(stack: Running, announce: Callable[[float], None], alive: Callable[[], bool]) -> int:
    """Start `stack`, `announce(seconds it took)`, and keep it until Ctrl-C or SIGTERM (exit 0) or until
    `alive()` turns false (exit 1); a start that fails stops whatever did start (exit 1)."""
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        stack.start()
    except (StackError, BackingError) as error:
        print(f"error: {error}", file=sys.stderr)
        stack.stop()
        return 1
    except KeyboardInterrupt:
        stack.stop()
        return 130
    announce(time.monotonic() - started)
    try:
        while alive():
            time.sleep(1.0)
        print("error: a supervisord exited; stopping", file=sys.stderr)
        stack.stop()
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        # A second Ctrl-C or SIGTERM while the services shut down (make forwards one, an impatient user
        # presses twice) must not abandon the wait and leave them running without their launcher.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        stack.stop()
        return 0


def main() -> int:
    stack = Stack()
    print("Starting Rasa, the action server, the translation service and the gateway ...", flush=True)

    def announce(seconds: float) -> None:
        env = stack.env
        print(f"\nReady in {seconds:.0f} s:")
        print(f"  web chat            {env['GATEWAY_URL']}/")
        print(f"  translated rooms    {env['GATEWAY_URL']}/rooms/new")
        print(f"  office (staff)      {env['GATEWAY_URL']}/office   (python -m gateway.office add-user)")
        print(f"  chat API            {env['GATEWAY_URL']}/api/chat   (health: {env['GATEWAY_URL']}/health)")
        print(f"  API docs            {env['GATEWAY_URL']}/docs")
        translation = env["TRANSLATION_URL"]
        print(f"  translation API     {translation}/translate   (docs: {translation}/docs)")
        print(f"  Rasa                {env['RASA_URL']}/   action server {env['ACTIONS_URL']}/health")
        if env.get("TELEGRAM_BOT_TOKEN"):
            print(f"  Telegram bot        on ({env.get('TELEGRAM_MODE', 'polling')})")
        else:
            print("  Telegram bot        off (set TELEGRAM_BOT_TOKEN to turn it on)")
        print(f"Logs in {stack.run_dir}. Ctrl-C stops everything.", flush=True)

    return serve(stack, announce, lambda: stack.process is not None and stack.process.poll() is None)


if __name__ == "__main__":
    sys.exit(main())
