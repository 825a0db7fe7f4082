"""Latency counted from a request's arrival (the kernel's receive stamp), not from when a thread read it."""

from __future__ import annotations

import io
import json
import socket
import time

import pytest

from explorer.simulator import serve
from explorer.simulator.arrival import StampedReader, _on_perf_clock, stamp_arrivals
from tests.helpers.raw_http import request
from tests.helpers.sim_calls import make_sim

STAMPS = stamp_arrivals(socket.socket())
needs_stamps = pytest.mark.skipif(not STAMPS, reason="the kernel does not stamp TCP arrivals here")


def pair() -> tuple[socket.socket, socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        stamp_arrivals(listener)
        client = socket.create_connection(listener.getsockname()[:2])
        server, _ = listener.accept()
    return client, server


@needs_stamps
def test_a_read_knows_when_its_bytes_arrived_not_when_it_read_them() -> None:
    client, server = pair()
    with client, server:
        raw = StampedReader(server)
        reader = io.BufferedReader(raw)
        sent = time.perf_counter()
        client.sendall(b"x" * 50_000)
        time.sleep(0.1)
        assert reader.read(50_000) == b"x" * 50_000
        arrived = raw.arrived()
        assert sent <= arrived < sent + 0.05 < time.perf_counter() - 0.05


def test_without_a_believable_stamp_the_read_time_counts() -> None:
    client, server = pair()
    with client, server:
        reader = StampedReader(server)
        before = time.perf_counter()
        assert before <= reader.arrived() <= time.perf_counter()  # no read yet, no stamp
    assert _on_perf_clock(time.time_ns() + 10**9) is None  # from the future
    assert _on_perf_clock(time.time_ns() - 3600 * 10**9) is None  # an hour old
    stamp = _on_perf_clock(time.time_ns() - 10**7)
    assert stamp is not None and abs(time.perf_counter() - 0.01 - stamp) < 0.005


@needs_stamps
def test_pipelined_requests_travel_together() -> None:
    """Two requests written at once on one connection: the second waited in the socket while the first was
    answered, but it travelled with it, so it is answered one latency after it was sent (as a real API,
    reading both at once, answers it), not one latency after the first answer."""
    with serve(make_sim(latency_ms=150.0), port=0) as running, \
            socket.create_connection(("127.0.0.1", running.port), timeout=5) as conn:
        sent = time.perf_counter()
        conn.sendall(request("GET", "/v1/tokenInfo")
                     + request("GET", "/v1/tokenInfo", extra="Connection: close"))
        got = b""
        while chunk := conn.recv(65536):
            got += chunk
        took = time.perf_counter() - sent
    assert got.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert 0.15 <= took < 0.27, took  # the read time would make it 0.30


def test_a_body_that_comes_late_is_answered_one_latency_after_it_came() -> None:
    """Never early: the latency counts from the last byte of the request, however late it came."""
    with serve(make_sim(latency_ms=100.0), port=0) as running, \
            socket.create_connection(("127.0.0.1", running.port), timeout=5) as conn:
        whole = request("PUT", "/v1/integrations/6571b1581320a905fb130744", body=b'{"name": "late"}',
                        extra="Connection: close")
        conn.sendall(whole[:-5])
        time.sleep(0.2)
        finished = time.perf_counter()
        conn.sendall(whole[-5:])
        first = conn.recv(65536)
        took = time.perf_counter() - finished
    assert first.startswith(b"HTTP/1.1 200 OK\r\n") and took >= 0.1, took


def test_a_large_body_is_read_whole_through_the_stamped_reader() -> None:
    """A 2 MB PUT comes in over many reads; the document stored and echoed is the one sent."""
    description = "x" * 2_000_000
    with serve(make_sim(), port=0) as running, \
            socket.create_connection(("127.0.0.1", running.port), timeout=5) as conn:
        body = json.dumps({"name": "big", "description": description}).encode()
        conn.sendall(request("PUT", "/v1/integrations/6571b1581320a905fb130744", body=body,
                             extra="Connection: close"))
        got = b""
        while chunk := conn.recv(1 << 20):
            got += chunk
    head, _, answer = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(answer)["description"] == description
