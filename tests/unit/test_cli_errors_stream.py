"""``iox errors --json`` and ``--jsonl`` print each page as it arrives (issue 10: 469 MiB held for 100,000).

The transport here serves the in-process simulator and, when a later page is asked for, holds it until
stdout shows something (up to 5 s) and notes what stdout then holds: the first record must be there
before the last page is served.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from pathlib import Path

import httpx
import pytest

from explorer.cli import main
from explorer.commands.output import json_text
from explorer.simulator import DEMO_TOKENS, Simulator, SimulatorTransport
from explorer.simulator import demo_ids as d
from tests.helpers.cli import isolate

STEP = (d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP)  # 3,000 open errors: 3 pages


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


class WatchingTransport(httpx.AsyncBaseTransport):
    """The simulator; before answering each page of the step's errors, stdout as it was then is noted."""

    def __init__(self, stdout: io.StringIO) -> None:
        self.inner = SimulatorTransport(Simulator(seed=0))
        self.stdout = stdout
        self.seen_before_page: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(f"/{STEP[1]}/errors"):
            if self.seen_before_page:
                # A later page is asked for while the one before may still be decoding (the client keeps a
                # page request in flight): it is held here until something is printed, or 5 s. A client
                # that printed nothing before the last page came would leave stdout empty.
                for _ in range(5000):
                    if self.stdout.getvalue():
                        break
                    await asyncio.sleep(0.001)
            self.seen_before_page.append(self.stdout.getvalue())
        return await self.inner.handle_async_request(request)


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, str, WatchingTransport]:
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    transport = WatchingTransport(stdout)
    code = main(["--base-url", "http://127.0.0.1:9", *argv], transport=transport)
    return code, stdout.getvalue(), transport


def test_jsonl_prints_the_first_record_before_the_last_page_is_served(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    code, out, transport = _run(monkeypatch, "errors", *STEP, "--jsonl")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3000 and all(json.loads(line)["errorId"] for line in lines)
    assert len(transport.seen_before_page) == 3
    before_last = transport.seen_before_page[-1].splitlines()
    assert before_last and json.loads(before_last[0]) == json.loads(lines[0])


def test_json_streams_the_same_document_it_printed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    code, out, transport = _run(monkeypatch, "errors", *STEP, "--json", "--limit", "1500")
    assert code == 0
    doc = json.loads(out)
    assert len(doc) == 1500 and out == json_text(doc) + "\n"  # byte for byte the old whole-list form
    assert transport.seen_before_page[1].startswith("[\n  {")  # page 1 was out before page 2 came


def test_json_of_an_empty_list_and_jsonl_with_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOX_TOKEN", DEMO_TOKENS["full"])
    code, out, _ = _run(monkeypatch, "errors", *STEP, "--json", "--since", "2099-01-01")
    assert (code, out) == (0, "[]\n")
    assert _run(monkeypatch, "errors", *STEP, "--jsonl", "--group", "template")[0] == 2
