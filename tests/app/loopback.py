"""A fake HTTP server on a loopback port in a daemon thread (the fake Bot API, the office's fake Rasa)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(port: int, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()
