"""The simulator over real HTTP on loopback (`iox simulator`): NA on one port, EU, AU and CA on others.

Why: end-to-end tests and curious users need a real socket — curl, a browser, the packaged `iox` pointed at
`--base-url http://127.0.0.1:8765` — with the same behaviour as the in-process transport. A "reset" fault
closes the socket with an RST, a "timeout" fault holds the request and then drops it without an answer.

Latency is slept in the handler thread, half before the request is handled (the way there) and the rest after
(the way back), to deadlines counted from the request's arrival (the kernel's receive stamp of its last bytes,
see `arrival`; else the moment it was read): its answer leaves one latency plus the call's own work after
that. Own work is the thread's CPU time handling the call and rendering its answer (`time.thread_time`), not
the wall time it spent waiting. Calls that arrive together queue for the simulator's one lock, which a real
API does not do (it serves them side by side): the time a call waited for the lock, like a late wake-up from
the way there or a wait for the GIL while handling, is not added to its answer, so ten concurrent calls
answer one latency (plus each one's own work) after they were sent, not one latency plus the work of all the
calls in front of them. Measured on ten 1000-key retries at 100 ms: the last answer came 40-45 ms after the
first when each waited its full way back after the lock.

The answer is rendered whole (status line, `Server`, `Date`, headers, `Content-Length`, body: the standard
library's own calls, into memory) before the way back, and written with one `sendall` when it is due. Ten
retries answered together used to wake at once and each ran the standard library's header calls and two
writes under the GIL: answers left 0-4.8 ms after their due time (issue 10, measured). `Date` therefore says
when the answer was made, as a real server's does, not when it reached the client.
"""

from __future__ import annotations

import gc
import io
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .arrival import StampedReader, stamp_arrivals
from .auth import DEMO_TOKENS
from .faults import FaultConfig
from .simulator import Simulator
from .wire import SimResponse


def _sleep_until(deadline: float) -> None:
    """Sleep until `time.perf_counter()` reaches `deadline` (not at all if it has)."""
    remaining = deadline - time.perf_counter()
    if remaining > 0:
        time.sleep(remaining)


class _Handler(BaseHTTPRequestHandler):
    """Turns one HTTP exchange into a `Simulator.handle` call (the server holds the simulator and region)."""

    protocol_version = "HTTP/1.1"
    server: _SimServer
    _reader: StampedReader | None = None

    def setup(self) -> None:
        """Read the connection through a `StampedReader` where the kernel stamps arrivals (see `arrival`)."""
        super().setup()
        if stamp_arrivals(self.connection):
            self.rfile.close()  # the standard library's reader: it holds a reference that defers closing
            self._reader = StampedReader(self.connection)
            self.rfile = io.BufferedReader(self._reader)

    def _answer(self) -> None:
        sim, region = self.server.sim, self.server.region
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        received = time.perf_counter() if self._reader is None else self._reader.arrived()
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        delay = sim.next_delay_s()
        if delay > 0:
            _sleep_until(received + delay / 2)  # the way there
        with sim.request_lock:
            began = time.thread_time()
            answer = sim.handle(
                self.command, f"http://{host}{self.path}", dict(self.headers.items()), body, region=region
            )
        wire = b"" if answer.fault is not None else self._render(answer)
        own = time.thread_time() - began
        if delay > 0:
            _sleep_until(received + delay + own)  # the way back (see the module's docstring)
        if answer.fault == "timeout":
            time.sleep(sim.fault_timeout_s())
        if answer.fault is not None:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.connection.sendall(wire)

    def _render(self, answer: SimResponse) -> bytes:
        """The answer's bytes as the standard library's calls write them (they also decide `Connection`
        handling and HTTP/0.9), written into memory instead of the socket."""
        sink = io.BytesIO()
        socket_writer, self.wfile = self.wfile, sink
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.status != 204:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if answer.body and answer.status != 204:
                self.wfile.write(answer.body)
        finally:
            self.wfile = socket_writer
        return sink.getvalue()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the simulator keeps its own request log (`Simulator.requests`)."""


class _SimServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    """The listen backlog. socketserver's default, 5, dropped the SYNs of a client opening 10 connections at
    once (a bulk retry's batches): each dropped one waited for the kernel's 1 s SYN retransmission (issue 10,
    measured). A real API's front end accepts them; the simulator must not invent that second."""

    def __init__(self, address: tuple[str, int], sim: Simulator, region: str) -> None:
        self.sim = sim
        self.region = region
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept with ``TCP_NODELAY``: when the handler wrote headers and body separately, Nagle's algorithm
        held the second write until the client's delayed ACK (~40 ms per answer on loopback, measured); an
        answer written in one piece would still wait behind an unacknowledged earlier one."""
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def server_bind(self) -> None:
        """Bind, stamping arrivals from the start: a packet received before stamping is on has no stamp."""
        stamp_arrivals(self.socket)
        super().server_bind()


class RunningServer:
    """Handle on the running servers: their base URLs, and `close()` (also a context manager)."""

    def __init__(self, na: _SimServer, others: list[_SimServer]) -> None:
        self._servers = [na, *others]
        self.host = str(na.server_address[0])
        self.port = int(na.server_address[1])
        self.region_ports: dict[str, int] = {s.region: int(s.server_address[1]) for s in others}
        """The port of each region served besides NA."""
        self.eu_port = self.region_ports.get("eu")
        for server in self._servers:
            threading.Thread(
                target=server.serve_forever, name=f"iox-sim-{server.region}", daemon=True
            ).start()

    @property
    def base_url(self) -> str:
        """NA base URL, e.g. `http://127.0.0.1:8765` (paths start with `/v1/`)."""
        return f"http://{self.host}:{self.port}"

    @property
    def eu_base_url(self) -> str | None:
        """EU base URL when an EU port was requested."""
        return self.region_base_url("eu")

    def region_base_url(self, region: str) -> str | None:
        """The base URL of a region's port (`na` always; others when a port was requested)."""
        if region == "na":
            return self.base_url
        port = self.region_ports.get(region)
        return None if port is None else f"http://{self.host}:{port}"

    def close(self) -> None:
        """Stop serving and release the ports."""
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 8765,
    eu_port: int | None = None,
    *,
    region_ports: dict[str, int] | None = None,
) -> RunningServer:
    """Serve `sim` over HTTP in background threads (port 0 picks a free port); returns at once.

    NA answers on `port`; `eu_port` and `region_ports` (e.g. `{"au": 0, "ca": 0}`) add the other regions.
    """
    wanted = dict(region_ports or {})
    if eu_port is not None:
        wanted["eu"] = eu_port
    na = _SimServer((host, port), sim, "na")
    others: list[_SimServer] = []
    try:
        for region, region_port in wanted.items():
            server = _SimServer((host, region_port), sim, region)
            others.append(server)
            sim.register_region_port(int(server.server_address[1]), region)
    except (OSError, ValueError):
        for server in (na, *others):
            server.server_close()
        raise
    return RunningServer(na, others)


def run_server(
    port: int = 8765,
    eu_port: int | None = None,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    faults: FaultConfig | str | None = None,
    scale: str = "demo",
    seed: int = 0,
    *,
    au_port: int | None = None,
    ca_port: int | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Build a simulator, serve it, print the base URLs and demo tokens; serve until Ctrl-C (or `stop`)."""
    config = FaultConfig.parse(faults) if isinstance(faults, str) else faults
    sim = Simulator(seed=seed, scale=scale, faults=config, latency_ms=latency_ms, jitter_ms=jitter_ms)
    sim.build_deferred()
    # What was just built lives as long as the process: out of the cyclic collector's reach, a full
    # collection no longer walks the large account (~55 ms, under the request lock whenever one fell inside
    # a request: one in ten 1000-key retries, measured with gc.callbacks; ~4 ms frozen). Issue 10.
    gc.freeze()
    # Threads that wake from a latency sleep or a socket call wait for the GIL up to the switch interval
    # (5 ms) while another thread handles a request: ten concurrent retries woke up to 39 ms late and spent
    # up to 42 ms writing a 600-byte answer (measured). A real server has no GIL; 0.5 ms keeps ours close.
    # Re-measured with answers rendered ahead (ten 1000-key retries, 7 runs, answer sent − arrival − latency,
    # min/median/max): 5 ms 1.0/1.9/8.2 ms, 0.5 ms 1.0/1.7/4.6, 0.1 ms 0.9/1.7/4.4: nothing to gain below.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    extra = {name: p for name, p in (("au", au_port), ("ca", ca_port)) if p is not None}
    running = serve(sim, port=port, eu_port=eu_port, region_ports=extra)
    print(f"integrator.io simulator (scale {scale}, seed {seed})", flush=True)
    for region in ("na", "eu", "au", "ca"):
        url = running.region_base_url(region)
        if url:
            print(f"{region.upper()}: {url}/v1/", flush=True)
    for name, token in DEMO_TOKENS.items():
        print(f"{name}: {token}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    waiter = stop or threading.Event()
    _stop_on_signals(waiter)
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        running.close()
        sys.setswitchinterval(switch_interval)


def _stop_on_signals(waiter: threading.Event) -> None:
    """Stop cleanly on SIGTERM and SIGINT, so supervisors and scripts (`kill`, `&` jobs) can end the server.

    A shell starts background jobs with SIGINT ignored, and Python's default SIGTERM kills without closing the
    sockets; both are set here, and only from the main thread (where signal handlers may be installed).
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: object) -> None:
        waiter.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
