"""The office tests' fake Rasa on loopback: tests.app.office.fake_rasa.FakeRasa (REST webhook, tracker events
in and out) served over HTTP, storing each handover in HANDOVER_DB as the action server's form does."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from actions.handover_store import HandoverStore
from tests.app import loopback
from tests.app.office.fake_rasa import FakeRasa
from tests.app.rooms.fake_translation import free_port

# The contact a resident gives in the handover form (made up).
CONTACT = "anna.schmidt@example.de"


class RasaOnLoopback:
    def __init__(self, handover_db: Path) -> None:
        self.handovers = HandoverStore(handover_db)
        self.fake = FakeRasa(store_handover=self._store)
        self.port = free_port()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _store(self, sender: str, language: str, question: str) -> int:
        return self.handovers.add(sender, language, question, CONTACT)

    def handover_of(self, sender: str) -> dict[str, Any]:
        return next(row for row in reversed(self.handovers.all()) if row["sender"] == sender)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self.fake
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = httpx.Request(self.command, f"http://rasa.test{self.path}", content=body)
                with lock:  # one turn at a time, as Rasa's lock store keeps a conversation's
                    response = fake.handle(request)
                self.send_response(response.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = _relay
            do_POST = _relay

        return Handler

    def __enter__(self) -> "RasaOnLoopback":
        self._server = loopback.serve(self.port, self._handler())
        return self

    def __exit__(self, *_exc: object) -> None:
        loopback.stop(self._server)
