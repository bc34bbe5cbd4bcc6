"""A LibreTranslate-compatible stand-in for the translation service, on a loopback port, that can be stopped
and started again on the same port (to play a translation outage in the middle of a conversation).

It "translates" by prefixing the text with the target language, e.g. `[de] Dobrý den`, and counts every text
it was asked to translate per direction, so tests can check that each message is translated once per language.
"""

import argparse
import socket
import threading
import time
from collections import Counter
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

SUPPORTED = ("cs", "de", "pl")


def fake_translation(text: str, target: str) -> str:
    return f"[{target}] {text}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeTranslationServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.translated: Counter[tuple[str, str, str]] = Counter()  # (source, target, text) -> times asked
        # Directions answered with 503, as the real service does when a model is not installed.
        self.missing_directions: set[str] = set()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = self._build_app()

    def _build_app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/translate")
        async def translate(body: dict[str, Any]) -> JSONResponse:
            source, target, query = body.get("source"), body.get("target"), body.get("q")
            if source not in SUPPORTED or target not in SUPPORTED or source == target:
                return JSONResponse({"error": f"unsupported pair {source}-{target}"}, status_code=400)
            if f"{source}-{target}" in self.missing_directions:
                return JSONResponse(
                    {
                        "error": "model not installed",
                        "direction": f"{source}-{target}",
                        "install": "make models",
                    },
                    status_code=503,
                )
            texts = query if isinstance(query, list) else [query]
            for text in texts:
                self.translated[(source, target, text)] += 1
            translated = [fake_translation(text, target) for text in texts]
            return JSONResponse({"translatedText": translated if isinstance(query, list) else translated[0]})

        @app.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        return app

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the fake translation server did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> "FakeTranslationServer":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def main() -> None:
    """`python -m tests.app.rooms.fake_translation --port N`: the fake in a process of its own (the rooms
    bench)."""
    parser = argparse.ArgumentParser(description="a fake translation service on loopback")
    parser.add_argument("--port", type=int, required=True)
    server = FakeTranslationServer(parser.parse_args().port)
    uvicorn.run(server.app, host="127.0.0.1", port=server.port, log_level="warning")


if __name__ == "__main__":
    main()
