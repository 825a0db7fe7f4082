"""Ctrl+C during ``iox retry --all`` while a batch waits out a 429: stops within a second, sends nothing
more, reports what the server accepted, and exits 130. The real entry point in its own process, a real SIGINT.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from explorer.simulator import DEMO_TOKENS
from explorer.simulator import demo_ids as d

SCRIPT = r"""
import asyncio, sys, time, httpx
from explorer.cli import main
from explorer.simulator import Simulator, SimulatorTransport

class Throttling(httpx.AsyncBaseTransport):
    '''The simulator; every retry POST gets a 429 with Retry-After: 30, and is noted (with when) on stderr.'''
    def __init__(self):
        self.inner = SimulatorTransport(Simulator(seed=0, time_scale=0))
    async def handle_async_request(self, request):
        if request.method == "POST":
            sys.stderr.write(f"\nPOST-SENT {time.monotonic()}\n"); sys.stderr.flush()
            return httpx.Response(429, headers={"Retry-After": "30"},
                                  json={"errors": [{"code": "too_many_requests", "message": "slow down"}]})
        return await self.inner.handle_async_request(request)

sys.exit(main(sys.argv[1:], transport=Throttling()))
"""


def test_ctrl_c_during_a_429_wait_stops_at_once_and_exits_130(tmp_path: Path) -> None:
    env = {**os.environ, "IOX_TOKEN": DEMO_TOKENS["full"], "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_STATE_HOME": str(tmp_path / "s")}
    argv = ["retry", d.AMAZON_FLOW, d.AMAZON_IMPORT_STEP, "--all", "--no-follow"]
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stderr is not None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "POST-SENT" in line or not line:
                break
        time.sleep(0.3)  # the client is now waiting out the 30 s Retry-After
        proc.send_signal(signal.SIGINT)
        sent_at = time.monotonic()
        out, err = proc.communicate(timeout=25)
        took = time.monotonic() - sent_at
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert took < 10.0  # at once, not after the 30 s Retry-After (room for a busy machine's interpreter exit)
    # nothing sent after Ctrl+C (the three batches may all go out in the first burst before it, each
    # refused with a 429: services/bulk.py ``burst``; none is re-sent after the cancel)
    posts = [float(line.split()[1]) for line in err.splitlines() if line.startswith("POST-SENT")]
    assert len(posts) <= 3 and all(when < sent_at for when in posts)
    assert "0 of 3000 retried" in out and "canceled: 3000 not sent" in out
