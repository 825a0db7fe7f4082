"""Loopback servers for the tests of connections opened ahead (``explorer.client.warm``).

``counting_server``: a keep-alive HTTP/1.1 server on 127.0.0.1 (HTTPS with a context) that answers every
request ``{}`` and notes each connection it accepts and each request (with the client's port, so a test
tells which connection a request came on). ``full_server``: a listening port whose accept queue is full,
so a connect neither completes nor is refused — how a connect timeout is modelled without aiming at any
other address. ``serving_simulator``: the simulator over loopback HTTP, noting the connection of each
request; ``pool_connections``/``idle_ports``: what a client's pool holds.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

import explorer.simulator.server as server_module
from explorer.simulator import Simulator, serve


@dataclass
class Seen:
    """What the server saw: accepted connections (client ports, in order), requests (method, path, port)."""

    accepted: list[int] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    sockets: list[socket.socket] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    together: threading.Barrier | None = None
    """When set, each request is answered only once this many are in (so they are surely concurrent)."""

    def wait_accepted(self, count: int, timeout: float = 5.0) -> int:
        """The number accepted, once it reaches ``count`` (or ``timeout`` passes: the accept thread may lag
        behind the kernel, which completes a loopback connect before the server calls accept)."""
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return len(self.accepted)

    def close_all(self) -> None:
        """Close every accepted connection from the server's side (as a server's idle timeout does)."""
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        seen: Seen = self.server.seen  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with seen.lock:
            seen.requests.append((self.command, self.path, self.client_address[1]))
        if seen.together is not None:
            seen.together.wait(timeout=5)
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, seen: Seen, tls: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen = seen
        self.tls = tls

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is not None:  # the handshake happens here, before the connection counts as accepted
            sock = self.tls.wrap_socket(sock, server_side=True)
        with self.seen.lock:
            self.seen.accepted.append(address[1])
            self.seen.sockets.append(sock)
        return sock, address


@contextlib.contextmanager
def counting_server(tls: ssl.SSLContext | None = None) -> Iterator[tuple[str, Seen]]:
    """Serve on a free loopback port; yields the base URL (``http://127.0.0.1:PORT/v1/``, https with
    ``tls``) and what it saw."""
    seen = Seen()
    server = _Server(seen, tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        scheme = "https" if tls is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/v1/", seen
    finally:
        server.shutdown()
        seen.close_all()
        server.server_close()
        thread.join(2)


@contextlib.contextmanager
def full_server() -> Iterator[int]:
    """A loopback port that neither accepts nor refuses: its one-place accept queue is taken; yields it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    first = socket.create_connection(("127.0.0.1", port))  # fills the queue: later connects hang
    try:
        yield port
    finally:
        first.close()
        server.close()


def refused_port() -> int:
    """A loopback port nobody listens on (bound, then closed): a connect is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def loopback_tls(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a self-signed certificate for 127.0.0.1 (made with the openssl tool, in
    ``folder``) and a client context that trusts it; the test is skipped when there is no openssl here."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl tool to make a loopback certificate")
    pem = folder / "loopback.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(pem), "-out", str(folder / "cert.pem"), "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    pem.write_text(pem.read_text() + (folder / "cert.pem").read_text())
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(pem)
    return server_side, ssl.create_default_context(cafile=str(pem))


def pool_connections(client: Any) -> list[Any]:
    """The connections in an ``IntegratorClient``'s pool (network transport only)."""
    transport = client._http._client._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    connections: list[Any] = transport._pool.connections
    return connections


def idle_ports(client: Any) -> set[int]:
    """The local ports of the idle connections in an ``IntegratorClient``'s pool."""
    return {conn._connection._network_stream.get_extra_info("client_addr")[1]
            for conn in pool_connections(client) if conn.is_idle()}


@contextlib.contextmanager
def serving_simulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Simulator, list[Any]]]:
    """The simulator served over loopback HTTP in this process; yields its base URL, the simulator and the
    requests it reads as (method, path without query, client port), so a test tells which connection each
    came on (the handler's request parsing is wrapped for the test only)."""
    seen: list[tuple[str, str, int]] = []
    parse = server_module._Handler.parse_request

    def noting(handler: Any) -> bool:
        ok = parse(handler)
        if ok:
            seen.append((handler.command, handler.path.split("?")[0], handler.client_address[1]))
        return ok

    monkeypatch.setattr(server_module._Handler, "parse_request", noting)
    sim = Simulator(seed=0, time_scale=0)
    with serve(sim, port=0) as running:
        yield running.base_url, sim, seen
