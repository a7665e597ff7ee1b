"""A local HTTP server for tests: real recorded bodies, ETag / Last-Modified, 304s.

It records every request (path and headers) so tests can assert what the crawler sent.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Route:
    body: bytes
    content_type: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    required_headers: dict[str, str] = field(default_factory=dict)  # else 401
    delay: float = 0.0  # seconds before answering (a slow server)


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]
    status: int
    at: float = 0.0  # time.time() when the request arrived


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self._clock = 1_600_000_000
        self._lock = threading.Lock()
        self.in_flight: dict[str, int] = {}  # requests being answered now, per path
        self.most_in_flight: dict[str, int] = {}  # the most at once, per path
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "application/rss+xml",
        *,
        status: int = 200,
        validators: bool = True,
        headers: dict[str, str] | None = None,
        required_headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> str:
        """Serve ``body`` at ``path``; a new body gets new validators, like a real server."""
        data = body.encode() if isinstance(body, str) else body
        self._clock += 60
        self.routes[path] = Route(
            data,
            content_type,
            status,
            etag=f'"{hashlib.sha1(data).hexdigest()[:16]}"' if validators else None,
            last_modified=formatdate(self._clock, usegmt=True) if validators else None,
            headers=headers or {},
            required_headers=required_headers or {},
            delay=delay,
        )
        return self.url(path)

    def serve_fixture(self, path: str, name: str, content_type: str = "application/rss+xml") -> str:
        return self.serve(path, (FIXTURES / name).read_bytes(), content_type)

    def requests_to(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]  # like most sites, ignore the query
                arrived = time.time()
                with server._lock:
                    now = server.in_flight[path] = server.in_flight.get(path, 0) + 1
                    server.most_in_flight[path] = max(server.most_in_flight.get(path, 0), now)
                try:
                    route = server.routes.get(path)
                    if route is not None and route.delay:
                        server._stopping.wait(route.delay)
                    status = self._respond(route)
                finally:
                    with server._lock:
                        server.in_flight[path] -= 1
                with server._lock:
                    server.requests.append(SeenRequest(path, dict(self.headers), status, arrived))

            def _respond(self, route: Route | None) -> int:
                if route is None:
                    self.send_error(404)
                    return 404
                if any(self.headers.get(k) != v for k, v in route.required_headers.items()):
                    self.send_error(401)
                    return 401
                if route.status == 200 and self._not_modified(route):
                    self.send_response(304)
                    self._validators(route)
                    self.end_headers()
                    return 304
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self._validators(route)
                self.end_headers()
                self.wfile.write(route.body)
                return route.status

            def _not_modified(self, route: Route) -> bool:
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    return True
                since = self.headers.get("If-Modified-Since")
                return bool(route.last_modified and since == route.last_modified)

            def _validators(self, route: Route) -> None:
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
