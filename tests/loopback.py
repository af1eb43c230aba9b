"""A small HTTP server on 127.0.0.1 for the platform connectors' tests.

Routes are functions of the request returning a `Reply`; a reply whose body is an iterator is
streamed chunk by chunk (server-sent events), and the iterator may block to hold the line open.
Every request is recorded, so tests can check exactly what the client sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Reply:
    status: int = 200  # 0: close the connection without answering
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(data: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers})


Route = Callable[[Request], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-answer is what the drop tests do on purpose


class Loopback:
    """ThreadingHTTPServer on an ephemeral port; `routes` maps "METHOD /path" to a route."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.busy = threading.Condition()
        self.active = 0  # requests being answered
        self.closing = threading.Event()  # set at teardown: wakes streams holding the line
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                with server.busy:
                    server.active += 1
                try:
                    self._answer()
                finally:
                    with server.busy:
                        server.active -= 1
                        server.busy.notify_all()

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    dict(self.headers.items()),
                    self.rfile.read(length) if length else b"",
                )
                server.requests.append(request)
                route = server.find(self.command, parts.path)
                reply = route(request) if route else Reply(404, b'{"error":"not found"}')
                if reply.status == 0:  # a dropped connection: no answer at all
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if isinstance(reply.body, bytes):
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for chunk in reply.body:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def find(self, method: str, path: str) -> Route | None:
        """The route for a request: exact "METHOD /path" first, then the longest prefix ending in *."""
        exact = self.routes.get(f"{method} {path}")
        if exact:
            return exact
        prefixes = [
            k for k in self.routes if k.endswith("*") and f"{method} {path}".startswith(k[:-1])
        ]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def hold(self) -> Iterator[bytes]:
        """A stream body that sends nothing more and ends at teardown (a silent, dead stream)."""
        self.closing.wait(30)
        yield b""

    def settle(self) -> None:
        """Wait until no request is being answered (a cancelled client's last one included)."""
        with self.busy:
            self.busy.wait_for(lambda: self.active == 0, timeout=5)

    def received(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def start(self) -> Loopback:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


async def run_until(
    sources: list[Any], store: Any, done: Callable[[], bool], *, timeout: float = 15.0
) -> Any:
    """Run the real pipeline into `store` until `done()` holds after a commit (or fail on timeout)."""
    import asyncio

    from pouls import pipeline

    stop = asyncio.Event()

    def listener(batch: list[Any]) -> None:
        if done():
            stop.set()

    limits = pipeline.Limits(batch_latency=0.01)
    return await asyncio.wait_for(
        pipeline.run(sources, store, listeners=[listener], stop=stop, limits=limits), timeout
    )
