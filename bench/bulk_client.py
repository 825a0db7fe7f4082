"""The client's own CPU in a bulk retry of 10,000 errors (10 calls of 1000 keys), IN-PROCESS figures.

Why beside ``bench/errors.py`` (which times the real ``iox`` on its screen): on one event loop the last of
the 10 bodies leaves only after the Python of all 10 requests has run, and the report waits for the Python of
all 10 answers; those few milliseconds drown in the screen figure's noise on a shared machine. Here the same
code path as ``iox -v retry`` (``run_bulk`` on an ``IntegratorClient`` over real loopback sockets, the -v
request log and the progress line written to a terminal stand-in, ``/dev/null``) runs against a minimal
HTTP/1.1 server in its own process that answers each call ``--delay-ms`` after its body arrived, with the
simulator's 410-byte retry job. Connections are kept alive between runs (opened by a first, untimed run), as
``iox retry`` opens them ahead while it lists (``client.warm``). Per run:

* client CPU: ``time.process_time`` of this process across ``run_bulk`` and the report (planning included);
* first progress line → the last body fully read by the server (``x-arrived`` stamps: ``perf_counter`` is
  CLOCK_MONOTONIC, one clock for both processes);
* the last answer sent by the server → the report written;
* wall time of the whole.

Run: ``.venv/bin/python bench/bulk_client.py [--runs 20] [--delay-ms 50]``. Prints min/median/max; nothing
here is asserted by the test suite. The machine is shared: compare figures taken in the same sitting.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from screen import machine_note, spread

from explorer.cli import _request_logger
from explorer.client import IntegratorClient
from explorer.client.pool import LeanTransport
from explorer.commands.bulk import _progress_line
from explorer.commands.output import Output, printable
from explorer.model import ErrorRecord
from explorer.services.bulk import BulkOptions, BulkProgress, CancelToken, run_bulk

JOB = (b'{"_id":"65901493e67d7a17a0067c9f","type":"retry","_flowId":"66a0020000000000c0ffee00",'
       b'"_integrationId":"66a0010000000000c0ffee00","status":"queued","createdAt":"2026-11-27T09:00:00.040Z",'
       b'"lastModified":"2026-11-27T09:00:00.040Z","_importId":"66a0040000000000c0ffee00",'
       b'"_flowJobId":"659004f39249ee4e2107d30b","numSuccess":0,"numError":0,"numIgnore":0,"numResolved":0,'
       b'"numPagesGenerated":0,"numPagesProcessed":0}')


async def serve(delay: float) -> None:
    """The server process: keep-alive HTTP/1.1 on a free loopback port (printed first), TCP_NODELAY."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                arrived = time.perf_counter()
                await asyncio.sleep(delay)
                writer.write(b"HTTP/1.1 201 Created\r\ncontent-type: application/json; charset=utf-8\r\n"
                             b"content-length: %d\r\nx-arrived: %.6f\r\nx-sent: %.6f\r\n\r\n"
                             % (len(JOB), arrived, time.perf_counter()) + JOB)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


class _Stamped(httpx.AsyncBaseTransport):
    """The network transport the client uses, noting the server's stamps of each answer (read with its head).
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, stamps: list[tuple[float, float]]) -> None:
        self.inner, self.stamps = inner, stamps

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.stamps.append((float(response.headers["x-arrived"]), float(response.headers["x-sent"])))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Terminal(io.TextIOWrapper):
    """``/dev/null`` that says it is a terminal, so progress lines are drawn (and written) as in a pty."""

    def isatty(self) -> bool:
        return True


def _records(count: int) -> list[ErrorRecord]:
    flow, step = "66a0020000000000c0ffee00", "66a0040000000000c0ffee00"
    return [ErrorRecord.from_json({"errorId": f"{n:08x}", "retryDataKey": f"{n * 7919:032x}",
                                   "message": "x", "occurredAt": "2026-11-27T09:00:00.040Z"}, flow, step)
            for n in range(count)]


async def measure(port: int, runs: int) -> list[tuple[float, float, float, float]]:
    """``runs`` bulk retries after one untimed run: (cpu, to last body, after last answer, wall) seconds."""
    terminal = _Terminal(open(os.devnull, "wb"))  # noqa: SIM115 - closed below
    out = Output(terminal, terminal)
    stamps: list[tuple[float, float]] = []
    records = _records(10_000)
    figures = []
    async with IntegratorClient("bench-bulk-client-token", base_url=f"http://127.0.0.1:{port}/v1/",
                                transport=_Stamped(LeanTransport(), stamps), on_request=_request_logger(out),
                                concurrency=16) as client:
        for run in range(runs + 1):
            stamps.clear()
            first: list[float] = []

            def progress(state: BulkProgress, first: list[float] = first) -> None:
                if not first:
                    first.append(time.perf_counter())
                out.progress(_progress_line(state))

            cpu, wall = time.process_time(), time.perf_counter()
            report = await run_bulk(client, "retry", records, options=BulkOptions(follow=False),
                                    cancel=CancelToken(), on_progress=progress)
            out.clear_progress()
            for line in report.lines():
                out.line(printable(line))
            terminal.flush()
            end = time.perf_counter()
            if len(report.sent) != len(records):
                raise SystemExit(f"the retry did not go through: {report.lines()}")
            if run:
                figures.append((time.process_time() - cpu, max(a for a, _ in stamps) - first[0],
                                end - max(s for _, s in stamps), end - wall))
    terminal.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--serve", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        asyncio.run(serve(args.serve))
        return
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(args.delay_ms / 1000)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        print(f"bulk retry of 10,000 (10 × 1000 keys), client in-process; {args.runs} runs after a warm-up; "
              f"server answers {args.delay_ms:g} ms after each body; {machine_note()}")
        figures = asyncio.run(measure(port, args.runs))
    finally:
        server.terminate()
        server.wait(10)
    for label, index in (("client CPU (run_bulk + report, planning included)", 0),
                         ("first progress line → last body read by the server", 1),
                         ("last answer sent by the server → report written", 2), ("wall", 3)):
        print(f"  {label}: {spread([figure[index] for figure in figures])}")
    print(f"done; {machine_note()}")


if __name__ == "__main__":
    main()
