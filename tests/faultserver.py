"""A local server that misbehaves the ways real servers do, one way per path.

Raw sockets rather than http.server, so it can hang, trickle, reset the connection and
lie about lengths. Every path is listed in ``FAULTS``; ``/feed/<name>`` serves a real
fixture feed untouched (the source that must keep working beside the broken ones).
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import struct
import threading
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

ENTITY_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
    + b"".join(
        f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode() for i in range(9)
    )
    + b']>\n<rss version="2.0"><channel><title>&j;</title><item><title>bomb</title>'
    b"<link>{base}/gone/bomb</link><description>&j;</description></item>"
    b"</channel></rss>\n"
)

ENTITY_BOMB_SITEMAP = ENTITY_BOMB.split(b"<rss", 1)[0].replace(
    b"DOCTYPE rss", b"DOCTYPE urlset"
) + (
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/gone/&j;</loc>'
    b"<lastmod>2026-12-01</lastmod></url></urlset>\n"
)

MALFORMED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>Unclosed <b>tag</title><link>{base}/gone/a</link></item>"
    b"<item><title>second</title></chann"
)

FAULTS = {
    "/500": "HTTP 500 on every request",
    "/hang": "accepts, reads the request, never answers",
    "/trickle": "headers, then one byte every half second",
    "/reset": "reads the request, then resets the connection",
    "/huge": "declares and streams 64 MB",
    "/gzip-bomb": "100 MB of zeros, gzipped to about 100 KB",
    "/malformed": "a feed that is not well-formed XML, cut off mid-tag",
    "/loop": "redirects to /loop-2, which redirects back",
    "/to-metadata": "redirects to http://169.254.169.254/latest/meta-data/",
    "/entity-bomb": "a feed declaring nested entities (billion laughs)",
    "/entity-bomb-sitemap": "a sitemap declaring the same entities",
}


class FaultServer:
    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.extra_redirects: dict[str, str] = {}  # path -> absolute Location
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._handle(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._tcp.daemon_threads = True
        self._thread = threading.Thread(target=self._tcp.serve_forever, daemon=True)
        self._gzip_bomb = gzip.compress(bytes(100 * 1024 * 1024), compresslevel=9)

    @property
    def port(self) -> int:
        return self._tcp.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._tcp.shutdown()
        self._tcp.server_close()

    def _here(self, body: bytes) -> bytes:
        return body.replace(b"{base}", self.url("").encode())

    # -- behaviours --

    def _handle(self, sock: socket.socket) -> None:
        sock.settimeout(30)
        try:
            request = sock.recv(65536).decode("latin-1")
        except OSError:
            return
        path = request.split(" ", 2)[1] if request.count(" ") >= 2 else "/"
        with contextlib.suppress(OSError):  # the client gave up: the point of most of these
            self._respond(sock, path.split("?", 1)[0])

    def _respond(self, sock: socket.socket, path: str) -> None:
        if path == "/robots.txt":
            return _send(sock, 404, b"")
        if path.startswith("/feed/"):
            body = (FIXTURES / "feeds" / path.removeprefix("/feed/")).read_bytes()
            return _send(sock, 200, body, "application/rss+xml")
        if path in self.extra_redirects:
            return _send(sock, 302, b"", headers={"Location": self.extra_redirects[path]})
        if path == "/500":
            return _send(sock, 500, b"<h1>Internal Server Error</h1>", "text/html")
        if path == "/hang":
            self.stopping.wait(60)
            return None
        if path == "/trickle":
            head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
            sock.sendall(f"{head}Content-Length: 100000\r\n\r\n".encode())
            while not self.stopping.wait(0.5):
                sock.sendall(b"<")
            return None
        if path == "/reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return None
        if path == "/huge":
            size = 64 * 1024 * 1024
            sock.sendall(
                f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                f"Content-Length: {size}\r\n\r\n".encode()
            )
            chunk = b" " * 65536
            for _ in range(size // len(chunk)):
                if self.stopping.is_set():
                    return None
                sock.sendall(chunk)
            return None
        if path == "/gzip-bomb":
            return _send(sock, 200, self._gzip_bomb, "application/rss+xml",
                         {"Content-Encoding": "gzip"})  # fmt: skip
        if path == "/malformed":
            return _send(sock, 200, self._here(MALFORMED), "application/rss+xml")
        if path in ("/loop", "/loop-2"):
            target = "/loop-2" if path == "/loop" else "/loop"
            return _send(sock, 302, b"", headers={"Location": self.url(target)})
        if path == "/to-metadata":
            return _send(sock, 302, b"",
                         headers={"Location": "http://169.254.169.254/latest/meta-data/"})  # fmt: skip
        if path == "/entity-bomb":
            return _send(sock, 200, self._here(ENTITY_BOMB), "application/rss+xml")
        if path == "/entity-bomb-sitemap":
            return _send(sock, 200, self._here(ENTITY_BOMB_SITEMAP), "application/xml")
        return _send(sock, 404, b"not found", "text/plain")


def _send(
    sock: socket.socket,
    status: int,
    body: bytes,
    content_type: str = "text/plain",
    headers: dict[str, str] | None = None,
) -> None:
    reason = {200: "OK", 302: "Found", 404: "Not Found", 500: "Internal Server Error"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}",
             f"Content-Length: {len(body)}", "Connection: close"]  # fmt: skip
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
