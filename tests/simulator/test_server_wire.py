"""The served simulator's answers as bytes on a real loopback socket, its latency and its faults.

Why: the server renders each answer before it sleeps the way back and then writes it in one piece (issue 10).
What a client reads must not change with that: the exchanges below were captured from the server that wrote
status line, headers and body one call at a time, and only the `Date` value may differ (the `Server` value
is the standard library's, which names the running Python).
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from functools import partial
from http.server import BaseHTTPRequestHandler

import pytest

from explorer.simulator import FaultConfig, Simulator, serve
from explorer.simulator import demo_ids as d
from tests.helpers.raw_http import request
from tests.helpers.sim_calls import make_sim

RETRY = f"/v1/flows/{d.AMAZON_FLOW}/{d.AMAZON_IMPORT_STEP}/retry"
SERVER = f"{BaseHTTPRequestHandler.server_version} {BaseHTTPRequestHandler.sys_version}"
_DATE = re.compile(rb"\r\nDate: ([^\r]*)\r\n")


def exchange(port: int, *requests: bytes, timeout: float = 5.0) -> bytes:
    """Write the requests on one connection, read until the server closes it (the last asks it to)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(b"".join(requests))
        got = b""
        while chunk := conn.recv(65536):
            got += chunk
    return got


def normalized(raw: bytes) -> bytes:
    """`raw` with each `Date` value (checked to be an HTTP date) and the `Server` value (checked) masked."""
    for value in _DATE.findall(raw):
        assert parsedate_to_datetime(value.decode()).tzinfo is not None, value
    masked = _DATE.sub(b"\r\nDate: <date>\r\n", raw)
    assert masked.count(f"\r\nServer: {SERVER}\r\n".encode()) == masked.count(b"\r\nServer: ")
    return masked.replace(f"\r\nServer: {SERVER}\r\n".encode(), b"\r\nServer: <server>\r\n")


def retry_body(sim: Simulator) -> bytes:
    keys = [e["retryDataKey"] for e in sim.open_errors(d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)
            if "retryDataKey" in e][:2]
    return json.dumps({"retryDataKeys": keys}).encode()


def keep_alive_exchange() -> bytes:
    """200 JSON, 204, a page with its `Link`, 404, 401, 201 (a retry's job), 400 (bad JSON), kept alive."""
    sim = make_sim()
    with serve(sim, port=0) as running:
        return exchange(
            running.port,
            request("GET", "/v1/tokenInfo"),
            request("GET", f"/v1/integrations/{d.INT_EMPTY}/flows"),
            request("GET", "/v1/connections?limit=1"),
            request("GET", "/v1/nope"),
            request("GET", "/v1/tokenInfo", token=None),
            request("POST", RETRY, body=retry_body(sim)),
            request("POST", RETRY, body=b"{nope", extra="Connection: close"),
        )


def http10_exchange() -> bytes:
    """An HTTP/1.0 request: answered, then the server closes the connection."""
    with serve(make_sim(), port=0) as running:
        return exchange(running.port, request("GET", f"/v1/integrations/{d.INT_EMPTY}", version="HTTP/1.0"))


def http09_exchange() -> bytes:
    """An HTTP/0.9 request line (no version, no headers): the body alone comes back, no status line."""
    with serve(make_sim(), port=0) as running:
        return exchange(running.port, b"GET /v1/tokenInfo\r\n\r\n")


def rate_limited_exchange() -> bytes:
    """A bucket of one request that never refills: 200, then 429 with `Retry-After`."""
    with serve(make_sim(rate_bucket=1, rate_refill_per_s=0.0), port=0) as running:
        return exchange(running.port, request("GET", "/v1/tokenInfo"),
                        request("GET", "/v1/tokenInfo", extra="Connection: close"))


def head_exchange() -> bytes:
    """HEAD is not served: the standard library's 501 (with `Connection: close`)."""
    with serve(make_sim(), port=0) as running:
        return exchange(running.port, request("HEAD", "/v1/tokenInfo"))


def faulty_exchange(faults: FaultConfig) -> bytes:
    """Two requests on one connection with every request drawing the fault."""
    with serve(make_sim(faults=faults), port=0) as running:
        return exchange(running.port, request("GET", "/v1/tokenInfo"),
                        request("GET", "/v1/tokenInfo", extra="Connection: close"))


EXCHANGES: dict[str, Callable[[], bytes]] = {
    "keep-alive": keep_alive_exchange,
    "http/1.0": http10_exchange,
    "http/0.9": http09_exchange,
    "429": rate_limited_exchange,
    "head": head_exchange,
    "503": partial(faulty_exchange, FaultConfig(p503=1.0)),
    "truncated": partial(faulty_exchange, FaultConfig(p_truncated=1.0)),
}

# Captured from the server as it was before it rendered answers ahead of the way back (Date, Server masked).
GOLDEN: dict[str, bytes] = {
    'keep-alive': (
        b'HTTP/1.1 200 OK\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 50\r\n'
        b'\r\n'
        b'{"_userId":"6571a3c03ab4556bd87ba3e2","scope":"*"}'
        b'HTTP/1.1 204 No Content\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'\r\n'
        b'HTTP/1.1 200 OK\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Link: <http://127.0.0.1/v1/connections?limit=1&skip=1>; rel="next"\r\n'
        b'Content-Length: 624\r\n'
        b'\r\n'
        b'[{"_id":"6571b82412ab69b81933e9c5","type":"http","name":"Shopify - Acme Store","'
        b'offline":false,"sandbox":false,"http":{"formType":"assistant","mediaType":"json"'
        b',"baseURI":"https://acme-store.myshopify.com/admin/api/2024-01","ping":{"relativ'
        b'eURI":"/shop.json","method":"GET"},"auth":{"type":"token","token":{"token":"****'
        b'**","location":"header","headerName":"X-Shopify-Access-Token"}},"rateLimit":{"fa'
        b'ilStatusCode":429}},"assistant":"shopify","queues":[{"name":"6571b82412ab69b8193'
        b'3e9c5","size":0}],"createdAt":"2026-01-11T09:00:00.000Z","lastModified":"2026-10'
        b'-17T09:00:00.000Z","lastModifiedBy":"6571a3c03ab4556bd87ba3e2"}]'
        b'HTTP/1.1 404 Not Found\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 73\r\n'
        b'\r\n'
        b'{"errors":[{"code":"not_found","message":"Resource /v1/nope not found"}]}'
        b'HTTP/1.1 401 Unauthorized\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 77\r\n'
        b'\r\n'
        b'{"errors":[{"code":"unauthorized","message":"Invalid or missing API token"}]}'
        b'HTTP/1.1 201 Created\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 410\r\n'
        b'\r\n'
        b'{"_id":"659004f2050dff8e73685890","type":"retry","_flowId":"6571ee8474bf580e34bf'
        b'4684","_integrationId":"6571adf268b865d07f27b19c","status":"queued","createdAt":'
        b'"2026-11-27T09:00:00.000Z","lastModified":"2026-11-27T09:00:00.000Z","_importId"'
        b':"6571d86d1dd915c7e2368530","_flowJobId":"65900269212be37684cf9036","numSuccess"'
        b':0,"numError":0,"numIgnore":0,"numResolved":0,"numPagesGenerated":0,"numPagesPro'
        b'cessed":0}'
        b'HTTP/1.1 400 Bad Request\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 156\r\n'
        b'\r\n'
        b'{"errors":[{"code":"invalid_json","message":"Malformed JSON in request body: Exp'
        b'ecting property name enclosed in double quotes: line 1 column 2 (char 1)"}]}'
    ),
    'http/1.0': (
        b'HTTP/1.1 200 OK\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 300\r\n'
        b'\r\n'
        b'{"_id":"6571b1581320a905fb130744","name":"Sandbox experiments","sandbox":false,"'
        b'description":"Nothing here yet.","install":[],"flowGroupings":[],"_registeredCon'
        b'nectionIds":[],"createdAt":"2025-10-23T09:00:00.000Z","lastModified":"2026-10-28'
        b'T09:00:00.000Z","lastModifiedBy":"6571a3c03ab4556bd87ba3e2"}'
    ),
    'http/0.9': (
        b'{"errors":[{"code":"unauthorized","message":"Invalid or missing API token"}]}'
    ),
    '429': (
        b'HTTP/1.1 200 OK\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 50\r\n'
        b'\r\n'
        b'{"_userId":"6571a3c03ab4556bd87ba3e2","scope":"*"}'
        b'HTTP/1.1 429 Too Many Requests\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Retry-After: 3600\r\n'
        b'Content-Length: 95\r\n'
        b'\r\n'
        b'{"errors":[{"code":"rate_limited","message":"Rate limit exceeded: slow down and '
        b'retry later"}]}'
    ),
    'head': (
        b"HTTP/1.1 501 Unsupported method ('HEAD')\r\n"
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Connection: close\r\n'
        b'Content-Type: text/html;charset=utf-8\r\n'
        b'Content-Length: 357\r\n'
        b'\r\n'
    ),
    '503': (
        b'HTTP/1.1 503 Service Unavailable\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Retry-After: 2\r\n'
        b'Content-Length: 68\r\n'
        b'\r\n'
        b'{"errors":[{"code":"server_error","message":"Service Unavailable"}]}'
        b'HTTP/1.1 503 Service Unavailable\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Retry-After: 2\r\n'
        b'Content-Length: 68\r\n'
        b'\r\n'
        b'{"errors":[{"code":"server_error","message":"Service Unavailable"}]}'
    ),
    'truncated': (
        b'HTTP/1.1 200 OK\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 25\r\n'
        b'\r\n'
        b'{"_userId":"6571a3c03ab45'
        b'HTTP/1.1 200 OK\r\n'
        b'Server: <server>\r\n'
        b'Date: <date>\r\n'
        b'Content-Type: application/json; charset=utf-8\r\n'
        b'Content-Length: 25\r\n'
        b'\r\n'
        b'{"_userId":"6571a3c03ab45'
    ),
}


@pytest.mark.parametrize("name", list(EXCHANGES))
def test_answers_are_the_same_bytes_as_before(name: str) -> None:
    assert normalized(EXCHANGES[name]()) == GOLDEN[name]


def first_byte_after(port: int, *requests: bytes) -> list[float]:
    """Seconds from writing each request (one at a time, one connection) to its answer's first byte."""
    took = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        for raw in requests:
            began = time.perf_counter()
            conn.sendall(raw)
            got = conn.recv(65536)
            took.append(time.perf_counter() - began)
            assert got.startswith(b"HTTP/1.1 ")
    return took


def test_an_answer_never_comes_back_sooner_than_the_latency() -> None:
    sim = make_sim(latency_ms=120.0)
    with serve(sim, port=0) as running:
        took = first_byte_after(running.port, request("GET", "/v1/tokenInfo"),
                                request("POST", RETRY, body=retry_body(sim)), request("GET", "/v1/nope"))
    assert min(took) >= 0.12, took


def dropped(conn: socket.socket) -> tuple[bytes, float, bool]:
    """Read until the server ends the connection: the bytes, when it ended, and whether it reset it.

    The server shuts its side down, then closes with `SO_LINGER` 0: the client reads an end of stream at
    once and the RST is there before the client's next write, which fails (after a plain close it would
    not: that write is what provokes the RST)."""
    got = b""
    while chunk := conn.recv(65536):
        got += chunk
    ended = time.perf_counter()
    time.sleep(0.05)
    try:
        conn.send(b"x")
    except (BrokenPipeError, ConnectionResetError):
        return got, ended, True
    return got, ended, False


@pytest.mark.parametrize(("faults", "held"), [
    (FaultConfig(p_reset=1.0), 0.0),
    (FaultConfig(p_timeout=1.0, timeout_s=0.3), 0.3),
])
def test_reset_and_timeout_faults_drop_the_connection_with_an_rst_after_the_round_trip(
        faults: FaultConfig, held: float) -> None:
    with serve(make_sim(latency_ms=80.0, faults=faults), port=0) as running, \
            socket.create_connection(("127.0.0.1", running.port), timeout=5) as conn:
        began = time.perf_counter()
        conn.sendall(request("GET", "/v1/tokenInfo"))
        got, ended, reset = dropped(conn)
    assert (got, reset) == (b"", True)
    assert ended - began >= 0.08 + held


def test_a_clean_close_is_not_a_reset() -> None:
    """The check above can tell: the server closing after `Connection: close` sends no RST."""
    with serve(make_sim(), port=0) as running, \
            socket.create_connection(("127.0.0.1", running.port), timeout=5) as conn:
        conn.sendall(request("GET", "/v1/tokenInfo", extra="Connection: close"))
        got, _, reset = dropped(conn)
    assert got.startswith(b"HTTP/1.1 200 OK\r\n") and not reset


if __name__ == "__main__":  # print the exchanges (how GOLDEN was captured)
    for key, run in EXCHANGES.items():
        print(f"    {key!r}: (")
        for line in re.split(rb"(?<=\r\n)|(?=HTTP/1.1 )", normalized(run())):
            for at in range(0, len(line), 80):
                print(f"        {line[at:at + 80]!r}")
        print("    ),")
