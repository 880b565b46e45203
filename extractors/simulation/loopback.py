"""Serving :class:`~extractors.simulation.apis.SimulatedApis` on a loopback port (a real HTTP
server in a daemon thread), for clients and tools that need a URL rather than a transport."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from extractors.simulation.faults import SimulatedInterruption
from extractors.simulation.wire import SimResponse


class Router(Protocol):
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> SimResponse: ...


class LoopbackServer:
    """``ThreadingHTTPServer`` on ``127.0.0.1`` and a free port; ``base_url(source)`` locates a source."""

    def __init__(self, apis: Router):
        self.apis = apis
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(apis))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="simulated-apis", daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def base_url(self, source: str) -> str:
        return f"http://127.0.0.1:{self.port}/{source}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def _handler_for(apis: Router) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Keep-alive with headers and body in separate writes otherwise meets the client's delayed
        # ACK: ~40 ms per request.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                response = apis.handle(
                    self.command,
                    unquote(parts.path),
                    parse_qs(parts.query, keep_blank_values=True),
                    headers,
                    body,
                )
            except SimulatedInterruption:
                self.close_connection = True  # hang up without an answer, like a killed process
                return
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("content-length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

    return Handler
